"""Square crops of one region of a photo, as the judge's feature network reads them.

Training (`judge_training_data`) and scoring (`ground_truth_judge`) cut crops with this one
function, so the network is judged on exactly the kind of input it learned from: the region's
bounding box with a margin, made square, everything outside the region painted neutral grey (so
only the garment or head is read, not its surroundings), resized to `CROP_SIZE`.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

CROP_SIZE = 64
NEUTRAL_GREY = 0.5
CROP_MARGIN = 0.08  # of the box's longer side, so the region's outline stays inside the crop


def region_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """Bounding box (top, left, bottom, right), exclusive ends, of a (H, W) bool mask; None if empty."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    columns = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(columns[0]), int(rows[-1]) + 1, int(columns[-1]) + 1


def masked_crop(image: np.ndarray, mask: np.ndarray, size: int = CROP_SIZE) -> torch.Tensor | None:
    """The region of `mask` cut out of `image` as a square crop.

    Args:
        image: (H, W, 3) uint8 photo.
        mask: (H, W) bool region.
        size: side S of the crop.

    Returns:
        (3, S, S) float32 in [0, 1], grey outside the region; None when the mask is empty.
    """
    box = region_box(mask)
    if box is None:
        return None
    top, left, bottom, right = box
    side = max(bottom - top, right - left)
    side = int(np.ceil(side * (1 + 2 * CROP_MARGIN))) + 1
    centre_y, centre_x = (top + bottom) / 2, (left + right) / 2
    y0, x0 = round(centre_y - side / 2), round(centre_x - side / 2)
    square = np.full((side, side, 3), NEUTRAL_GREY, np.float32)
    # The square may reach past the photo's edges; only the overlapping part is copied.
    src_y0, src_x0 = max(y0, 0), max(x0, 0)
    src_y1, src_x1 = min(y0 + side, image.shape[0]), min(x0 + side, image.shape[1])
    region = mask[src_y0:src_y1, src_x0:src_x1, None]
    pixels = image[src_y0:src_y1, src_x0:src_x1].astype(np.float32) / 255
    square[src_y0 - y0 : src_y1 - y0, src_x0 - x0 : src_x1 - x0] = np.where(region, pixels, NEUTRAL_GREY)
    tensor = torch.from_numpy(square).permute(2, 0, 1)[None]
    return F.interpolate(tensor, size=(size, size), mode="bilinear", antialias=True, align_corners=False)[0]


def stack_crops(crops: list[torch.Tensor]) -> torch.Tensor:
    """(N, 3, S, S) from a list of (3, S, S) crops (an empty (0, 3, S, S) batch for none)."""
    if not crops:
        return torch.zeros(0, 3, CROP_SIZE, CROP_SIZE)
    return torch.stack(crops)
