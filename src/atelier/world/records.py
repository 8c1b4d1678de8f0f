"""The records every reader yields: the world's shards and real datasets alike.

Images are numpy arrays, (H, W, 3) uint8 RGB; label maps (H, W) uint8 in the internal label set
(`atelier.world.labels`); keypoints (18, 3) float32 in OpenPose-18 order, (x, y, confidence)
in pixels, confidence 0 for a joint that is not visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class GarmentImage:
    """A garment or accessory shown on its own (a product shot).

    Attributes:
        category: one of `vocabulary.CATEGORIES`.
        image: (H, W, 3) uint8 product image on a plain light background.
        mask: (H, W) bool, True on the garment; None where the source has none.
        garment_id: stable id of the garment (same garment, same id, across records).
        attributes: shape and appearance attributes (see `atelier.world.garments.Garment`).
    """

    category: str
    image: np.ndarray
    mask: np.ndarray | None = None
    garment_id: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class PersonImage:
    """A photo of a person (dressed), with what a parser and a pose estimator would give.

    Attributes:
        image: (H, W, 3) uint8.
        labels: (H, W) uint8 label map in the internal label set, or None.
        keypoints: (18, 3) float32 OpenPose-18 (x, y, confidence), or None.
        pose_map: (H, W, 3) uint8 rendered skeleton, or None.
        person_id: identity id; the same person in another pose or outfit keeps it.
        body: body-model parameters (shape, pose angles, view) where known.
        garment_ids: category -> garment id of what the person wears, where known.
    """

    image: np.ndarray
    labels: np.ndarray | None = None
    keypoints: np.ndarray | None = None
    pose_map: np.ndarray | None = None
    person_id: str = ""
    body: dict[str, Any] = field(default_factory=dict)
    garment_ids: dict[str, str] = field(default_factory=dict)


@dataclass
class Record:
    """One task sample: its inputs and its paired target.

    `kind` decides what is filled:
      single/multi/edit: person + garments (+ instruction) -> target person.
      modelfree: garments + instruction -> target person (person is None).
      tryoff: person -> target garment (garments holds nothing; `category` in extra names it).
      pose: person + pose (keypoints/pose map of the target) -> target person.
      m2m: person (B) + outfit_source (A) -> target (B wearing A's outfit).
      composed: garments = [reference], instruction = modification text -> target garment.
      caption: garments = [garment]; captions = {style: text}; no target.
    """

    key: str
    kind: str
    split: str = "train"
    instruction: str = ""
    person: PersonImage | None = None
    garments: list[GarmentImage] = field(default_factory=list)
    pose: PersonImage | None = None
    outfit_source: PersonImage | None = None
    target: PersonImage | GarmentImage | None = None
    captions: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
