import pytest
import torch

from atelier.flow.path import (
    interpolate,
    predict_noise,
    predict_x0,
    sample_training_sigmas,
    sigma_to_timestep,
    velocity_target,
)


def _pair(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(3, 4, 6, 6, generator=generator), torch.randn(3, 4, 6, 6, generator=generator)


def test_interpolation_endpoints_are_data_and_noise():
    x0, noise = _pair()
    assert torch.equal(interpolate(x0, noise, 0.0), x0)
    assert torch.equal(interpolate(x0, noise, 1.0), noise)


def test_per_sample_sigma_broadcasts_over_each_sample():
    x0, noise = _pair()
    x_sigma = interpolate(x0, noise, torch.tensor([0.0, 0.5, 1.0]))
    assert torch.equal(x_sigma[0], x0[0])
    torch.testing.assert_close(x_sigma[1], 0.5 * (x0[1] + noise[1]))
    assert torch.equal(x_sigma[2], noise[2])


def test_true_velocity_recovers_data_and_noise():
    x0, noise = _pair()
    sigma = torch.tensor([0.1, 0.6, 0.9])
    x_sigma = interpolate(x0, noise, sigma)
    velocity = velocity_target(x0, noise)
    torch.testing.assert_close(predict_x0(x_sigma, velocity, sigma), x0)
    torch.testing.assert_close(predict_noise(x_sigma, velocity, sigma), noise)


def test_velocity_is_the_path_derivative():
    x0, noise = _pair()
    step = 1e-3
    finite_difference = (interpolate(x0, noise, 0.4 + step) - interpolate(x0, noise, 0.4 - step)) / (2 * step)
    torch.testing.assert_close(finite_difference, velocity_target(x0, noise), atol=1e-3, rtol=1e-3)


def test_wrong_sigma_shape_is_a_clear_error():
    x0, noise = _pair()
    with pytest.raises(ValueError, match="sigma"):
        interpolate(x0, noise, torch.ones(2))


@pytest.mark.parametrize("distribution", ["logit_normal", "uniform"])
def test_training_sigmas_lie_in_the_unit_interval_and_are_reproducible(distribution):
    first = sample_training_sigmas(4096, distribution=distribution, generator=torch.Generator().manual_seed(1))
    again = sample_training_sigmas(4096, distribution=distribution, generator=torch.Generator().manual_seed(1))
    assert first.shape == (4096,)
    assert torch.equal(first, again)
    assert 0.0 < first.min() and first.max() < 1.0


def test_logit_normal_concentrates_in_the_middle_and_shift_moves_it_to_noise():
    generator = torch.Generator().manual_seed(2)
    plain = sample_training_sigmas(20000, generator=generator)
    uniform = sample_training_sigmas(20000, distribution="uniform", generator=generator)
    shifted = sample_training_sigmas(20000, shift=3.0, generator=generator)
    middle = lambda s: ((s > 0.25) & (s < 0.75)).float().mean()  # noqa: E731
    assert middle(plain) > middle(uniform) + 0.1
    assert abs(plain.median() - 0.5) < 0.02
    assert shifted.median() > 0.7  # 3·0.5 / (1 + 2·0.5) = 0.75


def test_unknown_distribution_is_rejected():
    with pytest.raises(ValueError, match="unknown sigma distribution"):
        sample_training_sigmas(2, distribution="beta")


def test_flux_takes_sigma_and_sd3_takes_thousandths():
    sigma = torch.tensor([0.25, 1.0])
    assert torch.equal(sigma_to_timestep(sigma, scale=1.0), sigma)
    assert torch.equal(sigma_to_timestep(sigma, scale=1000.0), torch.tensor([250.0, 1000.0]))
