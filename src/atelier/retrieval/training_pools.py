"""Training images rendered once and kept in memory: product shots and composed triplets.

Rendering a 64x48 product shot takes a few milliseconds, but a training step on one CPU
thread takes a second or two, so the images are rendered once into a pool (and cached in the
run folder, so a resumed run does not render again). Texts are not pooled: each time a
garment is drawn its caption or modification text is written afresh from its attributes by
`atelier.world.text`, so the encoder sees many wordings of one picture.

A Fashion-IQ tree gives a composed pool with fixed texts (its two captions per query).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from atelier.data.fashioniq import CAPTION_JOINER, read_fashioniq
from atelier.retrieval.image_preprocessing import fit_image
from atelier.world.tasks import make_record


@dataclass(frozen=True)
class CaptionPool:
    """Product shots and the attributes their captions are written from.

    Attributes:
        images: (N, H, W, 3) uint8.
        garments: N garment dicts (`atelier.world.garments.Garment.to_dict`).
    """

    images: np.ndarray
    garments: list[dict]

    def __len__(self) -> int:
        return len(self.images)


@dataclass(frozen=True)
class ComposedPool:
    """Reference and target images with what tells them apart.

    Attributes:
        references: (N, H, W, 3) uint8.
        targets: (N, H, W, 3) uint8.
        reference_garments, target_garments: N garment dicts each (world triplets: texts are
            written afresh), or None (a real dataset: `texts` are used as they are).
        texts: N lists of modification texts to draw from (empty lists for world triplets).
    """

    references: np.ndarray
    targets: np.ndarray
    reference_garments: list[dict] | None
    target_garments: list[dict] | None
    texts: list[list[str]]

    def __len__(self) -> int:
        return len(self.references)


def render_caption_pool(split: str, seed: int, count: int, size_hw: tuple[int, int], progress: bool = True) -> CaptionPool:
    """Product shots of `count` world caption records (every category) of `split`."""
    images = np.empty((count, *size_hw, 3), dtype=np.uint8)
    garments = []
    for index in tqdm(range(count), desc="render caption pool", unit="img", disable=not progress):
        garment = make_record("caption", split, seed, index, size_hw).garments[0]
        images[index] = garment.image
        garments.append(garment.attributes)
    return CaptionPool(images, garments)


def render_composed_pool(split: str, seed: int, count: int, size_hw: tuple[int, int], progress: bool = True) -> ComposedPool:
    """Reference/target pairs of `count` world composed records of `split`."""
    references = np.empty((count, *size_hw, 3), dtype=np.uint8)
    targets = np.empty_like(references)
    reference_garments, target_garments = [], []
    for index in tqdm(range(count), desc="render composed pool", unit="pair", disable=not progress):
        record = make_record("composed", split, seed, index, size_hw)
        references[index], targets[index] = record.garments[0].image, record.target.image
        reference_garments.append(record.garments[0].attributes)
        target_garments.append(record.target.attributes)
    return ComposedPool(references, targets, reference_garments, target_garments, [[] for _ in range(count)])


def read_fashioniq_pool(root: str | Path, split: str, size_hw: tuple[int, int], progress: bool = True) -> ComposedPool:
    """Every captioned query of a Fashion-IQ split (real or exported) as a composed pool.

    Each query contributes three texts to draw from: its two captions joined (as the
    readers give them) and each caption alone.

    Raises:
        DatasetLayoutError: a missing or malformed file in the tree.
        ValueError: the split has no query with a target.
    """
    references, targets, texts = [], [], []
    for record in tqdm(read_fashioniq(root, split), desc=f"read fashion-iq {split}", unit="query", disable=not progress):
        if record.target is None:
            continue
        references.append(fit_image(record.garments[0].image, size_hw))
        targets.append(fit_image(record.target.image, size_hw))
        captions = list(record.extra.get("captions") or [record.instruction])
        texts.append([CAPTION_JOINER.join(captions), *captions] if len(captions) > 1 else captions)
    if not references:
        raise ValueError(f"{root}: the Fashion-IQ {split} split has no query with a target to train on")
    return ComposedPool(np.stack(references), np.stack(targets), None, None, texts)


# --- a cache file beside the run, so that resuming skips the rendering --------------------


def save_pool(pool: CaptionPool | ComposedPool, path: str | Path) -> None:
    """Write a pool to one .npz file atomically (temporary name, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(pool, CaptionPool):
        arrays = {"images": pool.images, "garments": np.array(json.dumps(pool.garments))}
    else:
        described = {"reference_garments": pool.reference_garments, "target_garments": pool.target_garments, "texts": pool.texts}
        arrays = {"references": pool.references, "targets": pool.targets, "described": np.array(json.dumps(described))}
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def load_pool(path: str | Path) -> CaptionPool | ComposedPool:
    """Read a pool written by `save_pool`."""
    with np.load(path, allow_pickle=False) as arrays:
        if "images" in arrays:
            return CaptionPool(arrays["images"], json.loads(str(arrays["garments"])))
        described = json.loads(str(arrays["described"]))
        return ComposedPool(
            arrays["references"], arrays["targets"], described["reference_garments"], described["target_garments"], described["texts"]
        )
