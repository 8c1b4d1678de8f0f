import math

import numpy as np
import pytest
import torch
from diffusers import FlowMatchEulerDiscreteScheduler
from diffusers.pipelines.flux.pipeline_flux import calculate_shift

from atelier.flow.sigmas import flux_resolution_shift, sd3_resolution_shift, shift_sigmas, shifted_sigmas


@pytest.mark.parametrize("num_steps", [1, 4, 28])
@pytest.mark.parametrize("shift", [1.0, 3.0])
def test_shifted_sigmas_match_diffusers_scheduler(num_steps, shift):
    scheduler = FlowMatchEulerDiscreteScheduler(shift=shift)
    scheduler.set_timesteps(sigmas=np.linspace(1.0, 1 / num_steps, num_steps))
    ours = shifted_sigmas(num_steps, shift)
    assert ours.shape == (num_steps + 1,)
    torch.testing.assert_close(ours, scheduler.sigmas, atol=1e-6, rtol=0)


def test_schedule_runs_from_noise_to_exactly_zero_and_decreases():
    sigmas = shifted_sigmas(10, shift=3.0)
    assert sigmas[0] == 1.0 and sigmas[-1] == 0.0
    assert torch.all(sigmas[1:] < sigmas[:-1])


def test_shift_above_one_spends_more_steps_at_high_noise():
    assert torch.all(shifted_sigmas(8, 3.0)[1:-1] > shifted_sigmas(8, 1.0)[1:-1])


def test_flux_resolution_shift_matches_diffusers_dynamic_shifting():
    image_seq_len, num_steps = 1024, 6
    mu = calculate_shift(image_seq_len)
    assert math.isclose(flux_resolution_shift(image_seq_len), math.exp(mu))
    scheduler = FlowMatchEulerDiscreteScheduler(use_dynamic_shifting=True)
    scheduler.set_timesteps(sigmas=np.linspace(1.0, 1 / num_steps, num_steps), mu=mu)
    ours = shifted_sigmas(num_steps, flux_resolution_shift(image_seq_len))
    torch.testing.assert_close(ours, scheduler.sigmas, atol=1e-6, rtol=0)


def test_sd3_shift_grows_with_the_square_root_of_pixels():
    assert sd3_resolution_shift(256 * 256) == 1.0
    assert math.isclose(sd3_resolution_shift(1024 * 1024, base_shift=1.5), 6.0)


def test_non_positive_shift_and_zero_steps_are_rejected():
    with pytest.raises(ValueError, match="shift"):
        shift_sigmas(torch.ones(2), 0.0)
    with pytest.raises(ValueError, match="num_steps"):
        shifted_sigmas(0)
