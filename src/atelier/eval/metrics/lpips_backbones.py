"""The VGG16 and AlexNet feature stacks of the official LPIPS, without torchvision.

The layers sit at the same indices as torchvision's `vgg16().features` / `alexnet().features`, so
the published ImageNet state dicts (`features.<i>.weight`) load unchanged. LPIPS reads the ReLU
outputs that end each slice: relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 for VGG16 and relu1–relu5
for AlexNet.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

LpipsNet = Literal["vgg", "alex"]

# Input statistics the LPIPS heads were trained with (inputs in [-1, 1]).
LPIPS_SHIFT = (-0.030, -0.088, -0.188)
LPIPS_SCALE = (0.458, 0.448, 0.450)

_VGG16_PLAN = (64, 64, "pool", 128, 128, "pool", 256, 256, 256, "pool", 512, 512, 512, "pool", 512, 512, 512)
_VGG16_SLICE_ENDS = (4, 9, 16, 23, 30)
_VGG16_CHANNELS = (64, 128, 256, 512, 512)
_ALEX_SLICE_ENDS = (2, 5, 8, 10, 12)
_ALEX_CHANNELS = (64, 192, 384, 256, 256)


def vgg16_features() -> nn.Sequential:
    """torchvision's `vgg16().features` without its final max-pool (30 layers, indices 0–29)."""
    layers: list[nn.Module] = []
    in_channels = 3
    for item in _VGG16_PLAN:
        if item == "pool":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(in_channels, item, kernel_size=3, padding=1), nn.ReLU()]
            in_channels = item
    return nn.Sequential(*layers)


def alexnet_features() -> nn.Sequential:
    """torchvision's `alexnet().features` without its final max-pool (12 layers, indices 0–11)."""
    return nn.Sequential(
        nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(64, 192, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(192, 384, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(256, 256, kernel_size=3, padding=1),
        nn.ReLU(),
    )


class LpipsImageNetBackbone(nn.Module):
    """VGG16 or AlexNet features sliced as LPIPS reads them.

    Args:
        net: "vgg" or "alex".
    """

    def __init__(self, net: LpipsNet = "vgg") -> None:
        super().__init__()
        if net not in ("vgg", "alex"):
            raise ValueError(f"LPIPS backbone must be 'vgg' or 'alex', got {net!r}")
        self.net = net
        self.features = vgg16_features() if net == "vgg" else alexnet_features()
        self._slice_ends = _VGG16_SLICE_ENDS if net == "vgg" else _ALEX_SLICE_ENDS
        self.stage_channels = _VGG16_CHANNELS if net == "vgg" else _ALEX_CHANNELS
        self.register_buffer("shift", torch.tensor(LPIPS_SHIFT).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("scale", torch.tensor(LPIPS_SCALE).view(1, 3, 1, 1), persistent=False)

    def load_imagenet_state_dict(self, state_dict: dict[str, torch.Tensor]) -> None:
        """Load torchvision-layout weights: keys `features.<i>.*` (classifier keys are ignored)."""
        features = {k.removeprefix("features."): v for k, v in state_dict.items() if k.startswith("features.")}
        if not features:
            raise ValueError("state dict has no 'features.*' keys; expected a torchvision VGG16/AlexNet checkpoint")
        self.features.load_state_dict(features)

    def forward_stages(self, images: torch.Tensor) -> list[torch.Tensor]:
        """The five LPIPS feature maps.

        Args:
            images: (N, 3, H, W) in [0, 1].

        Returns:
            five (N, C_i, H_i, W_i) maps, channels `stage_channels`.
        """
        x = ((images * 2 - 1) - self.shift) / self.scale
        outputs = []
        start = 0
        for end in self._slice_ends:
            x = self.features[start:end](x)
            outputs.append(x)
            start = end
        return outputs


def detect_lpips_net(state_dict: dict[str, torch.Tensor]) -> LpipsNet:
    """Tell a VGG16 checkpoint from an AlexNet one by their last conv layer's index."""
    if "features.28.weight" in state_dict:
        return "vgg"
    if "features.10.weight" in state_dict:
        return "alex"
    raise ValueError("cannot tell VGG16 from AlexNet: neither 'features.28.weight' nor 'features.10.weight' present")
