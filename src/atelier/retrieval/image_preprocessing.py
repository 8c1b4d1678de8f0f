"""Pictures (any size, uint8 RGB) to the encoder's input tensor.

Aspect is kept: an image is padded to the encoder's aspect with the product-shot background
colour (so padding looks like more studio backdrop, not a frame) and resized.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from atelier.data.images import pad_to_aspect, resize
from atelier.world.renderer import PRODUCT_BACKGROUND


def fit_image(image: np.ndarray, size_hw: tuple[int, int]) -> np.ndarray:
    """(H, W, 3) uint8 -> (h, w, 3) uint8 at `size_hw`, aspect kept by padding."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {image.dtype} {image.shape}")
    if image.shape[:2] == tuple(size_hw):
        return image
    padded, _ = pad_to_aspect(image, size_hw, fill=PRODUCT_BACKGROUND)
    return resize(padded, size_hw)


def images_to_tensor(images: Sequence[np.ndarray] | np.ndarray, size_hw: tuple[int, int]) -> torch.Tensor:
    """Pictures -> (B, 3, h, w) float32 in [-1, 1].

    Args:
        images: B arrays (H, W, 3) uint8 of any size, or one (B, H, W, 3) uint8 array.
        size_hw: the encoder's image size (h, w).
    """
    if isinstance(images, np.ndarray) and images.ndim == 4 and images.shape[1:3] == tuple(size_hw):
        batch = images
    else:
        batch = np.stack([fit_image(image, size_hw) for image in images])
    return uint8_batch_to_tensor(batch)


def uint8_batch_to_tensor(batch: np.ndarray) -> torch.Tensor:
    """(B, H, W, 3) uint8 -> (B, 3, H, W) float32 in [-1, 1]."""
    return torch.from_numpy(np.ascontiguousarray(batch)).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)
