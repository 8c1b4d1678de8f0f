"""Sigma schedules for sampling: pure functions returning (num_steps + 1,) tensors ending at 0.

Sigma follows diffusers' convention: σ = 1 is pure noise, σ = 0 is data. A schedule is just a
decreasing list of sigmas; a sampler walks it, so a distilled few-step student is only a
shorter list.
"""

from __future__ import annotations

import math

import torch


def shift_sigmas(sigmas: torch.Tensor, shift: float) -> torch.Tensor:
    """Warp sigmas towards the noisy end: σ' = s·σ / (1 + (s − 1)·σ).

    This is the SD3 timestep shift. It keeps 0 and 1 fixed; shift > 1 spends more of the
    schedule at high noise, which larger images (more tokens, more redundancy) need.
    FLUX's "exponential" resolution shift with μ is the same map with s = exp(μ).

    Args:
        sigmas: any shape, values in [0, 1].
        shift: s > 0; 1 leaves sigmas unchanged.

    Returns:
        Shifted sigmas, same shape and dtype.
    """
    if shift <= 0:
        raise ValueError(f"shift must be positive, got {shift}")
    return shift * sigmas / (1 + (shift - 1) * sigmas)


def shifted_sigmas(num_steps: int, shift: float = 1.0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Evenly spaced sigmas from 1 to 0, shifted.

    Equal to what diffusers' Flux/SD3 pipelines feed `FlowMatchEulerDiscreteScheduler`
    (`linspace(1, 1/N, N)`, shifted by the scheduler, then a final 0 appended).

    Args:
        num_steps: number of solver steps N ≥ 1.
        shift: timestep shift, see `shift_sigmas`.
        dtype: dtype of the result (computed in float64 first).

    Returns:
        (N + 1,) decreasing sigmas, first 1, last exactly 0.
    """
    if num_steps < 1:
        raise ValueError(f"num_steps must be at least 1, got {num_steps}")
    sigmas = torch.linspace(1.0, 0.0, num_steps + 1, dtype=torch.float64)
    return shift_sigmas(sigmas, shift).to(dtype)


def flux_resolution_shift(
    image_seq_len: int,
    base_seq_len: int = 256,
    max_seq_len: int = 4096,
    base_shift: float = 0.5,
    max_shift: float = 1.15,
) -> float:
    """FLUX's resolution-dependent shift, as a shift factor for `shifted_sigmas`.

    FLUX interpolates μ linearly in the number of image tokens between (base_seq_len,
    base_shift) and (max_seq_len, max_shift) and shifts by exp(μ); diffusers calls μ `mu`
    (`calculate_shift` in the Flux pipelines).

    Args:
        image_seq_len: number of target image tokens (after patch packing).
        base_seq_len, max_seq_len, base_shift, max_shift: the line's two end points.

    Returns:
        The shift factor exp(μ).
    """
    slope = (max_shift - base_shift) / (max_seq_len - base_seq_len)
    mu = base_shift + slope * (image_seq_len - base_seq_len)
    return math.exp(mu)


def sd3_resolution_shift(num_pixels: int, base_num_pixels: int = 256 * 256, base_shift: float = 1.0) -> float:
    """SD3's resolution-dependent shift: scale the shift by sqrt(pixels / base pixels).

    The SD3 paper derives that keeping the signal-to-noise ratio per image the same at n times
    more pixels needs σ shifted by sqrt(n) (section 5.3.2). `base_shift` is the shift that
    suits `base_num_pixels`.

    Args:
        num_pixels: height × width of the generated image (pixels or latents, consistently).
        base_num_pixels: resolution the base shift was chosen for.
        base_shift: shift at the base resolution.

    Returns:
        The shift factor.
    """
    return base_shift * math.sqrt(num_pixels / base_num_pixels)
