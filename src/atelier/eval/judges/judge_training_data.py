"""Training examples for the judges, rendered from the fashion world (train split only).

One pass over world records gives both networks their data:
- the parser: every labelled person photo (inputs, targets, outfit sources) at the parser's
  working size, with its label map;
- the feature network: crops (`judge_crops.masked_crop`) of each worn garment and each product
  shot, labelled with category, colour and pattern, and crops of each head (hair and face),
  labelled with skin tone, hair style and hair colour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from atelier.eval.judges.attribute_heads import (
    ATTRIBUTES,
    GARMENT_ATTRIBUTES,
    IDENTITY_ATTRIBUTES,
)
from atelier.eval.judges.judge_crops import masked_crop
from atelier.world.labels import LABEL_ID
from atelier.world.records import GarmentImage, PersonImage, Record
from atelier.world.tasks import kind_for_index, make_record
from atelier.world.vocabulary import CATEGORIES, TASKS

UNKNOWN = -1  # target of an attribute a crop does not show (ignored by the loss)
MIN_GARMENT_PIXELS_FRACTION = 0.0025  # smaller worn regions are too few pixels to name a pattern
HEAD_LABELS = (LABEL_ID["hair"], LABEL_ID["face"])


@dataclass
class ParserExamples:
    """Photos and label maps at the parser's working size.

    Attributes:
        images: (N, h, w, 3) uint8.
        labels: (N, h, w) uint8 internal label maps.
    """

    images: np.ndarray
    labels: np.ndarray


@dataclass
class CropExamples:
    """Labelled crops for the feature network.

    Attributes:
        crops: (N, 3, S, S) uint8.
        targets: attribute name -> (N,) int64 class index, `UNKNOWN` where the crop does not show it.
    """

    crops: np.ndarray
    targets: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.crops)


def labelled_people(record: Record) -> list[PersonImage]:
    """The photos of a record that carry a label map (person, outfit source, person target)."""
    people = [record.person, record.outfit_source, record.target]
    return [p for p in people if isinstance(p, PersonImage) and p.labels is not None]


def garment_attributes_by_id(record: Record) -> dict[str, dict]:
    """garment id -> attributes, for every garment whose attributes a record spells out."""
    known: dict[str, dict] = {}
    products = list(record.garments) + ([record.target] if isinstance(record.target, GarmentImage) else [])
    for product in products:
        if product.garment_id:
            known[product.garment_id] = product.attributes
    for key in ("before", "after"):  # edit records describe the garment before and after
        attributes = record.extra.get(key)
        if isinstance(attributes, dict) and attributes.get("garment_id"):
            known[attributes["garment_id"]] = attributes
    return known


def _garment_targets(attributes: dict) -> dict[str, int]:
    return {name: GARMENT_ATTRIBUTES[name].index(str(attributes[name])) for name in GARMENT_ATTRIBUTES}


def _identity_targets(identity: dict) -> dict[str, int]:
    return {name: IDENTITY_ATTRIBUTES[name].index(str(identity[name])) for name in IDENTITY_ATTRIBUTES}


def crops_of_record(record: Record) -> list[tuple[torch.Tensor, dict[str, int]]]:
    """(crop, targets) of every garment, product shot and head a record shows with known attributes."""
    examples: list[tuple[torch.Tensor, dict[str, int]]] = []
    attributes = garment_attributes_by_id(record)
    products = list(record.garments) + ([record.target] if isinstance(record.target, GarmentImage) else [])
    for product in products:
        crop = masked_crop(product.image, product.mask) if product.mask is not None else None
        if crop is not None and product.attributes:
            examples.append((crop, _garment_targets(product.attributes)))
    for person in labelled_people(record):
        min_pixels = MIN_GARMENT_PIXELS_FRACTION * person.labels.size
        for category in CATEGORIES:
            garment_id = person.garment_ids.get(category)
            region = person.labels == LABEL_ID[category]
            if garment_id in attributes and region.sum() >= min_pixels:
                examples.append((masked_crop(person.image, region), _garment_targets(attributes[garment_id])))
        identity = person.body.get("identity")
        head = np.isin(person.labels, HEAD_LABELS)
        if isinstance(identity, dict) and head.sum() >= 20:
            examples.append((masked_crop(person.image, head), _identity_targets(identity)))
    return examples


def to_working_size(image: np.ndarray, labels: np.ndarray, size_hw: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A photo resized as `ParserNetwork.logits_at_size` resizes it, and its label map (nearest).

    Args:
        image: (H, W, 3) uint8.
        labels: (H, W) uint8.
        size_hw: (h, w) working size.

    Returns:
        (h, w, 3) uint8 and (h, w) uint8.
    """
    tensor = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
    resized = F.interpolate(tensor, size=size_hw, mode="bilinear", antialias=True, align_corners=False)
    small = (resized[0].permute(1, 2, 0).clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    # Nearest sampling at pixel centres keeps every label an actual label (no blending of ids).
    rows = ((np.arange(size_hw[0]) + 0.5) * labels.shape[0] / size_hw[0]).astype(int)
    columns = ((np.arange(size_hw[1]) + 0.5) * labels.shape[1] / size_hw[1]).astype(int)
    return small, labels[np.ix_(rows, columns)]


def draw_judge_examples(
    split: str,
    seed: int,
    num_records: int,
    parser_size_hw: tuple[int, int],
    image_size_hw: tuple[int, int] = (256, 192),
    progress: Callable[[int], None] | None = None,
) -> tuple[ParserExamples, CropExamples]:
    """Render `num_records` try-on records of `split` and cut them into judge training examples.

    Args:
        split: world split ("train" for training, "test" for the parser's held-out score).
        seed: world seed.
        num_records: records rendered; kinds cycle through the try-on tasks.
        parser_size_hw: the parser's working size (h, w).
        image_size_hw: the world's rendering size (H, W).
        progress: called with 1 after each record.

    Returns:
        the parser's examples and the feature network's crops.
    """
    images, label_maps, crops = [], [], []
    targets: dict[str, list[int]] = {name: [] for name in ATTRIBUTES}
    for index in range(num_records):
        record = make_record(kind_for_index(index, TASKS), split, seed, index, image_size_hw)
        for person in labelled_people(record):
            image, labels = to_working_size(person.image, person.labels, parser_size_hw)
            images.append(image)
            label_maps.append(labels)
        for crop, crop_targets in crops_of_record(record):
            crops.append((crop * 255).round().clamp(0, 255).to(torch.uint8).numpy())
            for name in ATTRIBUTES:
                targets[name].append(crop_targets.get(name, UNKNOWN))
        if progress is not None:
            progress(1)
    parser_examples = ParserExamples(np.stack(images), np.stack(label_maps))
    crop_examples = CropExamples(np.stack(crops), {name: np.asarray(v, np.int64) for name, v in targets.items()})
    return parser_examples, crop_examples
