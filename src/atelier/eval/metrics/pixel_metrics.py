"""Pixel-level fidelity: SSIM and PSNR, per sample (optionally masked) and as torchmetrics metrics.

SSIM follows `skimage.metrics.structural_similarity(a, b, channel_axis=..., data_range=1.0)`, the
convention try-on papers report: a 7×7 uniform window, sample covariance (N/(N−1)), K1=0.01,
K2=0.03, and the mean taken over the map with a 3-pixel border cropped (skimage drops the border
where the window would leave the image). torchmetrics' SSIM cannot reproduce that number even
with `gaussian_kernel=False`: it uses population covariance, reflect-pads the input and averages
over the padded border. So the uniform-window formula is written out here; PSNR comes from
torchmetrics directly.

Images are float tensors (N, 3, H, W) in [0, 1]; masks are bool tensors (N, 1, H, W).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchmetrics import Metric
from torchmetrics.functional.image import peak_signal_noise_ratio

SSIM_WINDOW = 7
SSIM_K1 = 0.01
SSIM_K2 = 0.03


def _check_pair(a: torch.Tensor, b: torch.Tensor) -> None:
    if a.shape != b.shape:
        raise ValueError(f"image shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}")
    if a.ndim != 4:
        raise ValueError(f"expected images of shape (N, C, H, W), got {tuple(a.shape)}")


def _check_mask(mask: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
    n, _, h, w = images.shape
    if mask.shape != (n, 1, h, w):
        raise ValueError(f"mask must have shape {(n, 1, h, w)}, got {tuple(mask.shape)}")
    return mask.to(dtype=torch.bool, device=images.device)


def ssim_map(a: torch.Tensor, b: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """The SSIM map over every position where the 7×7 window fits inside the image.

    Args:
        a: images (N, C, H, W).
        b: images (N, C, H, W).
        data_range: value range of the images (1.0 for [0, 1]).

    Returns:
        (N, C, H - 6, W - 6) float64 map; equals skimage's full map with its border cropped.
    """
    _check_pair(a, b)
    if min(a.shape[-2:]) < SSIM_WINDOW:
        raise ValueError(f"SSIM needs images of at least {SSIM_WINDOW}×{SSIM_WINDOW}, got {tuple(a.shape[-2:])}")
    # float64 because the variances are differences of nearly equal window means.
    a64, b64 = a.double(), b.double()

    def window_mean(x: torch.Tensor) -> torch.Tensor:
        # An unpadded 7×7 mean gives exactly the positions skimage keeps after cropping; average
        # pooling computes it an order of magnitude faster than the equivalent grouped convolution.
        return F.avg_pool2d(x, SSIM_WINDOW, stride=1)

    mean_a, mean_b = window_mean(a64), window_mean(b64)
    sample_correction = SSIM_WINDOW**2 / (SSIM_WINDOW**2 - 1)
    var_a = sample_correction * (window_mean(a64 * a64) - mean_a * mean_a)
    var_b = sample_correction * (window_mean(b64 * b64) - mean_b * mean_b)
    cov_ab = sample_correction * (window_mean(a64 * b64) - mean_a * mean_b)
    c1 = (SSIM_K1 * data_range) ** 2
    c2 = (SSIM_K2 * data_range) ** 2
    numerator = (2 * mean_a * mean_b + c1) * (2 * cov_ab + c2)
    denominator = (mean_a**2 + mean_b**2 + c1) * (var_a + var_b + c2)
    return numerator / denominator


def ssim_per_sample(
    a: torch.Tensor, b: torch.Tensor, mask: torch.Tensor | None = None, data_range: float = 1.0
) -> torch.Tensor:
    """SSIM of each image pair, optionally averaged only over a region.

    Args:
        a: images (N, C, H, W).
        b: images (N, C, H, W).
        mask: optional bool (N, 1, H, W); the SSIM map is averaged where it is True (border
            positions the window cannot reach are left out as in the unmasked score). A sample
            whose mask covers none of those positions scores NaN.
        data_range: value range of the images.

    Returns:
        (N,) SSIM values in the dtype of `a`.
    """
    scores = ssim_map(a, b, data_range)
    if mask is None:
        return scores.mean(dim=(1, 2, 3)).to(a.dtype)
    pad = SSIM_WINDOW // 2
    region = _check_mask(mask, a)[..., pad:-pad, pad:-pad].double()
    weight = region.sum(dim=(1, 2, 3)) * scores.shape[1]
    return ((scores * region).sum(dim=(1, 2, 3)) / weight).to(a.dtype)


def psnr_per_sample(
    a: torch.Tensor, b: torch.Tensor, mask: torch.Tensor | None = None, data_range: float = 1.0
) -> torch.Tensor:
    """PSNR of each image pair in dB, optionally over a region only.

    Args:
        a: images (N, C, H, W).
        b: images (N, C, H, W).
        mask: optional bool (N, 1, H, W); the squared error is averaged where it is True.
        data_range: value range of the images.

    Returns:
        (N,) PSNR values; identical images give +inf, an empty mask gives NaN.
    """
    _check_pair(a, b)
    if mask is None:
        return peak_signal_noise_ratio(a, b, data_range=data_range, reduction="none", dim=(1, 2, 3))
    region = _check_mask(mask, a).to(a.dtype)
    squared_error = ((a - b) ** 2 * region).sum(dim=(1, 2, 3))
    mse = squared_error / (region.sum(dim=(1, 2, 3)) * a.shape[1])
    return 10 * torch.log10(data_range**2 / mse)


class _MeanOfPerSampleScores(Metric):
    """Mean of a per-sample score; the sum and count are the synced sufficient statistics."""

    is_differentiable = False
    full_state_update = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.add_state("score_sum", default=torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("count", default=torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")

    def _scores(self, preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def update(self, preds: torch.Tensor, target: torch.Tensor) -> None:
        """Add a batch of pairs, preds and target (N, 3, H, W) in [0, 1]."""
        scores = self._scores(preds, target)
        self.score_sum += scores.double().sum()
        self.count += scores.numel()

    def compute(self) -> torch.Tensor:
        """The mean score over every pair seen (a scalar float64 tensor)."""
        return self.score_sum / self.count


class SSIM(_MeanOfPerSampleScores):
    """Mean per-image SSIM (skimage convention), `higher_is_better`."""

    higher_is_better = True
    name = "ssim"

    def _scores(self, preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return ssim_per_sample(preds, target)


class PSNR(_MeanOfPerSampleScores):
    """Mean per-image PSNR in dB (the average of per-image values, as try-on papers report)."""

    higher_is_better = True
    name = "psnr"

    def _scores(self, preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return psnr_per_sample(preds, target)
