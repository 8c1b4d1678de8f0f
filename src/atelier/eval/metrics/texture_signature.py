"""A garment's pattern as a histogram of its colour edges, and how much two such histograms agree.

A pattern is what the colour does across the garment: nothing (solid), change slowly (gradient),
or change sharply along one direction (stripes), two directions (checks) or all of them (dots,
flowers, a logo). `texture_signature` counts, over the inside of a region, how strongly and in
which direction colour changes from pixel to pixel:

- strength: the CIELAB colour gradient, ΔE*ab per pixel (the largest of the three channels'
  gradients, as HOG does), in three bands — flat below one just-noticeable difference (2.3),
  soft up to ten (23), sharp above;
- direction: for soft and sharp changes, the gradient's orientation in 6 bins over 180°, counted
  from the region's dominant orientation, so stripes are stripes at any angle (a body turned
  or a sleeve bent does not change the pattern) while checks still differ from stripes.

That gives 1 + 2 × 6 = 13 bins, normalised to sum to one. The outline of the region (2 pixels)
is left out so a garment's silhouette does not count as pattern. Two signatures agree by their
histogram intersection Σ min(p_i, q_i): 1 for the same mix of flat areas and edges in the same
directions, 0 for nothing in common. Colour itself plays no part (that is `colour_difference`'s
job), and neither does the pattern's position.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from atelier.eval.metrics.colour_difference import DELTA_E_MATCH, DELTA_E_MISMATCH

ORIENTATION_BINS = 6
OUTLINE_PIXELS = 2
SIGNATURE_SIZE = 1 + 2 * ORIENTATION_BINS


def texture_signature(lab: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    """The pattern histogram of a region.

    Args:
        lab: (H, W, 3) CIELAB picture.
        mask: (H, W) bool region.

    Returns:
        (13,) histogram summing to one, or None when the region has no inside pixels.
    """
    inside = ndimage.binary_erosion(mask, iterations=OUTLINE_PIXELS)
    if not inside.any():
        inside = mask
    if not inside.any():
        return None
    # Central differences per channel; the strongest channel decides magnitude and direction.
    gradient_y = np.stack([np.gradient(lab[..., c], axis=0) for c in range(3)], axis=-1)
    gradient_x = np.stack([np.gradient(lab[..., c], axis=1) for c in range(3)], axis=-1)
    magnitudes = np.hypot(gradient_x, gradient_y)
    strongest = magnitudes.argmax(axis=-1)[..., None]
    magnitude = np.take_along_axis(magnitudes, strongest, axis=-1)[..., 0][inside]
    angle = np.arctan2(np.take_along_axis(gradient_y, strongest, -1), np.take_along_axis(gradient_x, strongest, -1))[..., 0][inside]
    orientation = ((angle % np.pi) / np.pi * ORIENTATION_BINS).astype(int).clip(0, ORIENTATION_BINS - 1)
    band = np.where(magnitude < DELTA_E_MATCH, 0, np.where(magnitude < DELTA_E_MISMATCH, 1, 2))
    edges = band > 0
    if edges.any():
        dominant = np.bincount(orientation[edges], weights=magnitude[edges], minlength=ORIENTATION_BINS).argmax()
        orientation = (orientation - dominant) % ORIENTATION_BINS
    index = np.where(band == 0, 0, 1 + (band - 1) * ORIENTATION_BINS + orientation)
    histogram = np.bincount(index, minlength=SIGNATURE_SIZE).astype(np.float64)
    return histogram / histogram.sum()


def signature_agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Histogram intersection of two signatures, in [0, 1]."""
    return float(np.minimum(a, b).sum())
