"""Carry a trained try-on model over to another autoencoder's latents.

A try-on model only meets latents at its two ends: `x_embedder` (packed tokens → hidden),
the role vectors added to condition tokens before it, and `proj_out` (hidden → packed
velocity). Two autoencoders of the same downsampling factor, trained on the same images,
describe each p×p latent patch alike, so an affine map between their packed tokens explains
much of either. The maps are orthogonal (the nearest to a least-squares fit that is): the
model was trained on unit Gaussian noise, and only an orthogonal map turns the new latents'
noise into noise of the same law. On the world's images, from the shipped 4-channel
autoencoder to the 8-channel one, they explain 77% of the old tokens' variance and 85% of the
new ones' (`fit_latent_bridge` reports it; a free least-squares fit reaches 97% and 92%, but
stretches the noise by 0.2–2.5 along different directions). The transformer's middle, which
holds what was learned, is kept and its ends are composed with the maps.

The maps act on normalised packed tokens, row-vector convention (B·L, channels):
    source ≈ target @ to_source + to_source_bias
    target ≈ source @ to_target + to_target_bias
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from atelier.models.autoencoder import Autoencoder
from atelier.models.conditioning import pack_latents
from atelier.models.tryon_model import TryOnModel
from atelier.pipelines.image_tensors import fit_to_model, images_to_tensor
from atelier.train.autoencoder_task import record_images
from atelier.train.record_sources import RecordSource

# Records whose images the bridge is fitted on: ~500 images, ~25 000 tokens at 128×96 for
# maps of ≤ 129 × 128 numbers; a few seconds of encoding.
BRIDGE_FIT_RECORDS = 150


@dataclass(frozen=True)
class LatentBridge:
    """Affine maps between two autoencoders' packed latent tokens.

    Attributes:
        to_source: (C_t, C_s) linear part, target tokens → source tokens.
        to_source_bias: (C_s,).
        to_target: (C_s, C_t) linear part, source tokens → target tokens.
        to_target_bias: (C_t,).
        r2_to_source, r2_to_target: fraction of the mapped-to tokens' variance each map
            explains on held-out tokens (1 is a perfect fit).
    """

    to_source: torch.Tensor
    to_source_bias: torch.Tensor
    to_target: torch.Tensor
    to_target_bias: torch.Tensor
    r2_to_source: float
    r2_to_target: float


def bridge_fit_images(
    source: RecordSource, image_size: tuple[int, int], records: int = BRIDGE_FIT_RECORDS
) -> torch.Tensor:
    """(N, 3, H, W) images in [-1, 1] of the first `records` training records, at the model's size."""
    return images_to_tensor(
        [
            fit_to_model(image, image_size)[0]
            for record in source.records_at(range(records))
            for image in record_images(record)
        ]
    )


@torch.no_grad()
def fit_latent_bridge(
    source: Autoencoder, target: Autoencoder, images: torch.Tensor, patch_size: int, *, chunk_size: int = 64
) -> LatentBridge:
    """Fit both maps (orthogonal Procrustes, centred) on the images' packed latents.

    Args:
        source: the autoencoder the model was trained on.
        target: the autoencoder it is carried over to (same downsampling factor).
        images: (N, 3, H, W) in [-1, 1], representative of training; H and W divisible by
            factor · patch_size.
        patch_size: the model's p (p×p latents per token).
        chunk_size: images per encoder call.

    Raises:
        ValueError: the autoencoders downsample differently, so tokens do not line up.
    """
    if source.downsample_factor != target.downsample_factor:
        raise ValueError(
            f"the autoencoders downsample ×{source.downsample_factor} and ×{target.downsample_factor}; "
            "a latent bridge needs the same factor so that their tokens cover the same pixels"
        )

    def packed(autoencoder: Autoencoder) -> torch.Tensor:
        latents = torch.cat([autoencoder.encode(images[i : i + chunk_size]) for i in range(0, len(images), chunk_size)])
        tokens = pack_latents(latents.float(), patch_size)
        return tokens.reshape(-1, tokens.shape[-1]).double()

    source_tokens, target_tokens = packed(source), packed(target)
    # The last fifth of the tokens is held out to measure the fit, not to make it.
    split = len(source_tokens) * 4 // 5
    source_mean, target_mean = source_tokens[:split].mean(dim=0), target_tokens[:split].mean(dim=0)
    cross_covariance = (target_tokens[:split] - target_mean).T @ (source_tokens[:split] - source_mean)
    left, _, right = torch.linalg.svd(cross_covariance, full_matrices=False)
    to_source = left @ right  # (C_t, C_s), orthonormal columns (rows when C_t < C_s)
    to_target = to_source.T
    to_source_bias = source_mean - target_mean @ to_source
    to_target_bias = target_mean - source_mean @ to_target
    return LatentBridge(
        to_source.float(),
        to_source_bias.float(),
        to_target.float(),
        to_target_bias.float(),
        r2_to_source=_r2(target_tokens[split:] @ to_source + to_source_bias, source_tokens[split:]),
        r2_to_target=_r2(source_tokens[split:] @ to_target + to_target_bias, target_tokens[split:]),
    )


def _r2(prediction: torch.Tensor, truth: torch.Tensor) -> float:
    """Fraction of the truth's variance (summed over channels) that the prediction explains."""
    return 1.0 - float((prediction - truth).pow(2).mean() / truth.var(dim=0).mean())


@torch.no_grad()
def bridge_tryon_model(model: TryOnModel, bridge: LatentBridge) -> TryOnModel:
    """A copy of `model` that reads and writes the bridge's target latents.

    Every weight is copied except the three that touch latents:
    - `x_embedder`: W·(t @ to_source + b) + c, so W' = W · to_sourceᵀ, c' = c + W · b;
    - role vectors r' with r' @ to_source = r (least squares), so a role still moves the
      embedded token by W·r;
    - `proj_out`: a velocity v = ε − x₀ maps as v' = v @ to_target − to_target_bias (the
      bias cancels in ε's share and changes the sign in x₀'s).

    Args:
        model: a trained try-on model over the bridge's source latents.
        bridge: from `fit_latent_bridge`.

    Returns:
        A new model (the input is unchanged) with in_channels = the target's packed channels.
    """
    source_channels, target_channels = bridge.to_source.shape[1], bridge.to_source.shape[0]
    if model.config.in_channels != source_channels:
        raise ValueError(
            f"the model reads {model.config.in_channels}-channel tokens, the bridge maps from {source_channels}"
        )
    bridged = TryOnModel(dataclasses.replace(model.config, in_channels=target_channels), roles=model.roles)
    state = model.state_dict()
    transformer = "transformer."
    embed_weight, embed_bias = state[f"{transformer}x_embedder.weight"], state[f"{transformer}x_embedder.bias"]
    out_weight, out_bias = state[f"{transformer}proj_out.weight"], state[f"{transformer}proj_out.bias"]
    to_source, to_target = bridge.to_source.to(embed_weight.dtype), bridge.to_target.to(out_weight.dtype)
    state[f"{transformer}x_embedder.weight"] = embed_weight @ to_source.T
    state[f"{transformer}x_embedder.bias"] = embed_bias + embed_weight @ bridge.to_source_bias.to(embed_weight.dtype)
    state["role_embedding.table"] = state["role_embedding.table"] @ torch.linalg.pinv(to_source)
    state[f"{transformer}proj_out.weight"] = to_target.T @ out_weight
    state[f"{transformer}proj_out.bias"] = out_bias @ to_target - bridge.to_target_bias.to(out_bias.dtype)
    bridged.load_state_dict(state, strict=True)
    return bridged.train(model.training)
