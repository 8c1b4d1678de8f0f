"""A freshly initialised encoder with a tokenizer trained on the world's text.

Training starts from one; tests and smoke checks use a tiny one (random weights, real
tokenizer), which runs every code path in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

from atelier.models.tokenizer import train_tokenizer
from atelier.retrieval.encoder import RetrievalEncoder
from atelier.retrieval.encoder_config import PRESETS, RetrievalEncoderConfig
from atelier.retrieval.tokenizer_corpus import retrieval_corpus


def untrained_encoder(
    architecture: RetrievalEncoderConfig | str = "tiny",
    *,
    garments: int = 40,
    vocab_size: int | None = None,
    split: str = "train",
    seed: int = 0,
    extra_texts: Sequence[str] = (),
) -> RetrievalEncoder:
    """An encoder with random weights and a tokenizer trained on `retrieval_corpus`.

    Args:
        architecture: a config, or the name of a preset.
        garments: garments whose texts the tokenizer learns from.
        vocab_size: tokenizer vocabulary limit (default: the architecture's `vocab_size`).
        split, seed: the world the corpus comes from.
        extra_texts: more texts for the tokenizer (a real dataset's captions).
    """
    config = PRESETS[architecture] if isinstance(architecture, str) else architecture
    corpus = retrieval_corpus(split, seed, garments, extra_texts)
    tokenizer = train_tokenizer(corpus, vocab_size=min(vocab_size or config.vocab_size, config.vocab_size))
    return RetrievalEncoder(config, tokenizer)
