"""Colour difference as people see it: CIELAB and ΔE*ab, and how much two colour sets agree.

Lab is computed from sRGB (D65 white, the sRGB transfer curve undone), matching
`skimage.color.rgb2lab`; ΔE*ab (CIE 1976) is the Euclidean distance in Lab. The score anchors are
perceptual conventions, not fitted to any result:

- `DELTA_E_MATCH` = 2.3, one just-noticeable difference (Sharma, *Digital Color Imaging
  Handbook*, 2003): at or below it two colours count as the same;
- `DELTA_E_MISMATCH` = 23, ten just-noticeable differences: at or beyond it two colours count
  as different colours. (The closest two of the world's 20 named colours, yellow and mustard,
  are 20.3 apart, so colours with different names get almost no credit.)

Between the anchors agreement falls linearly: `colour_agreement(ΔE)` = clip((23 − ΔE) / 20.7, 0, 1).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

DELTA_E_MATCH = 2.3
DELTA_E_MISMATCH = 23.0
TRANSPORT_POINTS = 128  # pixels per side of the colour-transport matching

_SRGB_TO_XYZ = np.array(
    [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]]
)
_D65_WHITE = np.array([0.95047, 1.0, 1.08883])


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of sRGB colours.

    Args:
        rgb: (..., 3) uint8, or float in [0, 1].

    Returns:
        (..., 3) float64 L* in [0, 100], a*, b*.
    """
    values = np.asarray(rgb, dtype=np.float64)
    if np.asarray(rgb).dtype == np.uint8:
        values = values / 255
    linear = np.where(values > 0.04045, ((values + 0.055) / 1.055) ** 2.4, values / 12.92)
    xyz = linear @ _SRGB_TO_XYZ.T / _D65_WHITE
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    lightness = 116 * f[..., 1] - 16
    return np.stack([lightness, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e(lab_a: np.ndarray, lab_b: np.ndarray) -> np.ndarray:
    """ΔE*ab between Lab colours (..., 3) -> (...)."""
    return np.linalg.norm(np.asarray(lab_a) - np.asarray(lab_b), axis=-1)


def colour_agreement(difference: np.ndarray | float) -> np.ndarray | float:
    """1 at or below one JND, 0 at or beyond ten, linear between (same shape as the input)."""
    return np.clip((DELTA_E_MISMATCH - np.asarray(difference)) / (DELTA_E_MISMATCH - DELTA_E_MATCH), 0.0, 1.0)


def _evenly_strided(lab: np.ndarray, count: int) -> np.ndarray:
    # Deterministic and spread over the whole region (pixels come in raster order).
    positions = np.linspace(0, len(lab) - 1, count).round().astype(int)
    return lab[positions]


def colour_transport_distance(lab_a: np.ndarray, lab_b: np.ndarray, points: int = TRANSPORT_POINTS) -> float:
    """Mean ΔE*ab of the cheapest one-to-one matching between two regions' colours.

    The earth mover's distance between the two colour distributions (each region's pixels
    subsampled evenly to `points`): how far, on average, each colour must move to turn one
    region's colours into the other's. Position plays no part, so a garment shifted or bent on
    the body loses nothing; a wrong colour or a wrong share of pattern colours does.

    Args:
        lab_a: (N, 3) Lab pixels of one region (N ≥ 1).
        lab_b: (M, 3) Lab pixels of the other (M ≥ 1).
        points: pixels per side of the matching.

    Returns:
        the mean ΔE*ab of the matching (0 for identical colour sets).
    """
    if len(lab_a) == 0 or len(lab_b) == 0:
        raise ValueError("both regions need at least one pixel")
    count = min(points, max(len(lab_a), len(lab_b)))
    a, b = _evenly_strided(lab_a, count), _evenly_strided(lab_b, count)
    cost = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)
    rows, columns = linear_sum_assignment(cost)
    return float(cost[rows, columns].mean())


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """sRGB uint8 of CIELAB (D65) colours (..., 3), clipped to the sRGB gamut (inverse of `rgb_to_lab`)."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    xyz = np.where(f > 0.206893, f**3, (f - 16 / 116) / 7.787) * _D65_WHITE
    linear = np.clip(xyz @ np.linalg.inv(_SRGB_TO_XYZ).T, 0, 1)
    srgb = np.where(linear > 0.0031308, 1.055 * linear ** (1 / 2.4) - 0.055, 12.92 * linear)
    return np.clip(srgb * 255 + 0.5, 0, 255).astype(np.uint8)
