"""The image encoder: a small strided CNN whose feature map becomes a sequence of tokens.

A CNN rather than a ViT because the product shots are small (64x48) and the training set is
rendered here, not millions of photos: convolutions see pattern and silhouette with far fewer
parameters and samples than patch attention needs.

Each token also gets a linear embedding of its cell's raw pixels (a ViT patch embedding) added
to it. The CNN's group normalisations make its features relative to the image's own
statistics, which blurs absolute colour (navy against black, olive against teal); the raw
patch keeps it, for about 1% of the encoder's compute.
"""

from __future__ import annotations

import torch
from torch import nn

from atelier.retrieval.encoder_config import RetrievalEncoderConfig


class ConvImageEncoder(nn.Module):
    """Images to feature tokens.

    Each stage is a stride-2 3x3 convolution (halving H and W) and a stride-1 3x3 residual
    convolution; a 1x1 projection to width D, the cell's raw-pixel patch embedding and a learned
    position embedding per cell are summed.

    Args:
        config: the encoder architecture (uses image_size, image_channels, width).
    """

    def __init__(self, config: RetrievalEncoderConfig):
        super().__init__()
        stages = []
        channels_in = 3
        for channels in config.image_channels:
            stages.append(_ConvStage(channels_in, channels))
            channels_in = channels
        self.stages = nn.Sequential(*stages)
        self.projection = nn.Conv2d(channels_in, config.width, kernel_size=1)
        stride = 2 ** len(config.image_channels)
        self.patch_embedding = nn.Conv2d(3, config.width, kernel_size=stride, stride=stride)
        grid_height, grid_width = config.feature_grid
        self.position = nn.Parameter(torch.randn(1, grid_height * grid_width, config.width) * 0.02)
        self.norm = nn.LayerNorm(config.width)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Encode images.

        Args:
            images: (B, 3, H, W) float in [-1, 1] at the config's image_size.

        Returns:
            (B, N, D) feature tokens, N = H' * W' cells of the feature grid, row-major.
        """
        features = self.projection(self.stages(images)) + self.patch_embedding(images)  # (B, D, H', W')
        tokens = features.flatten(2).transpose(1, 2)  # (B, N, D)
        return self.norm(tokens + self.position)


class _ConvStage(nn.Module):
    """Halve the resolution, then refine with a residual convolution."""

    def __init__(self, channels_in: int, channels_out: int):
        super().__init__()
        groups = min(8, channels_out)
        self.down = nn.Sequential(
            nn.Conv2d(channels_in, channels_out, kernel_size=3, stride=2, padding=1),
            nn.GroupNorm(groups, channels_out),
            nn.GELU(),
        )
        self.refine = nn.Sequential(
            nn.Conv2d(channels_out, channels_out, kernel_size=3, padding=1),
            nn.GroupNorm(groups, channels_out),
            nn.GELU(),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        down = self.down(images)
        return down + self.refine(down)
