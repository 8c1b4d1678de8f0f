"""FID and KID between generated and real image sets, over a pluggable feature extractor.

The extractor is any callable (N, 3, H, W) in [0, 1] -> (N, D). By default it is Atelier's own
`FeatureNetwork` and the scores are named `"fid-atelier"` / `"kid-atelier"`; `FID.from_inception`
loads the published Inception weights from a local file and is the only way to get `"fid"`.
FID keeps sufficient statistics (count, sum, sum of outer products, in float64), so it syncs across
processes by summation and real-set statistics can come from `RealStatisticsCache`.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from pathlib import Path

import numpy as np
import torch
from torchmetrics import Metric

from atelier.eval.judges.feature_network import FeatureNetwork
from atelier.eval.metrics.feature_statistics import FeatureStatistics
from atelier.eval.metrics.fid_inception import InceptionV3FID

__all__ = ["FID", "KID", "InceptionV3FID", "frechet_distance", "polynomial_kernel_mmd"]

Extractor = Callable[[torch.Tensor], torch.Tensor]


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """Fréchet distance between two Gaussians, in float64.

    ‖mu1 − mu2‖² + Tr(sigma1 + sigma2 − 2 (sigma1 sigma2)^½). The trace of the matrix square root
    is taken as Σ √λ of sigma1^½ sigma2 sigma1^½, a symmetric PSD matrix with the same eigenvalues
    as sigma1 sigma2; symmetric eigensolvers keep it real and stable where `scipy.linalg.sqrtm` of
    the non-symmetric product can return complex noise.

    Args:
        mu1: (D,) mean.
        sigma1: (D, D) covariance.
        mu2: (D,) mean.
        sigma2: (D, D) covariance.

    Returns:
        the distance (non-negative up to rounding).
    """
    mu1, mu2 = np.asarray(mu1, dtype=np.float64), np.asarray(mu2, dtype=np.float64)
    sigma1, sigma2 = np.asarray(sigma1, dtype=np.float64), np.asarray(sigma2, dtype=np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != (mu1.size, mu1.size):
        raise ValueError(f"shape mismatch: mu {mu1.shape}/{mu2.shape}, sigma {sigma1.shape}/{sigma2.shape}")
    eigenvalues, eigenvectors = np.linalg.eigh((sigma1 + sigma1.T) / 2)
    sqrt_sigma1 = (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T
    middle = sqrt_sigma1 @ sigma2 @ sqrt_sigma1
    trace_sqrt_product = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    difference = mu1 - mu2
    return float(difference @ difference + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt_product)


def polynomial_kernel_mmd(
    x: torch.Tensor, y: torch.Tensor, degree: int = 3, gamma: float | None = None, coef: float = 1.0
) -> torch.Tensor:
    """Unbiased MMD² with the kernel k(a, b) = (gamma aᵀb + coef)^degree (KID's estimator).

    Args:
        x: (m, D) features.
        y: (m, D) features (same m).
        degree: polynomial degree.
        gamma: scale; 1 / D when omitted.
        coef: offset.

    Returns:
        scalar MMD² estimate.
    """
    m = x.shape[0]
    gamma = gamma if gamma is not None else 1.0 / x.shape[1]
    k_xx = (gamma * x @ x.T + coef) ** degree
    k_yy = (gamma * y @ y.T + coef) ** degree
    k_xy = (gamma * x @ y.T + coef) ** degree
    # Unbiased: the diagonal terms k(x_i, x_i) are left out of the within-set averages.
    within = (k_xx.sum() - k_xx.diagonal().sum() + k_yy.sum() - k_yy.diagonal().sum()) / (m * (m - 1))
    return within - 2 * k_xy.sum() / (m * m)


def _extractor_feature_dim(extractor: Extractor, feature_dim: int | None) -> int:
    if feature_dim is not None:
        return feature_dim
    if hasattr(extractor, "feature_dim"):
        return int(extractor.feature_dim)
    raise ValueError("the extractor has no `feature_dim` attribute; pass feature_dim=D")


class _ExtractorMetric(Metric):
    """Holds the frozen extractor and turns image batches into float64 features."""

    higher_is_better = False
    is_differentiable = False
    full_state_update = False

    def __init__(
        self, extractor: Extractor | None, extractor_name: str | None, kind: str, name: str | None, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        extractor = extractor if extractor is not None else FeatureNetwork()
        owner = extractor if isinstance(extractor, torch.nn.Module) else getattr(extractor, "__self__", None)
        if isinstance(owner, torch.nn.Module):
            owner.eval().requires_grad_(False)
            if owner is not extractor:
                self.extractor_network = owner  # registered so `.to(device)` moves a bound method's network
        self.extractor = extractor
        self.extractor_name = extractor_name or getattr(owner, "name", None) or type(extractor).__name__
        self.name = name or f"{kind}-{self.extractor_name}"

    def extract(self, images: torch.Tensor) -> torch.Tensor:
        """(N, 3, H, W) in [0, 1] -> (N, D) float64 features."""
        if images.ndim != 4 or images.shape[1] != 3:
            raise ValueError(f"expected images (N, 3, H, W), got {tuple(images.shape)}")
        with torch.no_grad():
            return self.extractor(images).double()


class FID(_ExtractorMetric):
    """Fréchet distance between feature Gaussians of real and generated images.

    Args:
        extractor: (N, 3, H, W) -> (N, D); a randomly initialised `FeatureNetwork` when omitted
            (load a trained one with `FeatureNetwork.load`).
        feature_dim: D; read from `extractor.feature_dim` when omitted.
        extractor_name: keys cache entries and names the score; `extractor.name` when omitted
            (`"atelier"` for a `FeatureNetwork`).
        name: the report name; `"fid-<extractor_name>"` unless set.
        reset_real_features: when False, `reset()` keeps the real statistics (one real set,
            many generated ones).
    """

    def __init__(
        self,
        extractor: Extractor | None = None,
        feature_dim: int | None = None,
        extractor_name: str | None = None,
        name: str | None = None,
        reset_real_features: bool = True,
        **kwargs,
    ) -> None:
        super().__init__(extractor, extractor_name, "fid", name, **kwargs)
        self.reset_real_features = reset_real_features
        dim = _extractor_feature_dim(self.extractor, feature_dim)
        for side in ("real", "fake"):
            self.add_state(f"{side}_sum", torch.zeros(dim, dtype=torch.float64), dist_reduce_fx="sum")
            self.add_state(f"{side}_outer_sum", torch.zeros(dim, dim, dtype=torch.float64), dist_reduce_fx="sum")
            self.add_state(f"{side}_count", torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")

    @classmethod
    def from_inception(cls, weights_path: str | Path, **kwargs) -> FID:
        """The published FID: pytorch-fid's Inception weights from a local file, named `"fid"`."""
        return cls(InceptionV3FID.from_file(weights_path), name="fid", **kwargs)

    def update(self, images: torch.Tensor | None, real: bool, features: torch.Tensor | None = None) -> None:
        """Add a batch to the real or the generated set.

        Args:
            images: (N, 3, H, W) in [0, 1], or None when `features` are given.
            real: whether the batch belongs to the real set.
            features: precomputed (N, D) features instead of images.
        """
        features = self.extract(images) if features is None else features.double()
        side = "real" if real else "fake"
        setattr(self, f"{side}_sum", getattr(self, f"{side}_sum") + features.sum(dim=0))
        setattr(self, f"{side}_outer_sum", getattr(self, f"{side}_outer_sum") + features.T @ features)
        setattr(self, f"{side}_count", getattr(self, f"{side}_count") + features.shape[0])

    def statistics(self, real: bool) -> FeatureStatistics:
        """The accumulated statistics of the real or generated set (for `RealStatisticsCache`)."""
        side = "real" if real else "fake"
        return FeatureStatistics(
            getattr(self, f"{side}_sum").cpu().numpy(),
            getattr(self, f"{side}_outer_sum").cpu().numpy(),
            int(getattr(self, f"{side}_count")),
        )

    def set_real_statistics(self, statistics: FeatureStatistics) -> None:
        """Replace the real set by cached statistics."""
        device = self.real_sum.device
        self.real_sum = torch.as_tensor(statistics.feature_sum, dtype=torch.float64, device=device)
        self.real_outer_sum = torch.as_tensor(statistics.outer_sum, dtype=torch.float64, device=device)
        self.real_count = torch.tensor(statistics.count, dtype=torch.long, device=device)

    def compute(self) -> torch.Tensor:
        """FID between everything seen (a scalar float64 tensor)."""
        real, fake = self.statistics(real=True), self.statistics(real=False)
        if real.count < 2 or fake.count < 2:
            raise RuntimeError(f"FID needs at least 2 real and 2 generated images, got {real.count} and {fake.count}")
        distance = frechet_distance(real.mean, real.covariance, fake.mean, fake.covariance)
        return torch.tensor(distance, dtype=torch.float64)

    def reset(self) -> None:
        """Clear the generated set, and the real one unless `reset_real_features` is False."""
        if self.reset_real_features:
            super().reset()
            return
        kept = {state: deepcopy(getattr(self, state)) for state in ("real_sum", "real_outer_sum", "real_count")}
        super().reset()
        for state, value in kept.items():
            setattr(self, state, value)


class KID(_ExtractorMetric):
    """Kernel Inception Distance: unbiased polynomial-kernel MMD² averaged over random subsets.

    Args:
        extractor: (N, 3, H, W) -> (N, D); a randomly initialised `FeatureNetwork` when omitted.
        extractor_name: names the score; `extractor.name` when omitted.
        name: the report name; `"kid-<extractor_name>"` unless set.
        subsets: number of random subsets.
        subset_size: features per subset, capped at the smaller set's size (as clean-fid does).
        degree, gamma, coef: the polynomial kernel (gamma = 1 / D when omitted).
        seed: seeds subset sampling so a score is reproducible.
        reset_real_features: when False, `reset()` keeps the real features.
    """

    def __init__(
        self,
        extractor: Extractor | None = None,
        extractor_name: str | None = None,
        name: str | None = None,
        subsets: int = 100,
        subset_size: int = 1000,
        degree: int = 3,
        gamma: float | None = None,
        coef: float = 1.0,
        seed: int = 0,
        reset_real_features: bool = True,
        **kwargs,
    ) -> None:
        super().__init__(extractor, extractor_name, "kid", name, **kwargs)
        self.subsets, self.subset_size = subsets, subset_size
        self.degree, self.gamma, self.coef, self.seed = degree, gamma, coef, seed
        self.reset_real_features = reset_real_features
        # KID has no finite sufficient statistics: the features themselves are gathered.
        self.add_state("real_features", [], dist_reduce_fx="cat")
        self.add_state("fake_features", [], dist_reduce_fx="cat")

    @classmethod
    def from_inception(cls, weights_path: str | Path, **kwargs) -> KID:
        """The published KID: pytorch-fid's Inception weights from a local file, named `"kid"`."""
        return cls(InceptionV3FID.from_file(weights_path), name="kid", **kwargs)

    def update(self, images: torch.Tensor | None, real: bool, features: torch.Tensor | None = None) -> None:
        """Add a batch to the real or the generated set.

        Args:
            images: (N, 3, H, W) in [0, 1], or None when `features` are given.
            real: whether the batch belongs to the real set.
            features: precomputed (N, D) features instead of images.
        """
        features = self.extract(images) if features is None else features.double()
        (self.real_features if real else self.fake_features).append(features)

    def compute(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(mean, std) of MMD² over the subsets (scalar float64 tensors)."""
        real = _concatenated(self.real_features)
        fake = _concatenated(self.fake_features)
        size = min(self.subset_size, real.shape[0], fake.shape[0])
        if size < 2:
            raise RuntimeError(
                f"KID needs at least 2 real and 2 generated images, got {real.shape[0]} and {fake.shape[0]}"
            )
        generator = torch.Generator().manual_seed(self.seed)
        estimates = []
        for _ in range(self.subsets):
            real_subset = real[torch.randperm(real.shape[0], generator=generator)[:size].to(real.device)]
            fake_subset = fake[torch.randperm(fake.shape[0], generator=generator)[:size].to(fake.device)]
            estimates.append(polynomial_kernel_mmd(real_subset, fake_subset, self.degree, self.gamma, self.coef))
        estimates = torch.stack(estimates)
        return estimates.mean(), estimates.std(unbiased=False)

    def reset(self) -> None:
        """Clear the generated set, and the real one unless `reset_real_features` is False."""
        kept = list(self.real_features) if not self.reset_real_features else []
        super().reset()
        self.real_features = kept


def _concatenated(features: list[torch.Tensor] | torch.Tensor) -> torch.Tensor:
    # After a distributed sync a list state arrives already concatenated.
    return torch.cat(features) if isinstance(features, list) else features
