"""The Inception-v3 of published FID scores, able to load the `pt_inception-2015-12-05` weights.

FID is defined by the TensorFlow Inception graph of 2015; pytorch-fid ported its weights to a
torchvision-layout state dict and patched four blocks to match TensorFlow: average pools that do
not count padding (blocks A, C and the first E) and a max pool in the last E block's pool branch.
This file builds the same network without torchvision, with the same module names, so that state
dict (1008-way `fc` included) loads with `strict=True`. The features are the 2048-d output of the
final average pool; inputs are resized to 299×299 bilinearly and mapped from [0, 1] to [-1, 1].
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from atelier.eval.metrics.weight_files import read_state_dict

INCEPTION_INPUT_SIZE = 299
INCEPTION_FEATURE_DIM = 2048
# The 2015 graph classifies into 1008 classes; kept so the published state dict loads strictly.
INCEPTION_CLASSES = 1008


class ConvBatchNormRelu(nn.Module):
    """Conv (no bias) → BatchNorm (eps 1e-3, as TensorFlow) → ReLU; torchvision's `BasicConv2d`."""

    def __init__(self, in_channels: int, out_channels: int, **conv_options) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **conv_options)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)))


def _average_pool_without_padding(x: torch.Tensor) -> torch.Tensor:
    # TensorFlow's average pool ignores the zero padding in its denominator.
    return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)


class InceptionA(nn.Module):
    """35×35 block: 1×1, 5×5, double 3×3 and pooled branches."""

    def __init__(self, in_channels: int, pool_features: int) -> None:
        super().__init__()
        self.branch1x1 = ConvBatchNormRelu(in_channels, 64, kernel_size=1)
        self.branch5x5_1 = ConvBatchNormRelu(in_channels, 48, kernel_size=1)
        self.branch5x5_2 = ConvBatchNormRelu(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = ConvBatchNormRelu(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = ConvBatchNormRelu(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = ConvBatchNormRelu(96, 96, kernel_size=3, padding=1)
        self.branch_pool = ConvBatchNormRelu(in_channels, pool_features, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat(
            [
                self.branch1x1(x),
                self.branch5x5_2(self.branch5x5_1(x)),
                self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
                self.branch_pool(_average_pool_without_padding(x)),
            ],
            dim=1,
        )


class InceptionB(nn.Module):
    """Grid reduction 35×35 → 17×17."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.branch3x3 = ConvBatchNormRelu(in_channels, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = ConvBatchNormRelu(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = ConvBatchNormRelu(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = ConvBatchNormRelu(96, 96, kernel_size=3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat(
            [
                self.branch3x3(x),
                self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
                F.max_pool2d(x, kernel_size=3, stride=2),
            ],
            dim=1,
        )


class InceptionC(nn.Module):
    """17×17 block with factorised 7×7 convolutions."""

    def __init__(self, in_channels: int, channels_7x7: int) -> None:
        super().__init__()
        c7 = channels_7x7
        self.branch1x1 = ConvBatchNormRelu(in_channels, 192, kernel_size=1)
        self.branch7x7_1 = ConvBatchNormRelu(in_channels, c7, kernel_size=1)
        self.branch7x7_2 = ConvBatchNormRelu(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = ConvBatchNormRelu(c7, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = ConvBatchNormRelu(in_channels, c7, kernel_size=1)
        self.branch7x7dbl_2 = ConvBatchNormRelu(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = ConvBatchNormRelu(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = ConvBatchNormRelu(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = ConvBatchNormRelu(c7, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch_pool = ConvBatchNormRelu(in_channels, 192, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seven = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        double = self.branch7x7dbl_1(x)
        for layer in (self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4, self.branch7x7dbl_5):
            double = layer(double)
        pooled = self.branch_pool(_average_pool_without_padding(x))
        return torch.cat([self.branch1x1(x), seven, double, pooled], dim=1)


class InceptionD(nn.Module):
    """Grid reduction 17×17 → 8×8."""

    def __init__(self, in_channels: int) -> None:
        super().__init__()
        self.branch3x3_1 = ConvBatchNormRelu(in_channels, 192, kernel_size=1)
        self.branch3x3_2 = ConvBatchNormRelu(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = ConvBatchNormRelu(in_channels, 192, kernel_size=1)
        self.branch7x7x3_2 = ConvBatchNormRelu(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = ConvBatchNormRelu(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = ConvBatchNormRelu(192, 192, kernel_size=3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seven = self.branch7x7x3_1(x)
        for layer in (self.branch7x7x3_2, self.branch7x7x3_3, self.branch7x7x3_4):
            seven = layer(seven)
        return torch.cat([self.branch3x3_2(self.branch3x3_1(x)), seven, F.max_pool2d(x, kernel_size=3, stride=2)], 1)


class InceptionE(nn.Module):
    """8×8 block with expanded 1×3 / 3×1 branches.

    Args:
        in_channels: input channels.
        max_pool_branch: the FID graph's last block pools with max instead of average.
    """

    def __init__(self, in_channels: int, max_pool_branch: bool = False) -> None:
        super().__init__()
        self.max_pool_branch = max_pool_branch
        self.branch1x1 = ConvBatchNormRelu(in_channels, 320, kernel_size=1)
        self.branch3x3_1 = ConvBatchNormRelu(in_channels, 384, kernel_size=1)
        self.branch3x3_2a = ConvBatchNormRelu(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = ConvBatchNormRelu(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = ConvBatchNormRelu(in_channels, 448, kernel_size=1)
        self.branch3x3dbl_2 = ConvBatchNormRelu(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = ConvBatchNormRelu(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = ConvBatchNormRelu(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch_pool = ConvBatchNormRelu(in_channels, 192, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        three = self.branch3x3_1(x)
        three = torch.cat([self.branch3x3_2a(three), self.branch3x3_2b(three)], dim=1)
        double = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        double = torch.cat([self.branch3x3dbl_3a(double), self.branch3x3dbl_3b(double)], dim=1)
        if self.max_pool_branch:
            pooled = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        else:
            pooled = _average_pool_without_padding(x)
        return torch.cat([self.branch1x1(x), three, double, self.branch_pool(pooled)], dim=1)


class InceptionV3FID(nn.Module):
    """FID's Inception-v3 feature extractor: (N, 3, H, W) in [0, 1] -> (N, 2048).

    Randomly initialised on construction; `from_file` loads the published weights. The network
    stays in eval mode (its BatchNorm statistics are part of the FID definition).
    """

    name = "inception-v3-fid"
    feature_dim = INCEPTION_FEATURE_DIM

    def __init__(self) -> None:
        super().__init__()
        self.Conv2d_1a_3x3 = ConvBatchNormRelu(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = ConvBatchNormRelu(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = ConvBatchNormRelu(32, 64, kernel_size=3, padding=1)
        self.Conv2d_3b_1x1 = ConvBatchNormRelu(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = ConvBatchNormRelu(80, 192, kernel_size=3)
        self.Mixed_5b = InceptionA(192, pool_features=32)
        self.Mixed_5c = InceptionA(256, pool_features=64)
        self.Mixed_5d = InceptionA(288, pool_features=64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, channels_7x7=128)
        self.Mixed_6c = InceptionC(768, channels_7x7=160)
        self.Mixed_6d = InceptionC(768, channels_7x7=160)
        self.Mixed_6e = InceptionC(768, channels_7x7=192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280)
        self.Mixed_7c = InceptionE(2048, max_pool_branch=True)
        self.fc = nn.Linear(INCEPTION_FEATURE_DIM, INCEPTION_CLASSES)
        self.eval()

    def train(self, mode: bool = True) -> InceptionV3FID:
        """Ignored: the extractor always runs in eval mode."""
        return super().train(False)

    @classmethod
    def from_file(cls, path: str | Path) -> InceptionV3FID:
        """Load weights from a local file, e.g. `pt_inception-2015-12-05-6726825d.pth`."""
        network = cls()
        network.load_state_dict(read_state_dict(path))
        return network

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Pool-3 features.

        Args:
            images: (N, 3, H, W) in [0, 1], any size (resized to 299×299).

        Returns:
            (N, 2048) features.
        """
        x = F.interpolate(
            images, size=(INCEPTION_INPUT_SIZE, INCEPTION_INPUT_SIZE), mode="bilinear", align_corners=False
        )
        x = 2 * x - 1
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        for block in (self.Mixed_5b, self.Mixed_5c, self.Mixed_5d, self.Mixed_6a, self.Mixed_6b, self.Mixed_6c):
            x = block(x)
        for block in (self.Mixed_6d, self.Mixed_6e, self.Mixed_7a, self.Mixed_7b, self.Mixed_7c):
            x = block(x)
        return x.mean(dim=(2, 3))
