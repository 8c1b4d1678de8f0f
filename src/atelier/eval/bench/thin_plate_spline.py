"""Thin-plate-spline fits between two garment silhouettes (the classical VITON-style warp).

`silhouette_landmarks` puts corresponding points on two masks: the left and right edge of each
mask at the same fractions of its height, plus the midpoint between them. A thin-plate spline
(Bookstein 1989) through those pairs maps one silhouette onto the other smoothly: affine where
the landmarks agree with an affine map, bending only as much as they demand.
"""

from __future__ import annotations

import numpy as np

from atelier.eval.judges.judge_crops import region_box

LANDMARK_ROWS = 11


def _radial_basis(squared_distance: np.ndarray) -> np.ndarray:
    # U(r) = r² log r², with U(0) = 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        values = squared_distance * np.log(squared_distance)
    return np.nan_to_num(values)


class ThinPlateSpline:
    """A 2-D thin-plate spline through control point pairs.

    Args:
        source: (K, 2) points (x, y).
        destination: (K, 2) points they map to.
        smoothing: added to the kernel's diagonal; 0 interpolates exactly.
    """

    def __init__(self, source: np.ndarray, destination: np.ndarray, smoothing: float = 1e-3) -> None:
        source = np.asarray(source, np.float64)
        destination = np.asarray(destination, np.float64)
        if source.shape != destination.shape or source.ndim != 2 or source.shape[1] != 2 or len(source) < 3:
            raise ValueError(f"need matching (K >= 3, 2) point sets, got {source.shape} and {destination.shape}")
        # Work in the source's normalised frame so `smoothing` means the same at any image size.
        self.centre = source.mean(axis=0)
        self.scale = max(float(np.abs(source - self.centre).max()), 1e-6)
        self.control = (source - self.centre) / self.scale
        k = len(source)
        kernel = _radial_basis(((self.control[:, None] - self.control[None]) ** 2).sum(-1)) + smoothing * np.eye(k)
        affine = np.hstack([np.ones((k, 1)), self.control])
        system = np.zeros((k + 3, k + 3))
        system[:k, :k], system[:k, k:], system[k:, :k] = kernel, affine, affine.T
        rhs = np.zeros((k + 3, 2))
        rhs[:k] = destination
        self.coefficients = np.linalg.lstsq(system, rhs, rcond=None)[0]

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Map (N, 2) points (x, y) -> (N, 2)."""
        normalised = (np.asarray(points, np.float64) - self.centre) / self.scale
        kernel = _radial_basis(((normalised[:, None] - self.control[None]) ** 2).sum(-1))
        affine = np.hstack([np.ones((len(normalised), 1)), normalised])
        k = len(self.control)
        return kernel @ self.coefficients[:k] + affine @ self.coefficients[k:]


def silhouette_landmarks(mask: np.ndarray, rows: int = LANDMARK_ROWS) -> np.ndarray | None:
    """Corresponding points on a silhouette: left edge, right edge and middle at `rows` heights.

    Args:
        mask: (H, W) bool.
        rows: heights sampled, evenly from the top row to the bottom row of the mask.

    Returns:
        (3 · rows, 2) points (x, y), or None for an empty mask. Heights where the mask has a gap
        take the nearest row that has pixels.
    """
    box = region_box(mask)
    if box is None:
        return None
    top, _, bottom, _ = box
    filled_rows = np.flatnonzero(mask.any(axis=1))
    points = []
    for fraction in np.linspace(0, 1, rows):
        y = top + fraction * (bottom - 1 - top)
        row = filled_rows[np.argmin(np.abs(filled_rows - y))]
        columns = np.flatnonzero(mask[row])
        left, right = float(columns[0]), float(columns[-1])
        points += [(left, y), (right, y), ((left + right) / 2, y)]
    return np.asarray(points)
