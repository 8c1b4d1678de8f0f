"""A record as a set of named files (WebDataset style) and back.

One record is `<key>.json` (everything that is not a picture) plus one PNG per picture:
`<key>.person.png`, `<key>.person.labels.png`, `<key>.person.pose.png`, `<key>.garment0.png`,
`<key>.garment0.mask.png`, ..., `<key>.target.png` (+ `.labels.png`/`.pose.png` for a person
target, `.mask.png` for a garment target), `<key>.pose.png`, `<key>.source.png` (the outfit
source of model-to-model). PNG keeps label maps and pictures exact.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from atelier.data.images import decode_image, decode_label_map, encode_png
from atelier.world.records import GarmentImage, PersonImage, Record

FORMAT_VERSION = 1
_PERSON_SLOTS = ("person", "pose", "outfit_source")
_SLOT_FILE = {"person": "person", "pose": "pose", "outfit_source": "source", "target": "target"}


def _person_files(prefix: str, person: PersonImage, files: dict[str, bytes]) -> dict[str, Any]:
    files[f"{prefix}.png"] = encode_png(person.image)
    if person.labels is not None:
        files[f"{prefix}.labels.png"] = encode_png(person.labels)
    if person.pose_map is not None and person.pose_map is not person.image:
        files[f"{prefix}.pose.png"] = encode_png(person.pose_map)
    return {
        "type": "person",
        "person_id": person.person_id,
        "body": person.body,
        "garment_ids": person.garment_ids,
        "keypoints": None if person.keypoints is None else np.round(person.keypoints, 3).tolist(),
        "pose_map_is_image": person.pose_map is not None and person.pose_map is person.image,
    }


def _garment_files(prefix: str, garment: GarmentImage, files: dict[str, bytes]) -> dict[str, Any]:
    files[f"{prefix}.png"] = encode_png(garment.image)
    if garment.mask is not None:
        files[f"{prefix}.mask.png"] = encode_png(garment.mask.astype(np.uint8) * 255)
    return {"type": "garment", "category": garment.category, "garment_id": garment.garment_id, "attributes": garment.attributes}


def record_to_files(record: Record) -> dict[str, bytes]:
    """Suffix (e.g. `person.png`, `json`) -> bytes, for one record."""
    files: dict[str, bytes] = {}
    meta: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "key": record.key,
        "kind": record.kind,
        "split": record.split,
        "instruction": record.instruction,
        "captions": record.captions,
        "extra": record.extra,
        "garments": [_garment_files(f"garment{i}", g, files) for i, g in enumerate(record.garments)],
    }
    for slot in (*_PERSON_SLOTS, "target"):
        value = getattr(record, slot)
        if value is None:
            meta[slot] = None
        elif isinstance(value, PersonImage):
            meta[slot] = _person_files(_SLOT_FILE[slot], value, files)
        else:
            meta[slot] = _garment_files(_SLOT_FILE[slot], value, files)
    files["json"] = json.dumps(meta, sort_keys=True).encode()
    return files


def _read_person(prefix: str, meta: dict[str, Any], files: dict[str, bytes], key: str) -> PersonImage:
    image = decode_image(files[f"{prefix}.png"], name=f"{key}.{prefix}.png")
    labels = files.get(f"{prefix}.labels.png")
    pose = files.get(f"{prefix}.pose.png")
    return PersonImage(
        image=image,
        labels=None if labels is None else decode_label_map(labels, name=f"{key}.{prefix}.labels.png"),
        keypoints=None if meta["keypoints"] is None else np.asarray(meta["keypoints"], dtype=np.float32),
        pose_map=image if meta.get("pose_map_is_image") else None if pose is None else decode_image(pose, name=f"{key}.{prefix}.pose.png"),
        person_id=meta["person_id"],
        body=meta["body"],
        garment_ids=meta["garment_ids"],
    )


def _read_garment(prefix: str, meta: dict[str, Any], files: dict[str, bytes], key: str) -> GarmentImage:
    mask = files.get(f"{prefix}.mask.png")
    return GarmentImage(
        category=meta["category"],
        image=decode_image(files[f"{prefix}.png"], name=f"{key}.{prefix}.png"),
        mask=None if mask is None else decode_label_map(mask, name=f"{key}.{prefix}.mask.png") > 127,
        garment_id=meta["garment_id"],
        attributes=meta["attributes"],
    )


def record_from_files(files: dict[str, bytes]) -> Record:
    """Inverse of `record_to_files`. Raises KeyError naming a missing file, ValueError for bad JSON."""
    meta = json.loads(files["json"])
    if meta.get("version") != FORMAT_VERSION:
        raise ValueError(f"record {meta.get('key')!r} has format version {meta.get('version')}, expected {FORMAT_VERSION}")
    key = meta["key"]
    slots: dict[str, Any] = {}
    for slot in (*_PERSON_SLOTS, "target"):
        info = meta[slot]
        if info is None:
            slots[slot] = None
        elif info["type"] == "person":
            slots[slot] = _read_person(_SLOT_FILE[slot], info, files, key)
        else:
            slots[slot] = _read_garment(_SLOT_FILE[slot], info, files, key)
    return Record(
        key=key,
        kind=meta["kind"],
        split=meta["split"],
        instruction=meta["instruction"],
        garments=[_read_garment(f"garment{i}", g, files, key) for i, g in enumerate(meta["garments"])],
        captions=meta["captions"],
        extra=meta["extra"],
        **slots,
    )
