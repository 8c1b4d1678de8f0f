"""Architecture of the retrieval encoder: a frozen dataclass with named presets.

The run config (`atelier.retrieval.training_config`) is separate: it says what the encoder is
trained on and how, while this says what the encoder is. A weights file stores this config in
its metadata so the encoder is rebuilt from the file alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from atelier.models.config_mapping import build_config, config_to_dict


@dataclass(frozen=True)
class RetrievalEncoderConfig:
    """What the retrieval encoder is.

    Attributes:
        image_size: (H, W) the image encoder sees; other images are padded to its aspect
            and resized.
        image_channels: channels of the convolution stages; each stage halves H and W, so
            the image becomes (H / 2**S) x (W / 2**S) feature tokens for S stages.
        width: D, the width of every transformer (Q-Former and caption decoder).
        num_queries: learnable queries that read the image.
        num_layers: Q-Former layers (shared by the text encoder, as in BLIP-2).
        num_heads: attention heads of every attention layer.
        feedforward_ratio: feed-forward width as a multiple of D.
        decoder_layers: layers of the caption decoder.
        embed_dim: E, the width of the shared embedding space the vector index holds.
        vocab_size: rows of the token embedding; at least the tokenizer's vocabulary.
        max_text_length: longest token sequence, [CLS] and [SEP] included; longer is cut.
    """

    image_size: tuple[int, int] = (64, 48)
    image_channels: tuple[int, ...] = (32, 64, 128)
    width: int = 128
    num_queries: int = 16
    num_layers: int = 2
    num_heads: int = 4
    feedforward_ratio: int = 4
    decoder_layers: int = 2
    embed_dim: int = 128
    vocab_size: int = 1024
    max_text_length: int = 64

    def __post_init__(self) -> None:
        if self.width % self.num_heads:
            raise ValueError(f"width {self.width} must be a multiple of num_heads {self.num_heads}")
        stride = 2 ** len(self.image_channels)
        height, width = self.image_size
        if height % stride or width % stride:
            raise ValueError(f"image_size {self.image_size} must be a multiple of {stride} ({len(self.image_channels)} stages)")
        if self.max_text_length < 8:
            raise ValueError(f"max_text_length must be at least 8, got {self.max_text_length}")

    @property
    def feature_grid(self) -> tuple[int, int]:
        """(H', W') of the image feature map: one token per cell."""
        stride = 2 ** len(self.image_channels)
        return self.image_size[0] // stride, self.image_size[1] // stride

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (tuples become lists)."""
        return config_to_dict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RetrievalEncoderConfig:
        """Inverse of `to_dict`; unknown keys are an error, so a newer file is never misread."""
        return build_config(cls, values)


PRESETS: dict[str, RetrievalEncoderConfig] = {
    # For tests: every path runs in milliseconds.
    "tiny": RetrievalEncoderConfig(
        image_size=(64, 48),
        image_channels=(8, 16),
        width=32,
        num_queries=4,
        num_layers=1,
        num_heads=2,
        feedforward_ratio=2,
        decoder_layers=1,
        embed_dim=16,
        vocab_size=400,
        max_text_length=48,
    ),
    # The shipped encoder: about 1.8M parameters, trained on one CPU thread in under an hour.
    # 16 queries rather than BLIP-2's 32: the 64x48 image is only 8x6 feature cells, and the
    # queries are half the tokens of every joint pass, so 16 buys many more training steps.
    "small": RetrievalEncoderConfig(),
    # BLIP-2's query count, for machines with time to train it.
    "base": RetrievalEncoderConfig(width=256, num_queries=32, num_layers=4, decoder_layers=3, embed_dim=256),
}
