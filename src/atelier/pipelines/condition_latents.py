"""Condition images of a batch to the model's condition slots.

Each sample has its own list of conditions (`TaskInputs.conditions`). The model takes a fixed
list of slots, each one latent shape for the whole batch (`atelier.models.conditioning`).
Slots are filled position by position, so a sample's conditions keep their order and position
index whatever else is in the batch; a sample with fewer conditions is marked absent in the
slots it lacks. Where two samples hold differently shaped latents at the same position (a
requested-garment token beside a garment image), the odd one moves to a slot of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from atelier.models.autoencoder import Autoencoder
from atelier.models.conditioning import ABSENT_ROLE, Condition
from atelier.pipelines.image_tensors import fit_to_model, images_to_tensor
from atelier.pipelines.task_inputs import ConditionImage

RoleLatent = tuple[str, torch.Tensor]


def encode_conditions(
    autoencoder: Autoencoder,
    samples: Sequence[Sequence[ConditionImage]],
    size_hw: tuple[int, int],
    *,
    patch_size: int,
    chunk_size: int = 32,
) -> list[list[RoleLatent]]:
    """Encode every condition image of a batch in a few autoencoder calls.

    Args:
        autoencoder: encodes (N, 3, H, W) images to normalised latents.
        samples: per sample, its condition images (image None for a requested-garment token).
        size_hw: the model's image size; inputs are padded to its aspect and resized.
        patch_size: the transformer's latent patch side; a requested-garment token is one
            patch of zeros, (C, p, p).
        chunk_size: images per encoder call, bounding peak memory.

    Returns:
        Per sample, (role, (C, h, w) latents) in the order given.
    """
    parameter = next(autoencoder.parameters())
    images = [fit_to_model(c.image, size_hw)[0] for sample in samples for c in sample if c.image is not None]
    latents: list[torch.Tensor] = []
    for start in range(0, len(images), chunk_size):
        pixels = images_to_tensor(images[start : start + chunk_size]).to(parameter.device, parameter.dtype)
        latents.extend(autoencoder.encode(pixels))
    token = torch.zeros(autoencoder.latent_channels, patch_size, patch_size, device=parameter.device, dtype=parameter.dtype)
    encoded, next_image = [], iter(latents)
    for sample in samples:
        encoded.append([(c.role, token if c.image is None else next(next_image)) for c in sample])
    return encoded


def stack_condition_slots(samples: Sequence[Sequence[RoleLatent]]) -> list[Condition]:
    """Stack per-sample conditions into the batch's condition slots.

    Args:
        samples: per sample, (role, (C, h, w) latents) in canonical order; B samples.

    Returns:
        Condition slots, each with (B, C, h, w) latents and B roles (`ABSENT_ROLE` where a
        sample has nothing in that slot).
    """
    slots: list[tuple[tuple[int, ...], dict[int, RoleLatent]]] = []  # (shape, sample -> entry)
    for sample_index, sample in enumerate(samples):
        start = 0
        for entry in sample:
            shape = tuple(entry[1].shape)
            # The first slot at or after this condition's position that has its shape and is free.
            slot = next(
                (i for i in range(start, len(slots)) if slots[i][0] == shape and sample_index not in slots[i][1]),
                None,
            )
            if slot is None:
                slots.append((shape, {}))
                slot = len(slots) - 1
            slots[slot][1][sample_index] = entry
            start = slot + 1
    conditions = []
    for shape, entries in slots:
        reference = next(iter(entries.values()))[1]
        latents = torch.stack(
            [entries[i][1] if i in entries else torch.zeros_like(reference) for i in range(len(samples))]
        )
        roles = [entries[i][0] if i in entries else ABSENT_ROLE for i in range(len(samples))]
        conditions.append(Condition(latents, roles))
    return conditions
