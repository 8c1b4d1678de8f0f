"""SSIM and PSNR against scikit-image and closed forms."""

import math

import numpy as np
import pytest
import torch
from skimage.metrics import peak_signal_noise_ratio as skimage_psnr
from skimage.metrics import structural_similarity

from atelier.eval.metrics.pixel_metrics import PSNR, SSIM, psnr_per_sample, ssim_per_sample


def _skimage_ssim(a: torch.Tensor, b: torch.Tensor) -> list[float]:
    return [
        structural_similarity(x.double().numpy(), y.double().numpy(), channel_axis=0, data_range=1.0)
        for x, y in zip(a, b)
    ]


def _smooth_images(generator: torch.Generator, n: int, size: int) -> torch.Tensor:
    low = torch.rand(n, 3, 5, 5, generator=generator)
    return torch.nn.functional.interpolate(low, size=(size, size), mode="bicubic", align_corners=False).clamp(0, 1)


@pytest.mark.parametrize("kind", ["random", "smooth"])
def test_ssim_matches_skimage(kind):
    generator = torch.Generator().manual_seed(0)
    if kind == "random":
        a = torch.rand(3, 3, 24, 31, generator=generator)
        b = (a + 0.2 * torch.randn(a.shape, generator=generator)).clamp(0, 1)
    else:
        a = _smooth_images(generator, 3, 32)
        b = (a + 0.05 * _smooth_images(generator, 3, 32) - 0.025).clamp(0, 1)
    ours = ssim_per_sample(a, b).double().numpy()
    np.testing.assert_allclose(ours, _skimage_ssim(a, b), atol=1e-6)  # float64 inside: far inside the 1e-4 required


def test_ssim_identical_is_one_and_metric_averages_batches():
    generator = torch.Generator().manual_seed(1)
    a = torch.rand(4, 3, 16, 16, generator=generator)
    b = torch.rand(4, 3, 16, 16, generator=generator)
    assert torch.allclose(ssim_per_sample(a, a), torch.ones(4))
    metric = SSIM()
    metric.update(a[:1], b[:1])
    metric.update(a[1:], b[1:])
    assert metric.compute().item() == pytest.approx(float(np.mean(_skimage_ssim(a, b))), abs=1e-4)
    metric.reset()
    metric.update(a, a)
    assert metric.compute().item() == pytest.approx(1.0)


def test_masked_ssim_averages_the_map_over_the_region():
    generator = torch.Generator().manual_seed(2)
    a = torch.rand(2, 3, 20, 20, generator=generator)
    b = a.clone()
    b[:, :, :, 10:] = torch.rand(2, 3, 20, 10, generator=generator)  # only the right half differs
    left = torch.zeros(2, 1, 20, 20, dtype=torch.bool)
    left[..., :4] = True  # windows here never reach the changed columns
    assert torch.allclose(ssim_per_sample(a, b, mask=left), torch.ones(2), atol=1e-6)
    everywhere = torch.ones(2, 1, 20, 20, dtype=torch.bool)
    assert torch.allclose(ssim_per_sample(a, b, mask=everywhere), ssim_per_sample(a, b), atol=1e-6)
    right = torch.zeros_like(left)
    right[..., 12:] = True
    assert (ssim_per_sample(a, b, mask=right) < 0.5).all()


def test_psnr_matches_skimage_and_closed_form():
    generator = torch.Generator().manual_seed(3)
    a = torch.rand(3, 3, 16, 16, generator=generator)
    b = (a + 0.1 * torch.randn(a.shape, generator=generator)).clamp(0, 1)
    expected = [skimage_psnr(x.double().numpy(), y.double().numpy(), data_range=1.0) for x, y in zip(a, b)]
    np.testing.assert_allclose(psnr_per_sample(a, b).numpy(), expected, rtol=1e-5)
    constant_error = torch.full_like(a, 0.5), torch.full_like(a, 0.6)
    assert psnr_per_sample(*constant_error)[0].item() == pytest.approx(20.0, rel=1e-5)  # mse 0.01
    metric = PSNR()
    metric.update(a[:2], b[:2])
    metric.update(a[2:], b[2:])
    assert metric.compute().item() == pytest.approx(float(np.mean(expected)), rel=1e-5)


def test_masked_psnr_uses_only_the_region():
    a = torch.zeros(1, 3, 8, 8)
    b = torch.zeros(1, 3, 8, 8)
    b[..., :4] = 0.1  # left half has error 0.1, right half none
    left = torch.zeros(1, 1, 8, 8, dtype=torch.bool)
    left[..., :4] = True
    assert psnr_per_sample(a, b, mask=left).item() == pytest.approx(20.0, rel=1e-5)
    assert math.isinf(psnr_per_sample(a, b, mask=~left).item())


def test_shape_errors_are_clear():
    with pytest.raises(ValueError, match="shapes differ"):
        ssim_per_sample(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 9, 8))
    with pytest.raises(ValueError, match="at least 7"):
        ssim_per_sample(torch.rand(1, 3, 6, 8), torch.rand(1, 3, 6, 8))
    with pytest.raises(ValueError, match="mask"):
        psnr_per_sample(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8), mask=torch.ones(1, 3, 8, 8, dtype=torch.bool))
