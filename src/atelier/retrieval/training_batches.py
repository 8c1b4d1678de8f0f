"""What one training step consumes: an image-caption batch and a composed-retrieval batch."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class CaptionBatch:
    """Product shots with one caption each, in a style drawn per image.

    Attributes:
        images: (B, 3, H, W) in [-1, 1].
        captions: B captions (used for contrastive and matching losses).
        styles: B style names, the prefix the decoder is trained with for each caption.
    """

    images: torch.Tensor
    captions: list[str]
    styles: list[str]


@dataclass(frozen=True)
class ComposedBatch:
    """Composed-retrieval triplets: reference image, modification text, target image.

    Attributes:
        references: (B, 3, H, W) in [-1, 1].
        modifications: B texts saying how the target differs from the reference.
        targets: (B, 3, H, W) in [-1, 1].
    """

    references: torch.Tensor
    modifications: list[str]
    targets: torch.Tensor
