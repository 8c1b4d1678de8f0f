"""How well an autoencoder reconstructs held-out world images (PSNR)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from atelier.models.autoencoder import Autoencoder
from atelier.models.checkpoint import load_checkpoint
from atelier.pipelines.image_tensors import fit_to_model, images_to_tensor, tensor_to_images
from atelier.pipelines.task_inputs import TASKS
from atelier.train.autoencoder_task import record_images
from atelier.train.components import resolve_checkpoint_file
from atelier.train.record_sources import WorldLiveSource


def psnr_uint8(reference: np.ndarray, reconstruction: np.ndarray) -> float:
    """PSNR in dB between two uint8 images (peak 255); inf when identical."""
    error = np.mean((reference.astype(np.float64) - reconstruction.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(255.0**2 / error))


@torch.no_grad()
def reconstruction_psnr(autoencoder: Autoencoder, images: list[np.ndarray], chunk_size: int = 32) -> float:
    """Mean PSNR of encode→decode (posterior mean) over uint8 images of one size.

    Args:
        autoencoder: the model.
        images: (H, W, 3) uint8 arrays, H and W divisible by its downsampling factor.
        chunk_size: images per call.

    Returns:
        Mean PSNR in dB over the images, of the 8-bit reconstructions.
    """
    values = []
    device = next(autoencoder.parameters()).device
    for start in range(0, len(images), chunk_size):
        chunk = images[start : start + chunk_size]
        decoded = autoencoder.decode(autoencoder.encode(images_to_tensor(chunk).to(device)))
        values.extend(psnr_uint8(a, b) for a, b in zip(chunk, tensor_to_images(decoded), strict=True))
    return float(np.mean(values))


def world_reconstruction_psnr(
    checkpoint: str | Path, *, records: int, split: str = "test", seed: int = 0, size_hw: tuple[int, int] = (128, 96)
) -> tuple[float, int]:
    """PSNR of a checkpoint's autoencoder on every image of `records` world records.

    Returns:
        (mean PSNR in dB, number of images).
    """
    autoencoder = load_checkpoint(resolve_checkpoint_file(checkpoint)).modules.get("autoencoder")
    if autoencoder is None:
        raise ValueError(f"{checkpoint} holds no autoencoder")
    source = WorldLiveSource(split=split, seed=seed, size_hw=size_hw, kinds=TASKS)
    images = [fit_to_model(image, size_hw)[0] for record in source.records_at(range(records)) for image in record_images(record)]
    return reconstruction_psnr(autoencoder, images), len(images)
