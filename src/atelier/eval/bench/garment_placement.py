"""Putting a garment picture into a region of a photo: pasted into its box, or warped onto it.

A `GarmentPiece` is a garment cut out of some picture (a product shot, or a region of another
person's photo) with its mask. `paste_piece` stretches the piece's bounding box onto the region's
bounding box and copies the garment's pixels, wherever they land. `warp_piece` is the classical
VITON-style warp: a fit between the piece and the region (affine, box onto box, or a thin-plate
spline through the two silhouettes' edges) maps every pixel of the region to a point of the
garment, so the garment takes the region's exact shape and nothing else is painted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from atelier.eval.metrics.colour_difference import DELTA_E_MATCH, delta_e, rgb_to_lab
from atelier.eval.judges.judge_crops import region_box
from atelier.eval.bench.thin_plate_spline import ThinPlateSpline, silhouette_landmarks

# A product photo's pixel belongs to the garment when it differs from the backdrop by more than
# two just-noticeable differences (product backdrops are flat; garments have outlines).
PRODUCT_BACKGROUND_TOLERANCE = 2 * DELTA_E_MATCH


@dataclass(frozen=True)
class GarmentPiece:
    """A garment cut out of a picture.

    Attributes:
        image: (H, W, 3) uint8 picture holding it.
        mask: (H, W) bool, True on the garment.
        category: its category.
    """

    image: np.ndarray
    mask: np.ndarray
    category: str


def estimate_product_mask(image: np.ndarray) -> np.ndarray:
    """The garment of a product photo on a flat backdrop.

    The backdrop colour is the median of the photo's border; pixels further from it than
    `PRODUCT_BACKGROUND_TOLERANCE` are garment, and holes inside the garment's outline are
    filled (a white shirt on a white backdrop is closed by its outline).

    Args:
        image: (H, W, 3) uint8.

    Returns:
        (H, W) bool.
    """
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    backdrop = rgb_to_lab(np.median(border, axis=0).astype(np.uint8))
    differs = delta_e(rgb_to_lab(image), backdrop) > PRODUCT_BACKGROUND_TOLERANCE
    return ndimage.binary_fill_holes(differs)


def _resize(array: np.ndarray, size_hw: tuple[int, int], nearest: bool) -> np.ndarray:
    picture = Image.fromarray(array.astype(np.uint8) * (255 if array.dtype == bool else 1))
    resized = np.asarray(picture.resize((size_hw[1], size_hw[0]), Image.NEAREST if nearest else Image.BILINEAR))
    return resized > 127 if array.dtype == bool else resized


def paste_piece(canvas: np.ndarray, piece: GarmentPiece, region: np.ndarray) -> None:
    """Copy the piece, stretched to the region's bounding box, into `canvas` (in place).

    Args:
        canvas: (H, W, 3) uint8, written.
        piece: the garment.
        region: (H, W) bool where it goes.
    """
    target, source = region_box(region), region_box(piece.mask)
    if target is None or source is None:
        return
    top, left, bottom, right = target
    size_hw = (bottom - top, right - left)
    s_top, s_left, s_bottom, s_right = source
    image = _resize(piece.image[s_top:s_bottom, s_left:s_right], size_hw, nearest=False)
    mask = _resize(piece.mask[s_top:s_bottom, s_left:s_right], size_hw, nearest=True)
    window = canvas[top:bottom, left:right]
    window[mask] = image[mask]


def _garment_everywhere(piece: GarmentPiece) -> np.ndarray:
    # Each pixel off the garment takes its nearest garment pixel's colour, so a warp landing just
    # outside the silhouette still samples the garment, never the backdrop.
    _, (rows, columns) = ndimage.distance_transform_edt(~piece.mask, return_indices=True)
    return piece.image[rows, columns]


def _box_affine(from_mask: np.ndarray, to_mask: np.ndarray):
    """The axis-aligned affine map (scale and shift) taking one mask's bounding box onto another's."""
    (f_top, f_left, f_bottom, f_right), (t_top, t_left, t_bottom, t_right) = region_box(from_mask), region_box(to_mask)
    scale = np.array([(t_right - t_left) / (f_right - f_left), (t_bottom - t_top) / (f_bottom - f_top)])
    shift = np.array([t_left, t_top]) - scale * np.array([f_left, f_top])
    return lambda points: points * scale + shift


def warp_piece(canvas: np.ndarray, piece: GarmentPiece, region: np.ndarray, fit: str = "affine") -> None:
    """Warp the piece onto the region and paint it there, filling the region exactly (in place).

    Args:
        canvas: (H, W, 3) uint8, written.
        piece: the garment.
        region: (H, W) bool silhouette it must fill.
        fit: "affine" (the region's bounding box onto the garment's) or "tps" (a thin-plate
            spline through the two silhouettes' edge landmarks).
    """
    if not region.any() or not piece.mask.any():
        return
    # Fitted backwards (region -> piece): every region pixel looks up the garment point it shows.
    if fit == "tps":
        mapping = ThinPlateSpline(silhouette_landmarks(region), silhouette_landmarks(piece.mask))
    else:
        mapping = _box_affine(region, piece.mask)
    rows, columns = np.nonzero(region)
    mapped = mapping(np.stack([columns, rows], axis=1).astype(np.float64))
    garment = _garment_everywhere(piece).astype(np.float64)
    sampled = np.stack(
        [ndimage.map_coordinates(garment[..., c], [mapped[:, 1], mapped[:, 0]], order=1, mode="nearest") for c in range(3)],
        axis=1,
    )
    canvas[rows, columns] = np.clip(sampled.round(), 0, 255).astype(np.uint8)
