"""The MMDiT backbone: diffusers' `FluxTransformer2DModel` built from a typed config.

Atelier never forks the transformer. Conditioning happens through the token sequence (see
`atelier.models.conditioning`), so the same builder serves a tiny test model, the small
CPU-trainable default and the published FLUX.1 shapes whose real weights load unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from diffusers import FluxTransformer2DModel

from atelier.models.config_mapping import build_config, config_to_dict

# `FluxTransformer2DModel` multiplies its `timestep` input by 1000 itself, so it takes σ as is
# (the Flux pipelines pass the scheduler's timestep / 1000). See `atelier.flow.path.sigma_to_timestep`.
FLUX_TIMESTEP_SCALE = 1.0


@dataclass(frozen=True)
class MMDiTConfig:
    """Architecture of a FLUX-style MMDiT.

    Attributes:
        in_channels: channels of one packed token, p² × latent channels (p×p patches).
        num_layers: double-stream blocks (separate text and image weights, joint attention).
        num_single_layers: single-stream blocks (one set of weights over [text; image]).
        num_attention_heads: heads per attention layer.
        attention_head_dim: channels per head; width = heads × head_dim.
        joint_attention_dim: channels of the text token embeddings fed in.
        pooled_projection_dim: channels of the pooled text embedding fed in.
        guidance_embeds: whether the model takes a guidance scale input (guidance-distilled,
            like FLUX.1-dev); Atelier's own models use real classifier-free guidance instead.
        axes_dims_rope: rotary channels per position-id axis (condition index, row, column);
            must be even and sum to attention_head_dim.
        patch_size: p, the side of the square latent patch packed into one token (2 as in
            FLUX; 4 over a ×4 autoencoder keeps the token count of ×8 latents at 2×2).
    """

    in_channels: int
    num_layers: int
    num_single_layers: int
    num_attention_heads: int
    attention_head_dim: int
    joint_attention_dim: int
    pooled_projection_dim: int
    guidance_embeds: bool = False
    axes_dims_rope: tuple[int, int, int] = (16, 56, 56)
    patch_size: int = 2

    def __post_init__(self) -> None:
        if self.patch_size < 1:
            raise ValueError(f"patch_size must be at least 1, got {self.patch_size}")
        area = self.patch_size * self.patch_size
        if self.in_channels % area:
            raise ValueError(
                f"in_channels must be {area} × latent channels ({self.patch_size}×{self.patch_size} packing), "
                f"got {self.in_channels}"
            )
        if len(self.axes_dims_rope) != 3 or any(dim % 2 for dim in self.axes_dims_rope):
            raise ValueError(f"axes_dims_rope must be three even numbers, got {self.axes_dims_rope}")
        if sum(self.axes_dims_rope) != self.attention_head_dim:
            raise ValueError(
                f"axes_dims_rope {self.axes_dims_rope} must sum to attention_head_dim {self.attention_head_dim}"
            )

    @property
    def latent_channels(self) -> int:
        """Channels of the autoencoder latents this model denoises."""
        return self.in_channels // (self.patch_size * self.patch_size)

    @property
    def width(self) -> int:
        """Hidden size of every token inside the transformer."""
        return self.num_attention_heads * self.attention_head_dim

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return config_to_dict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> MMDiTConfig:
        """Inverse of `to_dict`; unknown keys are an error so a mismatched checkpoint fails loudly."""
        return build_config(cls, values)


_FLUX_1 = MMDiTConfig(
    in_channels=64,
    num_layers=19,
    num_single_layers=38,
    num_attention_heads=24,
    attention_head_dim=128,
    joint_attention_dim=4096,  # T5-XXL
    pooled_projection_dim=768,  # CLIP-L
    guidance_embeds=True,
    axes_dims_rope=(16, 56, 56),
)

# Trainable on a CPU in an hour, ~5M parameters (~21 MB fp32); pairs with the default
# autoencoder (×4, 4 latent channels, so 4×4 patches of 64 channels) and a 256-wide text
# encoder (configs/default.yaml narrows it to 128; the builder follows the text encoder).
_DEFAULT = MMDiTConfig(
    in_channels=64,
    num_layers=2,
    num_single_layers=4,
    num_attention_heads=3,
    attention_head_dim=64,
    joint_attention_dim=256,
    pooled_projection_dim=256,
    axes_dims_rope=(8, 28, 28),
    patch_size=4,
)

PRESETS: dict[str, MMDiTConfig] = {
    # Unit tests: one block of each kind, 2 heads × 16; pairs with the tiny autoencoder
    # (4 latent channels) and tiny text encoder (32 wide).
    "tiny": MMDiTConfig(
        in_channels=16,
        num_layers=1,
        num_single_layers=1,
        num_attention_heads=2,
        attention_head_dim=16,
        joint_attention_dim=32,
        pooled_projection_dim=32,
        axes_dims_rope=(4, 6, 6),
    ),
    "default": _DEFAULT,
    # The GPU preset (configs/gpu_c8.yaml): `default` 256 wide with 3 double + 6 single blocks,
    # ~13.5M parameters over the 8-channel autoencoder (4×4 patches of 128 channels). A GPU run
    # is bound by the record stream, not the model, so the extra work costs little time there,
    # and it learns more per sample (README, "What comes next").
    "medium": replace(_DEFAULT, num_layers=3, num_single_layers=6, num_attention_heads=4),
    "flux-dev": _FLUX_1,
    # FLUX.1 Kontext [dev] has exactly FLUX.1 [dev]'s architecture; only the weights and the
    # way the pipeline feeds reference tokens differ.
    "flux-kontext": _FLUX_1,
}


def build_transformer(config: MMDiTConfig) -> FluxTransformer2DModel:
    """A randomly initialised `FluxTransformer2DModel` with the given architecture.

    Args:
        config: the architecture, e.g. `PRESETS["tiny"]`.

    Returns:
        The transformer; its forward takes packed tokens (B, L, in_channels).
    """
    return FluxTransformer2DModel(
        patch_size=1,  # p×p patching happens outside, in `atelier.models.conditioning.pack_latents`
        in_channels=config.in_channels,
        num_layers=config.num_layers,
        num_single_layers=config.num_single_layers,
        attention_head_dim=config.attention_head_dim,
        num_attention_heads=config.num_attention_heads,
        joint_attention_dim=config.joint_attention_dim,
        pooled_projection_dim=config.pooled_projection_dim,
        guidance_embeds=config.guidance_embeds,
        axes_dims_rope=config.axes_dims_rope,
    )
