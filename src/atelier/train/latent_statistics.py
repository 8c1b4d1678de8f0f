"""Fitting an autoencoder's latent normalisation: z = (mean − shift) · scale ≈ unit variance.

Diffusion trains best on latents of roughly zero mean and unit variance; the FLUX and SD3
VAEs ship a global shift and scale for that. A freshly trained autoencoder's latents can have
any spread, so they are measured on real images and stored in the autoencoder's config.
"""

from __future__ import annotations

import torch

from atelier.models.autoencoder import Autoencoder


@torch.no_grad()
def fit_latent_normalisation(autoencoder: Autoencoder, images: torch.Tensor, chunk_size: int = 32) -> tuple[float, float]:
    """Measure the scale and shift that normalise this autoencoder's latents.

    Args:
        autoencoder: a trained autoencoder (its current normalisation is ignored).
        images: (N, 3, H, W) in [-1, 1], representative of what will be encoded.
        chunk_size: images per encoder call.

    Returns:
        (scaling_factor, shift_factor): 1 / std and the mean of the raw posterior means.
    """
    raw = torch.cat(
        [autoencoder.vae.encode(images[start : start + chunk_size]).latent_dist.mode() for start in range(0, len(images), chunk_size)]
    ).double()
    return float(1.0 / raw.std().clamp(min=1e-6)), float(raw.mean())


def set_latent_normalisation(autoencoder: Autoencoder, *, scaling: float, shift: float) -> None:
    """Store the normalisation in the autoencoder's config (and so in its checkpoints)."""
    autoencoder.vae.register_to_config(scaling_factor=scaling, shift_factor=shift)
