"""What a model under test is given: a record stripped of its target and of every label.

A real try-on system gets photos, product shots and an instruction, nothing a renderer knows.
`strip_record` keeps exactly that: the person photo (with the 18 keypoints a pose estimator would
give), each product shot with its category and cloth mask (VITON-HD and DressCode ship cloth
masks), the target pose's keypoints and skeleton picture (the pose task's input), the
outfit-source photo (model-to-model), the instruction, and for try-off the category to take off.
Label maps, garment ids, attributes, identities and the target never reach a model; the arrays
are read-only copies so a model cannot write into the ground truth either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atelier.world.records import GarmentImage, PersonImage, Record


@dataclass(frozen=True)
class ProductShot:
    """A reference garment as a shop shows it.

    Attributes:
        image: (H, W, 3) uint8.
        category: one of `vocabulary.CATEGORIES`.
        mask: (H, W) bool cloth mask, or None.
    """

    image: np.ndarray
    category: str
    mask: np.ndarray | None = None


@dataclass(frozen=True)
class BenchRequest:
    """The inputs of one bench sample, as a model sees them.

    Attributes:
        key: the sample's id (the record key); a model may use it only to seed randomness.
        task: single, multi, modelfree, tryoff, pose, m2m or edit.
        instruction: the text instruction.
        size_hw: (H, W) of the image the model must return.
        person: (H, W, 3) uint8 photo of the person, None for model-free generation.
        person_keypoints: (18, 3) OpenPose-18 (x, y, confidence) of the person, or None.
        garments: reference product shots (single, multi, modelfree).
        pose_keypoints: (18, 3) keypoints of the pose to render (pose task), or None.
        pose_map: (H, W, 3) uint8 rendered skeleton of that pose, or None.
        outfit_source: (H, W, 3) uint8 photo whose outfit to transfer (m2m), or None.
        outfit_source_keypoints: (18, 3) keypoints of that photo, or None.
        category: the garment to take off (tryoff), or None.
    """

    key: str
    task: str
    instruction: str
    size_hw: tuple[int, int]
    person: np.ndarray | None = None
    person_keypoints: np.ndarray | None = None
    garments: tuple[ProductShot, ...] = ()
    pose_keypoints: np.ndarray | None = None
    pose_map: np.ndarray | None = None
    outfit_source: np.ndarray | None = None
    outfit_source_keypoints: np.ndarray | None = None
    category: str | None = None


def _read_only(array: np.ndarray | None) -> np.ndarray | None:
    if array is None:
        return None
    copy = np.array(array, copy=True)
    copy.setflags(write=False)
    return copy


def _photo(person: PersonImage | None) -> tuple[np.ndarray | None, np.ndarray | None]:
    if person is None:
        return None, None
    return _read_only(person.image), _read_only(person.keypoints)


def strip_record(record: Record) -> BenchRequest:
    """The request a model gets for `record`: inputs only (see the module docstring)."""
    if not isinstance(record.target, PersonImage | GarmentImage):
        raise TypeError(f"record {record.key} has no image target to score against")
    size_hw = tuple(record.target.image.shape[:2])
    person, person_keypoints = _photo(record.person)
    source, source_keypoints = _photo(record.outfit_source)
    garments = tuple(ProductShot(_read_only(g.image), g.category, _read_only(g.mask)) for g in record.garments)
    pose = record.pose
    return BenchRequest(
        key=record.key,
        task=record.kind,
        instruction=record.instruction,
        size_hw=size_hw,
        person=person,
        person_keypoints=person_keypoints,
        garments=garments,
        pose_keypoints=_read_only(pose.keypoints) if pose is not None else None,
        pose_map=_read_only(pose.pose_map) if pose is not None else None,
        outfit_source=source,
        outfit_source_keypoints=source_keypoints,
        category=record.extra.get("category") if record.kind == "tryoff" else None,
    )
