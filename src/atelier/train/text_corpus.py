"""The text the tokenizer learns from: everything the world writes, plus real instructions.

The tokenizer is trained before the model, on the world's own language: captions,
try-on/try-off/pose/model-to-model instructions, edit and modification texts of sampled
outfits (`atelier.world.text.text_corpus_examples`), and the instructions of the training
records themselves.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from tokenizers import Tokenizer

from atelier.models.tokenizer import train_tokenizer
from atelier.world.records import Record
from atelier.world.sampling import sample_outfit
from atelier.world.text import text_corpus_examples


def world_text_corpus(*, outfits: int, split: str, seed: int) -> list[str]:
    """Texts about `outfits` sampled outfits (every garment's captions and instructions).

    Args:
        outfits: how many outfits to describe (each 2–6 garments).
        split: world split whose garments are sampled.
        seed: seed of the sampling.

    Returns:
        The texts, deterministic for the arguments.
    """
    rng = random.Random(f"tokenizer-corpus-{split}-{seed}")
    texts: list[str] = []
    for _ in range(outfits):
        texts.extend(text_corpus_examples(list(sample_outfit(rng, split).values()), rng))
    return texts


def train_world_tokenizer(records: Iterable[Record], *, outfits: int, vocab_size: int, split: str, seed: int) -> Tokenizer:
    """Train the byte-level BPE tokenizer on the world corpus and the records' instructions.

    Args:
        records: training records whose instructions join the corpus.
        outfits: outfits of `world_text_corpus`.
        vocab_size: the vocabulary's size limit.
        split, seed: the world the corpus comes from.
    """
    texts = world_text_corpus(outfits=outfits, split=split, seed=seed)
    texts.extend(record.instruction for record in records if record.instruction)
    return train_tokenizer(texts, vocab_size=vocab_size)
