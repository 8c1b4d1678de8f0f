"""The rectified-flow probability path: noisy samples, training targets, x₀ from a velocity.

Convention (diffusers'): σ = 1 is pure noise, x_σ = σ·ε + (1 − σ)·x₀, and the network
predicts the velocity v = dx_σ/dσ = ε − x₀. Sigmas broadcast from (B,) over the remaining
dimensions of x, so the same functions serve latents (B, C, h, w) and tokens (B, L, D).
"""

from __future__ import annotations

from typing import Literal

import torch

from atelier.flow.sigmas import shift_sigmas


def _per_sample(sigma: torch.Tensor | float, like: torch.Tensor) -> torch.Tensor:
    """Broadcast a scalar or (B,) sigma to x's rank: (B,) -> (B, 1, ..., 1)."""
    sigma = torch.as_tensor(sigma, device=like.device, dtype=like.dtype)
    if sigma.ndim == 0:
        return sigma
    if sigma.ndim != 1 or sigma.shape[0] != like.shape[0]:
        raise ValueError(f"sigma must be a scalar or shaped (B,)=({like.shape[0]},), got {tuple(sigma.shape)}")
    return sigma.view(-1, *([1] * (like.ndim - 1)))


def interpolate(x0: torch.Tensor, noise: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
    """A point on the straight path from data to noise: x_σ = σ·ε + (1 − σ)·x₀.

    Args:
        x0: clean sample (B, ...).
        noise: standard normal noise ε, same shape as x0.
        sigma: scalar or (B,) noise level in [0, 1].

    Returns:
        x_σ, same shape as x0.
    """
    sigma = _per_sample(sigma, x0)
    return sigma * noise + (1 - sigma) * x0


def velocity_target(x0: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """The flow-matching regression target v = ε − x₀ (independent of σ on a straight path).

    Args:
        x0: clean sample (B, ...).
        noise: the noise ε used to make x_σ, same shape.

    Returns:
        (B, ...) velocity target.
    """
    return noise - x0


def predict_x0(x_sigma: torch.Tensor, velocity: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
    """The clean sample implied by a velocity: x₀ = x_σ − σ·v.

    Args:
        x_sigma: noisy sample (B, ...).
        velocity: predicted v, same shape.
        sigma: scalar or (B,) noise level of x_sigma.

    Returns:
        (B, ...) predicted x₀.
    """
    return x_sigma - _per_sample(sigma, x_sigma) * velocity


def predict_noise(x_sigma: torch.Tensor, velocity: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
    """The noise implied by a velocity: ε = x_σ + (1 − σ)·v.

    Args:
        x_sigma: noisy sample (B, ...).
        velocity: predicted v, same shape.
        sigma: scalar or (B,) noise level of x_sigma.

    Returns:
        (B, ...) predicted ε.
    """
    return x_sigma + (1 - _per_sample(sigma, x_sigma)) * velocity


def sample_training_sigmas(
    batch_size: int,
    *,
    distribution: Literal["logit_normal", "uniform"] = "logit_normal",
    logit_mean: float = 0.0,
    logit_std: float = 1.0,
    shift: float = 1.0,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Draw one training noise level per sample.

    "logit_normal" is SD3's choice (σ = sigmoid(n), n ~ N(mean, std)): it trains the middle
    of the path, where the velocity is hardest to predict, more often than the ends.
    The shift is then applied as at sampling time, so training sees the noise levels
    the sampler will visit.

    Args:
        batch_size: number of sigmas B.
        distribution: "logit_normal" or "uniform".
        logit_mean, logit_std: parameters of the normal in logit space ("logit_normal" only).
        shift: timestep shift, see `atelier.flow.sigmas.shift_sigmas`.
        generator: random generator for reproducibility.
        device: where the result lives.

    Returns:
        (B,) float32 sigmas in (0, 1).
    """
    if distribution == "logit_normal":
        normal = torch.randn(batch_size, generator=generator, device=device)
        sigmas = torch.sigmoid(logit_mean + logit_std * normal)
    elif distribution == "uniform":
        sigmas = torch.rand(batch_size, generator=generator, device=device)
    else:
        raise ValueError(f"unknown sigma distribution {distribution!r}; expected 'logit_normal' or 'uniform'")
    return shift_sigmas(sigmas, shift)


def sigma_to_timestep(sigma: torch.Tensor, scale: float) -> torch.Tensor:
    """Convert σ to the timestep a backbone expects; the one place where scales differ.

    diffusers' `FlowMatchEulerDiscreteScheduler` timesteps are σ·1000. `FluxTransformer2DModel`
    multiplies its `timestep` by 1000 itself, which is why the Flux pipelines pass
    `timestep=t / 1000`: for Flux use `scale=1` (timestep = σ). `SD3Transformer2DModel`
    takes the scheduler's timestep directly: use `scale=1000`.

    Args:
        sigma: (B,) noise levels in [0, 1].
        scale: the backbone's timestep value at σ = 1.

    Returns:
        (B,) timesteps.
    """
    return sigma * scale
