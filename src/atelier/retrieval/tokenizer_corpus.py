"""The text the retrieval tokenizer learns: the world's captions and modification texts."""

from __future__ import annotations

import random
from collections.abc import Sequence

from atelier.retrieval.caption_styles import style_prefix
from atelier.world.sampling import sample_garment, sample_variant, stable_hash
from atelier.world.text import CAPTION_STYLES, captions, modification_text
from atelier.world.vocabulary import CATEGORIES


def retrieval_corpus(split: str, seed: int, garments: int, extra_texts: Sequence[str] = ()) -> list[str]:
    """Two wordings of every caption style and a modification text of `garments` garments.

    Args:
        split: world split the garments are drawn from.
        seed: seeds the draw.
        garments: how many garments to describe.
        extra_texts: more texts to learn from (a real dataset's captions).

    Returns:
        The texts, the style prefixes among them, deterministic for the arguments.
    """
    rng = random.Random(stable_hash("retrieval-tokenizer", split, seed))
    texts = [style_prefix(style) for style in CAPTION_STYLES]
    for index in range(garments):
        garment = sample_garment(rng, CATEGORIES[index % len(CATEGORIES)], split)
        for _ in range(2):
            texts.extend(captions(garment, rng).values())
        texts.append(modification_text(garment, sample_variant(rng, garment, split, changes=rng.randint(1, 3)), rng))
    texts.extend(extra_texts)
    return texts
