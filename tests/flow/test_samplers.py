import math

import numpy as np
import torch
from diffusers import FlowMatchEulerDiscreteScheduler

from atelier.flow.samplers import SamplerStep, sample_euler
from atelier.flow.sigmas import shifted_sigmas


def _nonlinear_velocity(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    # Depends on x and sigma non-trivially, so a wrong step size or sigma order shows.
    return torch.tanh(1.7 * x.flip(-1)) * sigma.view(-1, 1, 1, 1) + 0.3 * x - 0.2


def test_euler_matches_diffusers_flow_match_euler_scheduler():
    num_steps, shift = 7, 3.0
    noise = torch.randn(2, 4, 5, 5, generator=torch.Generator().manual_seed(0))

    scheduler = FlowMatchEulerDiscreteScheduler(shift=shift)
    scheduler.set_timesteps(sigmas=np.linspace(1.0, 1 / num_steps, num_steps))
    x = noise.clone()
    for timestep in scheduler.timesteps:
        sigma = (timestep / scheduler.config.num_train_timesteps).expand(x.shape[0])
        x = scheduler.step(_nonlinear_velocity(x, sigma), timestep, x).prev_sample

    ours = sample_euler(_nonlinear_velocity, noise.clone(), shifted_sigmas(num_steps, shift))
    torch.testing.assert_close(ours, x, atol=1e-5, rtol=0)


def test_euler_follows_the_closed_form_flow_to_gaussian_data():
    # For data x0 ~ N(m, s²) the marginal flow has a closed form:
    # x_σ = (1 − σ)·m + r(σ)·ε with r(σ) = sqrt(σ² + (1 − σ)²·s²), so noise ε ends at m + s·ε.
    mean, std = 2.0, 0.5

    def radius(sigma):
        return torch.sqrt(sigma**2 + (1 - sigma) ** 2 * std**2)

    def true_velocity(x, sigma):
        sigma = sigma.view(-1, 1)
        eps = (x - (1 - sigma) * mean) / radius(sigma)
        return -mean + (sigma - (1 - sigma) * std**2) / radius(sigma) * eps

    noise = torch.randn(64, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    result = sample_euler(true_velocity, noise, shifted_sigmas(1000, dtype=torch.float64))
    # Euler's first-order error at 1000 steps is about 3e-3 here.
    torch.testing.assert_close(result, mean + std * noise, atol=4e-3, rtol=0)


def test_euler_is_first_order_on_a_linear_field():
    # dx/dσ = λ·x from σ = 1 to 0 has x(0) = x(1)·exp(−λ); Euler's error halves as steps double.
    rate = 1.5
    start = torch.tensor([[1.0, -2.0]], dtype=torch.float64)
    exact = start * math.exp(-rate)
    errors = [
        (sample_euler(lambda x, s: rate * x, start, shifted_sigmas(n, dtype=torch.float64)) - exact).abs().max().item()
        for n in (50, 100, 200)
    ]
    assert errors[0] < 2e-2
    for coarse, fine in zip(errors, errors[1:], strict=False):
        assert 1.8 < coarse / fine < 2.2


def test_single_point_data_is_reached_in_one_step():
    # All paths to a single point are straight lines, so Euler is exact with any schedule.
    target = torch.tensor([[0.3, -0.7]])
    result = sample_euler(lambda x, s: (x - target) / s.view(-1, 1), torch.randn(5, 2), shifted_sigmas(1))
    torch.testing.assert_close(result, target.expand(5, 2))


def test_callback_sees_every_step_with_denoised_preview():
    steps: list[SamplerStep] = []
    target = torch.tensor([[0.3, -0.7]])
    sigmas = shifted_sigmas(3)
    sample_euler(lambda x, s: (x - target) / s.view(-1, 1), torch.randn(2, 2), sigmas, callback=steps.append)
    assert [step.index for step in steps] == [0, 1, 2]
    assert [step.sigma for step in steps] == sigmas[:-1].tolist()
    assert steps[-1].sigma_next == 0.0
    for step in steps:
        torch.testing.assert_close(step.denoised, target.expand(2, 2))


def test_model_fn_gets_one_sigma_per_sample():
    seen = []

    def model_fn(x, sigma):
        seen.append(sigma.clone())
        return torch.zeros_like(x)

    sample_euler(model_fn, torch.zeros(3, 2), shifted_sigmas(2))
    assert [tuple(s.shape) for s in seen] == [(3,), (3,)]
    assert torch.equal(seen[1], torch.full((3,), 0.5))
