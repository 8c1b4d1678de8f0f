"""Atelier's own feature network: the backbone of the `-atelier` perceptual and distribution metrics.

Production LPIPS/FID use ImageNet-trained VGG/Inception weights that cannot be downloaded here, so
Atelier measures with a small CNN of its own (trained elsewhere on rendered world images). It gives
multi-scale feature maps (`forward_stages`, for LPIPS/DISTS) and a pooled, L2-normalised embedding
(`embed`, for FID/KID/image similarity). A saved network describes itself: its config is stored in
the safetensors metadata, so `FeatureNetwork.load(path)` needs nothing else.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

# The tag stored in saved files; it names the module's old path and must not change.
FILE_FORMAT = "atelier.eval.feature_network"


@dataclass(frozen=True)
class FeatureNetworkConfig:
    """Architecture of a `FeatureNetwork`.

    Attributes:
        stage_channels: output channels of each stage; every stage after the first halves the
            resolution.
        convs_per_stage: 3×3 conv-norm-relu layers per stage.
        embed_dim: size of the embedding returned by `embed`.
        norm_groups: GroupNorm groups (reduced to a divisor of each stage's channels).
    """

    stage_channels: tuple[int, ...] = (32, 64, 128, 192, 256)
    convs_per_stage: int = 2
    embed_dim: int = 256
    norm_groups: int = 8

    def __post_init__(self) -> None:
        # JSON round trips turn tuples into lists; keep the dataclass hashable and comparable.
        object.__setattr__(self, "stage_channels", tuple(int(c) for c in self.stage_channels))
        if not self.stage_channels or self.convs_per_stage < 1 or self.embed_dim < 1:
            raise ValueError(f"invalid FeatureNetworkConfig: {self}")


PRESETS: dict[str, FeatureNetworkConfig] = {
    "tiny": FeatureNetworkConfig(stage_channels=(8, 16, 24, 32, 40), convs_per_stage=1, embed_dim=32),
    "default": FeatureNetworkConfig(),
}


def _conv_norm_relu(in_channels: int, out_channels: int, stride: int, norm_groups: int) -> nn.Sequential:
    # GroupNorm, not BatchNorm: a metric must score an image the same whatever else is in its batch.
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False),
        nn.GroupNorm(math.gcd(norm_groups, out_channels), out_channels),
        nn.ReLU(),
    )


class FeatureNetwork(nn.Module):
    """Small CNN of conv-norm-relu stages with a pooled embedding head.

    Args:
        config: the architecture; `PRESETS["default"]` (about 2M parameters) when omitted.
    """

    # Metrics built on this network report as "<metric>-atelier".
    name = "atelier"

    def __init__(self, config: FeatureNetworkConfig | None = None) -> None:
        super().__init__()
        self.config = config or PRESETS["default"]
        stages = []
        in_channels = 3
        for index, out_channels in enumerate(self.config.stage_channels):
            layers = [_conv_norm_relu(in_channels, out_channels, 1 if index == 0 else 2, self.config.norm_groups)]
            layers += [
                _conv_norm_relu(out_channels, out_channels, 1, self.config.norm_groups)
                for _ in range(self.config.convs_per_stage - 1)
            ]
            stages.append(nn.Sequential(*layers))
            in_channels = out_channels
        self.stages = nn.ModuleList(stages)
        self.projection = nn.Linear(in_channels, self.config.embed_dim)

    @property
    def stage_channels(self) -> tuple[int, ...]:
        """Channels of each map returned by `forward_stages`."""
        return self.config.stage_channels

    @property
    def feature_dim(self) -> int:
        """Size D of the `embed` output."""
        return self.config.embed_dim

    def forward_stages(self, images: torch.Tensor) -> list[torch.Tensor]:
        """Feature maps of every stage.

        Args:
            images: (N, 3, H, W) in [0, 1].

        Returns:
            one (N, C_i, H / 2^i, W / 2^i) map per stage (sizes rounded up), non-negative.
        """
        # Centre the input; there are no dataset statistics to standardise with.
        x = images * 2 - 1
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        """Global embedding of each image.

        Args:
            images: (N, 3, H, W) in [0, 1].

        Returns:
            (N, embed_dim) unit-length vectors.
        """
        pooled = self.forward_stages(images)[-1].mean(dim=(2, 3))
        return F.normalize(self.projection(pooled), dim=-1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Same as `embed`, so the network is itself a feature extractor (N, 3, H, W) -> (N, D)."""
        return self.embed(images)

    def save(self, path: str | Path) -> None:
        """Write weights and config to one safetensors file."""
        metadata = {"format": FILE_FORMAT, "config": json.dumps(asdict(self.config))}
        tensors = {name: tensor.detach().contiguous().cpu() for name, tensor in self.state_dict().items()}
        save_file(tensors, str(path), metadata=metadata)

    @classmethod
    def load(cls, path: str | Path, device: str | torch.device = "cpu") -> FeatureNetwork:
        """Rebuild a network saved by `save`, from the config in the file's metadata."""
        with safe_open(str(path), framework="pt", device=str(device)) as handle:
            metadata = handle.metadata() or {}
            if metadata.get("format") != FILE_FORMAT:
                raise ValueError(f"{path} is not a saved FeatureNetwork (metadata format {metadata.get('format')!r})")
            state_dict = {name: handle.get_tensor(name) for name in handle.keys()}
        network = cls(FeatureNetworkConfig(**json.loads(metadata["config"])))
        network.load_state_dict(state_dict)
        return network.to(device)
