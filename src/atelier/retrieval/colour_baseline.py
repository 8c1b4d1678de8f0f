"""The baseline the encoder is measured against: colour histograms and colour words.

One shared space, the world's 20 named colours (`atelier.world.vocabulary.COLOURS`):

- an image is the histogram of its garment pixels over the palette (each pixel that is not
  product-shot background goes to its nearest palette colour in RGB), square-rooted (the
  Hellinger embedding, so a large area does not drown a small one) and L2-normalised;
- a text is the bag of its colour words ("light blue" before "blue"): a count per palette
  colour, L2-normalised; a text without colour words is the zero vector (it matches nothing
  better than anything else);
- a composed query (reference image + modification text) is the sum of the two unit vectors,
  so the text's colours pull the reference's histogram towards the wanted change;
- a caption is the caption (in the asked style) of the training garment whose histogram is
  nearest (nearest-neighbour captioning).

It knows the palette exactly, so it is a strong colour-only baseline; it knows nothing of
shape, pattern or category words.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

import numpy as np

from atelier.world.garments import Garment
from atelier.world.renderer import PRODUCT_BACKGROUND
from atelier.world.sampling import stable_hash
from atelier.world.text import caption
from atelier.world.vocabulary import COLOURS

COLOUR_NAMES = tuple(COLOURS)
PALETTE = np.array([COLOURS[name] for name in COLOUR_NAMES], dtype=np.float32)  # (C, 3)
BACKGROUND_DISTANCE = 5.0  # RGB distance under which a pixel counts as backdrop
# Longest names first, so "light blue" is read before "blue".
_COLOUR_PATTERN = re.compile(r"\b(" + "|".join(sorted(map(re.escape, COLOUR_NAMES), key=len, reverse=True)) + r")\b")


def colour_histograms(images: np.ndarray, chunk: int = 64) -> np.ndarray:
    """(B, H, W, 3) uint8 -> (B, C) unit Hellinger embeddings of the garment pixels' colours."""
    if len(images) > chunk:  # bounds the (chunk, P, C) distance array
        return np.concatenate([colour_histograms(images[start : start + chunk]) for start in range(0, len(images), chunk)])
    pixels = images.reshape(len(images), -1, 3).astype(np.float32)  # (B, P, 3)
    garment = np.linalg.norm(pixels - np.asarray(PRODUCT_BACKGROUND, np.float32), axis=-1) > BACKGROUND_DISTANCE
    distances = ((pixels[:, :, None, :] - PALETTE[None, None]) ** 2).sum(-1)  # (B, P, C)
    nearest = distances.argmin(-1)  # (B, P)
    histograms = np.zeros((len(images), len(COLOUR_NAMES)), dtype=np.float32)
    for row in range(len(images)):
        histograms[row] = np.bincount(nearest[row][garment[row]], minlength=len(COLOUR_NAMES))
    return _unit(np.sqrt(histograms))


def colour_word_vectors(texts: Sequence[str]) -> np.ndarray:
    """Texts -> (B, C) unit bags of colour words (zero rows for texts without any)."""
    vectors = np.zeros((len(texts), len(COLOUR_NAMES)), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in _COLOUR_PATTERN.findall(text.lower()):
            vectors[row, COLOUR_NAMES.index(word)] += 1
    return _unit(vectors)


class ColourBaseline:
    """Colour-histogram images, colour-word texts and nearest-neighbour captions.

    Args:
        caption_images: (N, H, W, 3) uint8 training product shots, for captioning.
        caption_garments: their N garment dicts, whose captions are returned.
    """

    name = "colour baseline"

    def __init__(self, caption_images: np.ndarray, caption_garments: Sequence[dict]):
        self._neighbours = colour_histograms(caption_images)
        self._garments = list(caption_garments)

    def embed_images(self, images: np.ndarray) -> np.ndarray:
        return colour_histograms(images)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        return colour_word_vectors(texts)

    def embed_composed(self, images: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        return _unit(colour_histograms(images) + colour_word_vectors(texts))

    def caption(self, images: np.ndarray, style: str) -> list[str]:
        nearest = (colour_histograms(images) @ self._neighbours.T).argmax(axis=1)
        return [
            caption(Garment.from_dict(self._garments[index]), style, random.Random(stable_hash("baseline-caption", int(index), style)))
            for index in nearest.tolist()
        ]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
