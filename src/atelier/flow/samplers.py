"""ODE samplers as plain functions of (model_fn, x, sigmas).

A sampler never sees a model class: `model_fn(x, sigma) -> v` is any callable returning the
velocity v = ε − x₀ at (B,) noise levels sigma. Guidance, conditioning and the backbone are
closed over by whoever builds model_fn (see `atelier.flow.guidance`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from atelier.flow.path import predict_x0

ModelFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class SamplerStep:
    """What a sampler reports after each step.

    Attributes:
        index: step number, 0-based.
        sigma: noise level the velocity was evaluated at.
        sigma_next: noise level of `x`.
        x: the sample after the step (B, ...).
        denoised: x₀ predicted at `sigma` (B, ...), useful for previews.
    """

    index: int
    sigma: float
    sigma_next: float
    x: torch.Tensor
    denoised: torch.Tensor


@torch.no_grad()
def sample_euler(
    model_fn: ModelFn,
    x: torch.Tensor,
    sigmas: torch.Tensor,
    *,
    callback: Callable[[SamplerStep], None] | None = None,
) -> torch.Tensor:
    """Integrate the flow ODE dx/dσ = v(x, σ) with Euler steps along `sigmas`.

    On a straight rectified-flow path one Euler step from σ to σ' is
    x' = x + (σ' − σ)·v, the same update as diffusers' `FlowMatchEulerDiscreteScheduler.step`.

    Args:
        model_fn: (x (B, ...), sigma (B,)) -> velocity (B, ...).
        x: starting sample at sigmas[0], usually pure noise (B, ...).
        sigmas: (N + 1,) decreasing noise levels; the last is normally 0.
        callback: called with a `SamplerStep` after every step.

    Returns:
        The sample at sigmas[-1] (x₀ when the schedule ends at 0), shape of x.
    """
    if sigmas.ndim != 1 or sigmas.numel() < 2:
        raise ValueError(f"sigmas must be a 1-D schedule of at least 2 values, got shape {tuple(sigmas.shape)}")
    batch_size = x.shape[0]
    sigmas = sigmas.to(device=x.device, dtype=x.dtype)
    for index in range(sigmas.numel() - 1):
        sigma, sigma_next = sigmas[index], sigmas[index + 1]
        velocity = model_fn(x, sigma.expand(batch_size))
        if callback is not None:
            denoised = predict_x0(x, velocity, sigma)
        x = x + (sigma_next - sigma) * velocity
        if callback is not None:
            callback(SamplerStep(index, float(sigma), float(sigma_next), x, denoised))
    return x
