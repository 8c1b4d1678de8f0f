"""The held-out data of `atelier retrieval eval`, all from the world's test split.

- composed: a Fashion-IQ-layout export (`atelier world export --format fashioniq`), read back
  through `atelier.data.fashioniq` exactly as a real copy would be: queries (candidate image +
  the captions joined) and each category's gallery;
- cross-modal (FashionGen-style): product shots of test garments with their detailed caption
  (FashionGen's texts are full product descriptions) and category;
- captioning: product shots of test garments with several reference captions per style (the
  world writes each garment's caption in many wordings, as COCO has five per image).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from atelier.data.fashioniq import (
    FASHIONIQ_CATEGORIES,
    read_fashioniq,
    read_fashioniq_gallery,
)
from atelier.retrieval.image_preprocessing import fit_image
from atelier.world.export import export_world
from atelier.world.garments import Garment
from atelier.world.sampling import stable_hash
from atelier.world.tasks import make_record
from atelier.world.text import CAPTION_STYLES, caption

CROSS_MODAL_STYLE = "detailed"


@dataclass(frozen=True)
class ComposedCategorySet:
    """One Fashion-IQ category: queries against its gallery.

    Attributes:
        references: (Q, H, W, 3) uint8 candidate images.
        modifications: Q texts (the two captions joined).
        target_indices: (Q,) index of each query's target in the gallery.
        gallery: (G, H, W, 3) uint8.
        gallery_ids: G image ids.
    """

    references: np.ndarray
    modifications: list[str]
    target_indices: np.ndarray
    gallery: np.ndarray
    gallery_ids: list[str]


@dataclass(frozen=True)
class CrossModalSet:
    """Paired product shots and descriptions.

    Attributes:
        images: (N, H, W, 3) uint8.
        texts: N descriptions, text i of image i.
        categories: N category names.
        garment_ids: N garment ids.
        short_texts: N short captions (what a shopper types; the examples page uses them).
    """

    images: np.ndarray
    texts: list[str]
    categories: list[str]
    garment_ids: list[str]
    short_texts: list[str]


@dataclass(frozen=True)
class CaptionSet:
    """Product shots with reference captions.

    Attributes:
        images: (N, H, W, 3) uint8.
        references: style -> N lists of reference captions.
    """

    images: np.ndarray
    references: dict[str, list[list[str]]]


def composed_sets(root: str | Path, size_hw: tuple[int, int], split: str = "test") -> dict[str, ComposedCategorySet]:
    """Read a Fashion-IQ tree's split into one query set per category (categories without
    queries are left out)."""
    queries: dict[str, list] = {category: [] for category in FASHIONIQ_CATEGORIES}
    for record in read_fashioniq(root, split):
        if record.target is not None:
            queries[record.extra["fashioniq_category"]].append(record)
    sets = {}
    for category, records in queries.items():
        if not records:
            continue
        gallery = list(read_fashioniq_gallery(root, category, split))
        position = {garment.garment_id: index for index, garment in enumerate(gallery)}
        sets[category] = ComposedCategorySet(
            references=np.stack([fit_image(record.garments[0].image, size_hw) for record in records]),
            modifications=[record.instruction for record in records],
            target_indices=np.array([position[record.target.garment_id] for record in records]),
            gallery=np.stack([fit_image(garment.image, size_hw) for garment in gallery]),
            gallery_ids=[garment.garment_id for garment in gallery],
        )
    return sets


def export_composed_test(root: str | Path, queries: int, seed: int, size_hw: tuple[int, int]) -> Path:
    """Write the world's test composed records as a Fashion-IQ tree (skipped when present)."""
    root = Path(root)
    if not (root / "captions" / "cap.dress.test.json").is_file():
        export_world("fashioniq", root, split="test", n=queries, seed=seed, size_hw=size_hw, show_progress=False)
    return root


def cross_modal_set(count: int, seed: int, size_hw: tuple[int, int], split: str = "test") -> CrossModalSet:
    """`count` test product shots with their detailed captions."""
    records = [make_record("caption", split, seed, index, size_hw) for index in range(count)]
    return CrossModalSet(
        images=np.stack([record.garments[0].image for record in records]),
        texts=[record.captions[CROSS_MODAL_STYLE] for record in records],
        categories=[record.garments[0].category for record in records],
        garment_ids=[record.garments[0].garment_id for record in records],
        short_texts=[record.captions["short"] for record in records],
    )


def caption_set(count: int, seed: int, size_hw: tuple[int, int], references: int = 5, split: str = "test") -> CaptionSet:
    """`count` test product shots (not those of `cross_modal_set`) with `references` wordings
    of each style's caption."""
    images, per_style = [], {style: [] for style in CAPTION_STYLES}
    for index in range(count):
        # Another world seed than the cross-modal set: other garments for another question.
        record = make_record("caption", split, seed + 1, index, size_hw)
        garment = Garment.from_dict(record.garments[0].attributes)
        images.append(record.garments[0].image)
        for style in CAPTION_STYLES:
            per_style[style].append(
                [caption(garment, style, random.Random(stable_hash("reference", seed, index, style, n))) for n in range(references)]
            )
    return CaptionSet(np.stack(images), per_style)
