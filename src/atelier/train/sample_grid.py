"""Sample grids: rows of images pasted into one picture for a quick look at a run."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from atelier.data.images import resize

GAP = 2  # white pixels between cells


def grid_image(rows: Sequence[Sequence[np.ndarray | None]], cell_hw: tuple[int, int] | None = None) -> np.ndarray:
    """Paste images into a grid, each cell scaled to the same size.

    Args:
        rows: rows of (h, w, 3) uint8 images; None leaves a cell empty; rows may differ in length.
        cell_hw: (H, W) of a cell; defaults to the first image's size.

    Returns:
        (rows · (H + gap), columns · (W + gap), 3) uint8, white background.
    """
    images = [image for row in rows for image in row if image is not None]
    if not images:
        raise ValueError("a sample grid needs at least one image")
    height, width = cell_hw or images[0].shape[:2]
    columns = max(len(row) for row in rows)
    grid = np.full((len(rows) * (height + GAP), columns * (width + GAP), 3), 255, dtype=np.uint8)
    for row_index, row in enumerate(rows):
        for column_index, image in enumerate(row):
            if image is None:
                continue
            top, left = row_index * (height + GAP), column_index * (width + GAP)
            grid[top : top + height, left : left + width] = resize(image, (height, width))
    return grid
