"""What evaluation asks of a model, and the encoder behind that interface.

Both the encoder and the colour baseline (`atelier.retrieval.colour_baseline`) answer the
same four calls on numpy inputs, so every figure is computed by one code path for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import torch

from atelier.retrieval.encoder import RetrievalEncoder
from atelier.retrieval.image_preprocessing import images_to_tensor

BATCH = 128


class EvaluatedModel(Protocol):
    """Embeddings (unit rows, one shared space) and captions, all from numpy inputs."""

    name: str

    def embed_images(self, images: np.ndarray) -> np.ndarray:
        """(B, H, W, 3) uint8 -> (B, E)."""
        ...

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """B texts -> (B, E)."""
        ...

    def embed_composed(self, images: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(B, H, W, 3) reference images + B modification texts -> (B, E), comparable to images."""
        ...

    def caption(self, images: np.ndarray, style: str) -> list[str]:
        """(B, H, W, 3) -> B captions in `style`."""
        ...


class EncoderModel:
    """`RetrievalEncoder` behind `EvaluatedModel`, in batches, without gradients.

    Args:
        encoder: the encoder (put in eval mode).
        beams: caption beams (1 = greedy).
    """

    name = "encoder"

    def __init__(self, encoder: RetrievalEncoder, beams: int = 1):
        self.encoder = encoder.eval()
        self.beams = beams

    def _images(self, images: np.ndarray) -> torch.Tensor:
        return images_to_tensor(images, self.encoder.config.image_size).to(self.encoder.device)

    @torch.no_grad()
    def embed_images(self, images: np.ndarray) -> np.ndarray:
        return _batched(lambda rows: self.encoder.embed_images(self._images(images[rows])), len(images))

    @torch.no_grad()
    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        return _batched(lambda rows: self.encoder.embed_texts(texts[rows]), len(texts))

    @torch.no_grad()
    def embed_composed(self, images: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        return _batched(lambda rows: self.encoder.embed_composed(self._images(images[rows]), texts[rows]), len(texts))

    def caption(self, images: np.ndarray, style: str) -> list[str]:
        captions: list[str] = []
        for start in range(0, len(images), BATCH):
            captions += self.encoder.generate_captions(self._images(images[start : start + BATCH]), style, beams=self.beams)
        return captions


def _batched(embed, count: int) -> np.ndarray:
    parts = [embed(slice(start, start + BATCH)).float().cpu().numpy() for start in range(0, count, BATCH)]
    return np.concatenate(parts)
