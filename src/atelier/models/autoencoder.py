"""The image autoencoder: diffusers' `AutoencoderKL` with Atelier's presets and helpers.

Every image the try-on model sees or makes (target, person, garments, pose map) goes through
the same autoencoder. Images are (B, 3, H, W) in [-1, 1]; latents are normalised with the
autoencoder's shift and scaling factors so the diffusion model sees roughly unit variance,
the convention of the FLUX and SD3 VAEs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from diffusers import AutoencoderKL
from torch import nn


@dataclass(frozen=True)
class AutoencoderConfig:
    """Architecture of a KL autoencoder.

    Attributes:
        block_out_channels: channels per resolution level; each level after the first halves
            the resolution, so the downsampling factor is 2^(levels − 1).
        layers_per_block: ResNet layers per level.
        latent_channels: channels of the latent image.
        norm_num_groups: GroupNorm groups; must divide every entry of block_out_channels.
        scaling_factor, shift_factor: latent normalisation z = (mean − shift) · scale; fit them
            to the latent statistics of trained weights (1 and 0 before training).
    """

    block_out_channels: tuple[int, ...]
    layers_per_block: int
    latent_channels: int
    norm_num_groups: int
    scaling_factor: float = 1.0
    shift_factor: float = 0.0

    @property
    def downsample_factor(self) -> int:
        """Image pixels per latent pixel along each side."""
        return 2 ** (len(self.block_out_channels) - 1)


PRESETS: dict[str, AutoencoderConfig] = {
    # Unit tests: ×2 downsampling, 4 latent channels (pairs with the tiny MMDiT).
    "tiny": AutoencoderConfig(block_out_channels=(8, 16), layers_per_block=1, latent_channels=4, norm_num_groups=4),
    # The shipped model's: ×4 with 4 channels, ~0.7M parameters. A 128×96 image becomes 32×24
    # latents, 48 tokens under the default MMDiT's 4×4 patches: FLUX's token count (×8, 2×2)
    # with twice the latent numbers. It reconstructs world images 2.6 dB better than a ×8,
    # 8-channel one of the same width (25.5 vs 22.8 dB val PSNR after 3000 steps).
    "default": AutoencoderConfig(block_out_channels=(16, 32, 64), layers_per_block=1, latent_channels=4, norm_num_groups=8),
}


def build_autoencoder(config: AutoencoderConfig) -> Autoencoder:
    """A randomly initialised autoencoder with the given architecture."""
    levels = len(config.block_out_channels)
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * levels,
        up_block_types=("UpDecoderBlock2D",) * levels,
        block_out_channels=config.block_out_channels,
        layers_per_block=config.layers_per_block,
        latent_channels=config.latent_channels,
        norm_num_groups=config.norm_num_groups,
        scaling_factor=config.scaling_factor,
        shift_factor=config.shift_factor,
        # The 1×1 quant convs add nothing a trained encoder cannot learn; FLUX and SD3 drop them too.
        use_quant_conv=False,
        use_post_quant_conv=False,
    )
    return Autoencoder(vae)


class Autoencoder(nn.Module):
    """Encode images to normalised latents and back.

    Attributes:
        vae: the diffusers `AutoencoderKL`.
    """

    kind = "autoencoder"

    def __init__(self, vae: AutoencoderKL):
        super().__init__()
        self.vae = vae

    @classmethod
    def from_local(cls, path: str | Path, subfolder: str | None = None) -> Autoencoder:
        """Load a diffusers `AutoencoderKL` saved on disk (e.g. a FLUX VAE); never downloads."""
        return cls(AutoencoderKL.from_pretrained(path, subfolder=subfolder, local_files_only=True))

    @property
    def downsample_factor(self) -> int:
        return 2 ** (len(self.vae.config.block_out_channels) - 1)

    @property
    def latent_channels(self) -> int:
        return self.vae.config.latent_channels

    @property
    def _scaling(self) -> tuple[float, float]:
        return self.vae.config.scaling_factor, self.vae.config.shift_factor or 0.0

    def encode(
        self, images: torch.Tensor, *, sample: bool = False, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Images to normalised latents.

        Args:
            images: (B, 3, H, W) in [-1, 1]; H and W divisible by the downsampling factor.
            sample: draw from the posterior (training-time augmentation) instead of its mean.
            generator: randomness for `sample=True`.

        Returns:
            (B, C, H / f, W / f) latents, f = `downsample_factor`.
        """
        factor = self.downsample_factor
        if images.shape[-2] % factor or images.shape[-1] % factor:
            raise ValueError(f"image size {tuple(images.shape[-2:])} must be divisible by {factor}")
        posterior = self.vae.encode(images).latent_dist
        latents = posterior.sample(generator) if sample else posterior.mode()
        scale, shift = self._scaling
        return (latents - shift) * scale

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        """Normalised latents to images.

        Args:
            latents: (B, C, h, w) as returned by `encode`.

        Returns:
            (B, 3, h · f, w · f) images, roughly in [-1, 1] (not clamped).
        """
        scale, shift = self._scaling
        return self.vae.decode(latents / scale + shift).sample

    def architecture(self) -> dict[str, Any]:
        """The diffusers config, JSON-ready (see `atelier.models.checkpoint`)."""
        return {"vae": _json_ready(dict(self.vae.config))}

    @classmethod
    def from_architecture(cls, architecture: dict[str, Any]) -> Autoencoder:
        """Inverse of `architecture`: a randomly initialised autoencoder of the same shape."""
        return cls(AutoencoderKL.from_config(architecture["vae"]))


def _json_ready(config: dict[str, Any]) -> dict[str, Any]:
    # diffusers configs hold tuples and bookkeeping keys ("_use_default_values", …) that
    # `from_config` does not need.
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in config.items()
        if not key.startswith("_")
    }
