"""Pixels to model tensors and back, keeping each input's aspect ratio.

Every image enters through `atelier.data.images`: it is padded (never cropped) to the model's
aspect ratio with white, the world's and the product shots' background, resized to the
model's size and scaled to [-1, 1]. The padding is remembered so an output can be brought
back to the input person's size and aspect with `restore`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from atelier.data.images import EmptyImage, Padding, pad_to_aspect, resize, restore

WHITE = (255, 255, 255)


def check_image(image: object, name: str) -> np.ndarray:
    """An (H, W, 3) uint8 array, or a clear error naming the input.

    Args:
        image: what the caller passed.
        name: how errors name it ("person", "garment 2 (top)", ...).

    Returns:
        The image as a contiguous (H, W, 3) uint8 array.

    Raises:
        EmptyImage: zero height or width.
        ValueError: not an (H, W, 3) uint8 array.
    """
    if not isinstance(image, np.ndarray):
        # A ValueError like every other bad input, so callers report it as the user's mistake.
        raise ValueError(f"{name}: expected an (H, W, 3) uint8 numpy array, got {type(image).__name__}")  # noqa: TRY004
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"{name}: expected an (H, W, 3) RGB image, got shape {image.shape}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise EmptyImage(name, f"image has zero size {image.shape[1]}x{image.shape[0]}")
    if image.dtype != np.uint8:
        raise ValueError(f"{name}: expected dtype uint8, got {image.dtype}")
    return np.ascontiguousarray(image)


def fit_to_model(image: np.ndarray, size_hw: tuple[int, int]) -> tuple[np.ndarray, Padding]:
    """Pad to the model's aspect ratio, then resize to its size.

    Args:
        image: (H, W, 3) uint8.
        size_hw: the model's (height, width).

    Returns:
        (height, width, 3) uint8 and the padding to undo with `restore`.
    """
    padded, padding = pad_to_aspect(image, size_hw, fill=WHITE)
    return resize(padded, size_hw), padding


def images_to_tensor(images: Sequence[np.ndarray]) -> torch.Tensor:
    """Stack same-size uint8 images into a model batch.

    Args:
        images: N arrays (H, W, 3) uint8.

    Returns:
        (N, 3, H, W) float32 in [-1, 1].
    """
    stacked = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float()
    return stacked / 127.5 - 1.0


def tensor_to_images(tensor: torch.Tensor) -> list[np.ndarray]:
    """Inverse of `images_to_tensor`, clamping what the decoder overshoots.

    Args:
        tensor: (N, 3, H, W) roughly in [-1, 1].

    Returns:
        N arrays (H, W, 3) uint8.
    """
    scaled = ((tensor.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return list(scaled.permute(0, 2, 3, 1).numpy())


def restore_to_input(image: np.ndarray, padding: Padding | None) -> np.ndarray:
    """Bring a model-size output back to the size and aspect of the image it was made from.

    Args:
        image: (h, w, 3) uint8 output at the model's size.
        padding: from `fit_to_model`; None leaves the output at the model's size.

    Returns:
        (H, W, 3) uint8 at the input's size.
    """
    return image if padding is None else restore(image, padding)
