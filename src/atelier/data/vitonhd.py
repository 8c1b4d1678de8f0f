"""VITON-HD (`zalando-hd-resized`): read a real copy, or export records into its layout.

    <root>/{train,test}_pairs.txt          "<person>.jpg <cloth>.jpg" per line
    <root>/<split>/image/<name>.jpg         the model photo
    <root>/<split>/cloth/<name>.jpg         the product shot of the top
    <root>/<split>/cloth-mask/<name>.jpg    0/255 grayscale JPEG
    <root>/<split>/image-parse-v3/<name>.png       P-mode parse, ids of `label_sets.VITONHD_LABELS`
    <root>/<split>/openpose_json/<name>_keypoints.json
    <root>/<split>/openpose_img/<name>_rendered.png   (optional on read)
    <root>/<split>/agnostic-mask/<name>_mask.png      (optional on read) region to inpaint

A line whose two names are equal is paired: the photo shows the person wearing that cloth, so
the record's target is the photo itself. Otherwise it is unpaired and has no target.

`image-parse-agnostic-v3.2/`, `agnostic-v3.2/` and `image-densepose/` are derived inputs of
particular try-on models; the reader does not need them and the writer does not make them
(DensePose needs a DensePose model).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from scipy import ndimage

from atelier.data.label_sets import (
    VITONHD_LABELS,
    internal_to_vitonhd,
    label_palette,
    vitonhd_to_internal,
)
from atelier.data.layout_files import (
    Listing,
    Pair,
    check_same_size,
    layout_error,
    read_image,
    read_label_map,
    read_mask,
    read_pairs,
    require_dir,
    save_image,
    save_label_map,
    save_mask,
    write_lines_atomic,
)
from atelier.data.openpose import read_openpose_json, render_pose_map, write_openpose_json
from atelier.world.labels import LABEL_ID
from atelier.world.records import GarmentImage, PersonImage, Record

REQUIRED_FOLDERS = ("image", "cloth", "cloth-mask", "image-parse-v3", "openpose_json")
GARMENT_CATEGORY = "top"
"""VITON-HD holds upper-body tops only."""

# VITON-HD's parse-agnostic removes the upper clothes (top, dress, coat), the neck and the arms;
# the inpainting mask covers the same body region, grown a little to hide the old outline.
_INPAINT_LABELS = ("top", "dress", "coat", "torso", "neck", "left_arm", "right_arm")


def read_vitonhd(root: str | Path, split: str = "train") -> Iterator[Record]:
    """Read one split of a VITON-HD tree as try-on records, lazily.

    The tree (pairs file and required folders) is checked now; each photo is read when its
    record is reached.

    Args:
        root: the `zalando-hd-resized` folder.
        split: "train" or "test".

    Returns:
        Iterator of `Record(kind="single")`: `person` the photo with its labels (internal set),
        keypoints and, where present, rendered pose; `garments` one "top"; `target` the photo
        again for paired lines, None for unpaired. `extra` holds "paired", the two file names
        and, where `agnostic-mask/` has it, "inpaint_mask" (H, W) bool.

    Raises:
        DatasetLayoutError: a missing pairs file or folder now; a missing or malformed file
            named by a pairs line when its record is read.
    """
    root = Path(root)
    pairs_path = root / f"{split}_pairs.txt"
    pairs = read_pairs(pairs_path)
    split_dir = require_dir(root / split)
    for folder in REQUIRED_FOLDERS:
        require_dir(split_dir / folder)
    return (_read_pair(split_dir, split, pair, Listing(pairs_path, pair.line)) for pair in pairs)


def _read_pair(split_dir: Path, split: str, pair: Pair, listing: Listing) -> Record:
    person_name, cloth_name = Path(pair.person).stem, Path(pair.cloth).stem
    person = _read_photo(split_dir, pair.person, listing)
    cloth_path = split_dir / "cloth" / pair.cloth
    cloth = read_image(cloth_path, listing)
    mask_path = split_dir / "cloth-mask" / pair.cloth
    mask = read_mask(mask_path, listing)
    check_same_size(mask_path, mask, cloth.shape[:2], listing)
    paired = pair.person == pair.cloth
    extra = {
        "source": "vitonhd",
        "paired": paired,
        "person_file": pair.person,
        "cloth_file": pair.cloth,
    }
    inpaint_path = split_dir / "agnostic-mask" / f"{person_name}_mask.png"
    if inpaint_path.is_file():
        extra["inpaint_mask"] = read_mask(inpaint_path, listing)
        check_same_size(inpaint_path, extra["inpaint_mask"], person.image.shape[:2], listing)
    return Record(
        key=f"vitonhd/{split}/{person_name}/{cloth_name}",
        kind="single",
        split=split,
        person=person,
        garments=[
            GarmentImage(category=GARMENT_CATEGORY, image=cloth, mask=mask, garment_id=cloth_name)
        ],
        target=dataclasses.replace(person) if paired else None,
        extra=extra,
    )


def _read_photo(split_dir: Path, file_name: str, listing: Listing) -> PersonImage:
    """Read a model photo with its parse, keypoints and (if present) rendered pose."""
    name = Path(file_name).stem
    image = read_image(split_dir / "image" / file_name, listing)
    parse_path = split_dir / "image-parse-v3" / f"{name}.png"
    parse = read_label_map(parse_path, listing)
    check_same_size(parse_path, parse, image.shape[:2], listing)
    try:
        labels = vitonhd_to_internal(parse)
    except ValueError as error:
        raise layout_error(parse_path, str(error), listing) from None
    keypoints = read_openpose_json(split_dir / "openpose_json" / f"{name}_keypoints.json", listing)
    pose_path = split_dir / "openpose_img" / f"{name}_rendered.png"
    pose_map = read_image(pose_path, listing) if pose_path.is_file() else None
    return PersonImage(
        image=image,
        labels=labels,
        keypoints=keypoints,
        pose_map=pose_map,
        person_id=name,
        garment_ids={GARMENT_CATEGORY: name},  # every VITON-HD photo's top is the cloth of its name
    )


def write_vitonhd(records: Iterable[Record], root: str | Path, split: str = "train") -> int:
    """Export try-on records as one split of a VITON-HD tree.

    A record with a `PersonImage` target becomes a paired line: its target photo (the person
    wearing the garment) is written under the cloth's name. A record without a target becomes an
    unpaired line: its person photo and the cloth get different names. Files are named
    `00000_00`, `00001_00`, ... in record order (an unpaired cloth takes `<n>_01`). Every file is
    written atomically, and the pairs file last, so it never names a file that is not there yet.

    Args:
        records: records with one "top" garment and a photo carrying labels (internal set) and
            keypoints.
        root: destination `zalando-hd-resized` folder (created if needed).
        split: "train" or "test".

    Returns:
        Number of pairs written.

    Raises:
        ValueError: a record VITON-HD cannot hold (see `_parts`).
    """
    root = Path(root)
    split_dir = root / split
    for folder in (*REQUIRED_FOLDERS, "openpose_img", "agnostic-mask"):
        (split_dir / folder).mkdir(parents=True, exist_ok=True)
    lines = []
    for index, record in enumerate(records):
        photo, garment, paired = _parts(record)
        person_name = f"{index:05d}_00"
        cloth_name = person_name if paired else f"{index:05d}_01"
        _write_photo(split_dir, person_name, photo)
        save_image(garment.image, split_dir / "cloth" / f"{cloth_name}.jpg")
        save_mask(garment_mask(garment), split_dir / "cloth-mask" / f"{cloth_name}.jpg")
        lines.append(f"{person_name}.jpg {cloth_name}.jpg")
    write_lines_atomic(root / f"{split}_pairs.txt", lines)
    return len(lines)


def _parts(record: Record) -> tuple[PersonImage, GarmentImage, bool]:
    """The photo to write, the cloth, and whether the line is paired."""
    if len(record.garments) != 1 or record.garments[0].category != GARMENT_CATEGORY:
        categories = [garment.category for garment in record.garments]
        raise ValueError(f"record {record.key}: VITON-HD holds exactly one top, got {categories}")
    paired = isinstance(record.target, PersonImage)
    photo = record.target if paired else record.person
    if not isinstance(photo, PersonImage):
        raise ValueError(f"record {record.key}: VITON-HD needs a person photo (target or person)")
    if photo.labels is None or photo.keypoints is None:
        raise ValueError(f"record {record.key}: VITON-HD needs the photo's labels and keypoints")
    return photo, record.garments[0], paired


def _write_photo(split_dir: Path, name: str, photo: PersonImage) -> None:
    size_hw = photo.image.shape[:2]
    save_image(photo.image, split_dir / "image" / f"{name}.jpg")
    parse = internal_to_vitonhd(photo.labels)
    save_label_map(
        parse, split_dir / "image-parse-v3" / f"{name}.png", label_palette(len(VITONHD_LABELS))
    )
    write_openpose_json(photo.keypoints, split_dir / "openpose_json" / f"{name}_keypoints.json")
    save_image(
        render_pose_map(photo.keypoints, size_hw),
        split_dir / "openpose_img" / f"{name}_rendered.png",
    )
    save_mask(
        upper_body_inpaint_mask(photo.labels), split_dir / "agnostic-mask" / f"{name}_mask.png"
    )


def upper_body_inpaint_mask(labels: np.ndarray) -> np.ndarray:
    """The region an upper-body try-on repaints: upper garments, neck, torso skin and arms, dilated.

    Args:
        labels: (H, W) internal label map.

    Returns:
        (H, W) bool, True where the new top may be drawn.
    """
    region = np.isin(labels, [LABEL_ID[name] for name in _INPAINT_LABELS])
    # About 1.5% of the height: enough to cover the old garment's outline and JPEG fringe.
    radius = max(1, round(labels.shape[0] * 0.015))
    return ndimage.binary_dilation(region, iterations=radius)


def garment_mask(garment: GarmentImage) -> np.ndarray:
    """The garment's mask, or one estimated from its product shot when it has none.

    Product shots lie on a plain light background: the background colour is taken as the median
    of the border pixels and everything clearly different from it is garment.

    Returns:
        (H, W) bool.
    """
    if garment.mask is not None:
        return np.asarray(garment.mask, dtype=bool)
    image = garment.image.astype(np.int16)
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    background = np.median(border, axis=0)
    return np.abs(image - background).max(axis=-1) > 24
