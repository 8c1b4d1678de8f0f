"""LPIPS and DISTS over a pluggable backbone.

LPIPS (Zhang et al. 2018): unit-normalise each feature vector across channels, square the
difference, weight channels with non-negative linear weights (a 1×1 conv), average over space and
sum over stages. DISTS (Ding et al. 2020): per channel, a texture term comparing global means and
a structure term comparing global (co)variances, mixed with weights alpha and beta that sum to
one; the image itself counts as stage zero.

The backbone is anything with `forward_stages` and `stage_channels` (`Backbone`). By default it is
Atelier's own `FeatureNetwork`, and the metric is named `"lpips-atelier"` / `"dists-atelier"` so its
numbers are never mistaken for published ones; `LPIPS.from_official` rebuilds the published
VGG16/AlexNet LPIPS from local weight files and is the only way to get the name `"lpips"`.

Images are float tensors (N, 3, H, W) in [0, 1].
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import torch
from torch import nn
from torchmetrics import Metric

from atelier.eval.judges.feature_network import FeatureNetwork
from atelier.eval.metrics.lpips_backbones import LpipsImageNetBackbone, LpipsNet, detect_lpips_net
from atelier.eval.metrics.weight_files import read_state_dict

# Stabilisers of the published implementations.
LPIPS_EPS = 1e-10
DISTS_C1 = 1e-6
DISTS_C2 = 1e-6


@runtime_checkable
class Backbone(Protocol):
    """A multi-scale feature extractor for perceptual metrics."""

    stage_channels: Sequence[int]

    def forward_stages(self, images: torch.Tensor) -> list[torch.Tensor]:
        """(N, 3, H, W) in [0, 1] -> one (N, C_i, H_i, W_i) map per stage."""
        ...


def _unit_normalise_channels(features: torch.Tensor) -> torch.Tensor:
    norm = features.pow(2).sum(dim=1, keepdim=True).sqrt()
    return features / (norm + LPIPS_EPS)


def lpips_from_features(
    features_a: Sequence[torch.Tensor], features_b: Sequence[torch.Tensor], channel_weights: Sequence[torch.Tensor]
) -> torch.Tensor:
    """LPIPS distance from two lists of stage features.

    Args:
        features_a: per stage (N, C_i, H_i, W_i).
        features_b: per stage (N, C_i, H_i, W_i).
        channel_weights: per stage (C_i,) non-negative weights.

    Returns:
        (N,) distances, 0 for identical features.
    """
    distance = 0
    for a, b, weight in zip(features_a, features_b, channel_weights, strict=True):
        squared = (_unit_normalise_channels(a) - _unit_normalise_channels(b)) ** 2
        distance = distance + (squared * weight.view(1, -1, 1, 1)).sum(dim=1).mean(dim=(1, 2))
    return distance


def _uniform_lpips_weights(backbone: Backbone, device: torch.device | None = None) -> list[torch.Tensor]:
    # Weight 1 per channel: the "lin"-free LPIPS variant (a plain sum over channels).
    return [torch.ones(c, device=device) for c in backbone.stage_channels]


def lpips_per_sample(
    preds: torch.Tensor,
    target: torch.Tensor,
    backbone: Backbone,
    channel_weights: Sequence[torch.Tensor] | None = None,
) -> torch.Tensor:
    """LPIPS between each pair of images.

    Args:
        preds: (N, 3, H, W) in [0, 1].
        target: (N, 3, H, W) in [0, 1].
        backbone: the feature extractor.
        channel_weights: per stage (C_i,); uniform ones when omitted.

    Returns:
        (N,) distances.
    """
    weights = channel_weights if channel_weights is not None else _uniform_lpips_weights(backbone, preds.device)
    return lpips_from_features(backbone.forward_stages(preds), backbone.forward_stages(target), weights)


def dists_from_features(
    features_a: Sequence[torch.Tensor],
    features_b: Sequence[torch.Tensor],
    alpha: torch.Tensor,
    beta: torch.Tensor,
) -> torch.Tensor:
    """DISTS distance from two lists of stage features (stage zero is usually the image itself).

    Args:
        features_a: per stage (N, C_i, H_i, W_i).
        features_b: per stage (N, C_i, H_i, W_i).
        alpha: (sum C_i,) texture weights.
        beta: (sum C_i,) structure weights; alpha and beta are rescaled to sum to one together.

    Returns:
        (N,) distances in [0, 1] for non-negative features, 0 for identical features.
    """
    total = alpha.sum() + beta.sum()
    channels = [a.shape[1] for a in features_a]
    alphas = torch.split(alpha / total, channels)
    betas = torch.split(beta / total, channels)
    similarity = 0
    for a, b, alpha_i, beta_i in zip(features_a, features_b, alphas, betas, strict=True):
        mean_a = a.mean(dim=(2, 3))
        mean_b = b.mean(dim=(2, 3))
        texture = (2 * mean_a * mean_b + DISTS_C1) / (mean_a**2 + mean_b**2 + DISTS_C1)
        var_a = a.var(dim=(2, 3), unbiased=False)
        var_b = b.var(dim=(2, 3), unbiased=False)
        cov_ab = (a * b).mean(dim=(2, 3)) - mean_a * mean_b
        structure = (2 * cov_ab + DISTS_C2) / (var_a + var_b + DISTS_C2)
        similarity = similarity + (texture * alpha_i).sum(dim=1) + (structure * beta_i).sum(dim=1)
    return 1 - similarity


def _dists_stages(backbone: Backbone, images: torch.Tensor) -> list[torch.Tensor]:
    # Ding et al. include the image as the zeroth "feature" so the measure sees full resolution.
    return [images, *backbone.forward_stages(images)]


def dists_per_sample(
    preds: torch.Tensor,
    target: torch.Tensor,
    backbone: Backbone,
    alpha: torch.Tensor | None = None,
    beta: torch.Tensor | None = None,
) -> torch.Tensor:
    """DISTS between each pair of images.

    Args:
        preds: (N, 3, H, W) in [0, 1].
        target: (N, 3, H, W) in [0, 1].
        backbone: the feature extractor.
        alpha: (3 + sum stage_channels,) texture weights; uniform when omitted.
        beta: (3 + sum stage_channels,) structure weights; uniform when omitted.

    Returns:
        (N,) distances.
    """
    size = 3 + sum(backbone.stage_channels)
    alpha = alpha if alpha is not None else torch.ones(size, device=preds.device)
    beta = beta if beta is not None else torch.ones(size, device=preds.device)
    return dists_from_features(_dists_stages(backbone, preds), _dists_stages(backbone, target), alpha, beta)


class _PerceptualDistance(Metric):
    """Mean of a per-pair distance computed by a frozen backbone."""

    is_differentiable = True
    higher_is_better = False
    full_state_update = False

    def __init__(self, backbone: nn.Module, name: str, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(backbone, Backbone):
            raise TypeError("backbone must have `forward_stages(images)` and `stage_channels`")
        self.backbone = backbone.eval().requires_grad_(False)
        self.name = name
        self.add_state("distance_sum", default=torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("count", default=torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")

    def per_sample(self, preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """(N,) distance of each pair of (N, 3, H, W) images in [0, 1]."""
        raise NotImplementedError

    def update(self, preds: torch.Tensor, target: torch.Tensor) -> None:
        """Add a batch of pairs, preds and target (N, 3, H, W) in [0, 1]."""
        if preds.shape != target.shape or preds.ndim != 4 or preds.shape[1] != 3:
            raise ValueError(f"expected two (N, 3, H, W) batches, got {tuple(preds.shape)} and {tuple(target.shape)}")
        distances = self.per_sample(preds, target)
        self.distance_sum += distances.detach().double().sum()
        self.count += distances.numel()

    def compute(self) -> torch.Tensor:
        """The mean distance over every pair seen (a scalar float64 tensor)."""
        return self.distance_sum / self.count


class LPIPS(_PerceptualDistance):
    """Learned Perceptual Image Patch Similarity, lower is closer.

    Args:
        backbone: multi-scale feature extractor; a randomly initialised default `FeatureNetwork`
            when omitted (load a trained one with `FeatureNetwork.load`).
        channel_weights: per stage (C_i,) non-negative weights; uniform when omitted.
        name: the metric's report name; `"lpips-atelier"` unless set.
    """

    def __init__(
        self,
        backbone: Backbone | None = None,
        channel_weights: Sequence[torch.Tensor] | None = None,
        name: str = "lpips-atelier",
        **kwargs,
    ) -> None:
        backbone = backbone if backbone is not None else FeatureNetwork()
        super().__init__(backbone, name, **kwargs)
        weights = channel_weights if channel_weights is not None else _uniform_lpips_weights(backbone)
        if len(weights) != len(backbone.stage_channels):
            raise ValueError(f"need {len(backbone.stage_channels)} channel weight vectors, got {len(weights)}")
        for index, (weight, channels) in enumerate(zip(weights, backbone.stage_channels)):
            weight = torch.as_tensor(weight, dtype=torch.float32).reshape(-1)
            if weight.numel() != channels or (weight < 0).any():
                raise ValueError(f"stage {index}: weights must be {channels} non-negative values")
            self.register_buffer(f"channel_weight_{index}", weight)

    @property
    def channel_weights(self) -> list[torch.Tensor]:
        """Per stage (C_i,) weights."""
        return [getattr(self, f"channel_weight_{i}") for i in range(len(self.backbone.stage_channels))]

    def per_sample(self, preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """(N,) LPIPS of each pair of (N, 3, H, W) images in [0, 1]."""
        return lpips_per_sample(preds, target, self.backbone, self.channel_weights)

    @classmethod
    def from_official(
        cls, backbone_weights_path: str | Path, linear_weights_path: str | Path, net: LpipsNet | None = None, **kwargs
    ) -> LPIPS:
        """The published LPIPS (v0.1) from local files.

        Args:
            backbone_weights_path: torchvision-layout VGG16 or AlexNet ImageNet weights
                (`features.<i>.weight` keys; `.pth` or `.safetensors`).
            linear_weights_path: the LPIPS heads (`lin<i>.model.1.weight`, shape (1, C_i, 1, 1)),
                e.g. `lpips/weights/v0.1/vgg.pth`.
            net: "vgg" or "alex"; detected from the backbone weights when omitted.

        Returns:
            an `LPIPS` named `"lpips"`.
        """
        backbone_state = read_state_dict(backbone_weights_path)
        backbone = LpipsImageNetBackbone(net or detect_lpips_net(backbone_state))
        backbone.load_imagenet_state_dict(backbone_state)
        weights = _read_lpips_heads(linear_weights_path, len(backbone.stage_channels))
        return cls(backbone=backbone, channel_weights=weights, name="lpips", **kwargs)


def _read_lpips_heads(path: str | Path, stages: int) -> list[torch.Tensor]:
    by_stage: dict[int, torch.Tensor] = {}
    for key, value in read_state_dict(path).items():
        match = re.fullmatch(r"(?:.*\.)?lin(\d+)\.(?:model\.1\.)?weight", key)
        if match:
            by_stage[int(match.group(1))] = value.reshape(-1)
    if sorted(by_stage) != list(range(stages)):
        raise ValueError(f"{path}: expected LPIPS heads lin0..lin{stages - 1}, found {sorted(by_stage)}")
    return [by_stage[i] for i in range(stages)]


class DISTS(_PerceptualDistance):
    """Deep Image Structure and Texture Similarity distance, lower is closer.

    Args:
        backbone: multi-scale feature extractor; a randomly initialised default `FeatureNetwork`
            when omitted.
        alpha: (3 + sum stage_channels,) texture weights; uniform when omitted.
        beta: (3 + sum stage_channels,) structure weights; uniform when omitted.
        name: the metric's report name; `"dists-atelier"` unless set.
    """

    def __init__(
        self,
        backbone: Backbone | None = None,
        alpha: torch.Tensor | None = None,
        beta: torch.Tensor | None = None,
        name: str = "dists-atelier",
        **kwargs,
    ) -> None:
        backbone = backbone if backbone is not None else FeatureNetwork()
        super().__init__(backbone, name, **kwargs)
        size = 3 + sum(backbone.stage_channels)
        for label, weight in (("alpha", alpha), ("beta", beta)):
            weight = torch.ones(size) if weight is None else torch.as_tensor(weight, dtype=torch.float32).reshape(-1)
            if weight.numel() != size or (weight < 0).any():
                raise ValueError(f"{label} must be {size} non-negative values")
            self.register_buffer(label, weight)

    def per_sample(self, preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """(N,) DISTS of each pair of (N, 3, H, W) images in [0, 1]."""
        return dists_per_sample(preds, target, self.backbone, self.alpha, self.beta)
