"""Mask-free detail restoration: the person photo's own pixels wherever the output left it alone.

The model draws at its own size (128×96 for the shipped one) through an autoencoder, so even what
a try-on keeps (the face, the background, the garments nobody asked to change) comes back
softer and smaller than the photo it was given. Restoration puts the photo's pixels back there,
without a mask or a parser: it compares the output with the person photo *as the autoencoder
returns it* (so the autoencoder's own blur does not count as a change), and where the two
agree the output becomes the photo at its full size; where they differ (the new garment, a
moved arm) the model's pixels stay. In between the two are blended, so no seam shows.

Only tasks whose output is the person photo's frame are restored
(`atelier.pipelines.task_inputs.PERSON_FRAME_TASKS`); try-off shows a product shot and
model-free has no photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from atelier.data.images import Padding, restore


@dataclass(frozen=True)
class DetailRestoration:
    """How outputs are restored (stored in a checkpoint's pipeline config).

    Attributes:
        enabled: restore by default (a call may still turn it off).
        agree_below: mean absolute colour difference (0–1, after blurring) under which the
            output counts as unchanged and takes the photo's pixels.
        differ_above: difference above which the model's pixels are kept as they are.
        radius: box-blur radius in model pixels of the difference map, so pixel noise does
            not punch holes in it.
    """

    enabled: bool = True
    agree_below: float = 0.08
    differ_above: float = 0.2
    radius: int = 2

    def __post_init__(self) -> None:
        if not 0 <= self.agree_below < self.differ_above:
            raise ValueError(
                f"detail restoration needs 0 <= agree_below < differ_above, got {self.agree_below} and {self.differ_above}"
            )
        if self.radius < 0:
            raise ValueError(f"detail restoration radius must be at least 0, got {self.radius}")


def unchanged_weights(output: np.ndarray, round_trip: np.ndarray, settings: DetailRestoration) -> np.ndarray:
    """How much each pixel of an output is the person photo left unchanged.

    Args:
        output: (h, w, 3) uint8 model output at the model's size.
        round_trip: (h, w, 3) uint8 the person photo fitted to the model's size, encoded and
            decoded by the same autoencoder.
        settings: thresholds and blur radius.

    Returns:
        (h, w) float32 in [0, 1]: 1 where the output agrees with the round trip, 0 where it
        differs by more than `differ_above`.
    """
    if output.shape != round_trip.shape:
        raise ValueError(f"output {output.shape} and round trip {round_trip.shape} must have one shape")
    difference = (torch.from_numpy(output).float() - torch.from_numpy(round_trip).float()).abs().mean(dim=2) / 255
    if settings.radius:
        size = 2 * settings.radius + 1
        difference = F.avg_pool2d(difference[None, None], size, stride=1, padding=settings.radius, count_include_pad=False)[0, 0]
    weights = (settings.differ_above - difference) / (settings.differ_above - settings.agree_below)
    return weights.clamp(0, 1).numpy()


def restore_photo_pixels(output: np.ndarray, person: np.ndarray, weights: np.ndarray, padding: Padding) -> np.ndarray:
    """Blend the person photo into an output brought back to the photo's size.

    Args:
        output: (H, W, 3) uint8 model output already at the person photo's size.
        person: (H, W, 3) uint8 the person photo.
        weights: (h, w) float in [0, 1] at the model's size (`unchanged_weights`).
        padding: how the photo was padded to the model's aspect (undone on the weights).

    Returns:
        (H, W, 3) uint8: weights · person + (1 − weights) · output.
    """
    as_image = np.round(weights * 255).astype(np.uint8)
    full = restore(as_image, padding).astype(np.float32)[..., None] / 255
    blended = full * person.astype(np.float32) + (1 - full) * output.astype(np.float32)
    return np.clip(np.round(blended), 0, 255).astype(np.uint8)
