"""DressCode and DressCode-MR: read a real copy, or export records into their layouts.

DressCode, one folder per garment group (`upper_body`, `lower_body`, `dresses`):

    <group>/train_pairs.txt, test_pairs_paired.txt, test_pairs_unpaired.txt
                                         "<id>_0.jpg <id>_1.jpg" per line
    <group>/images/<id>_0.jpg            the model photo
    <group>/images/<id>_1.jpg            the product shot
    <group>/keypoints/<id>_2.json        OpenPose-18, see `atelier.data.openpose`
    <group>/label_maps/<id>_4.png        ATR parse, ids of `label_sets.DRESSCODE_LABELS`
    <group>/skeletons/<id>_5.jpg         rendered skeleton
    <group>/dense/                       DensePose (optional; neither read nor written)

Garment groups and categories: `upper_body` -> "top" (ATR does not tell a coat from a top, so
Atelier coats are written there and read back as tops); `dresses` <-> "dress"; `lower_body` ->
"skirt" or "pants", decided by the ATR label map of the garment's own photo (`<cloth id>_4.png`):
skirt when it shows more skirt than pants pixels, else pants, and pants when that photo's label
map is absent (as for an exported unpaired line, whose cloth has no photo).

DressCode-MR (multi-reference), at its root: `test.jsonl` (paired) and `test_unpair.jsonl`, one
JSON object a line with keys `person`, `upper`, `lower`, `overall`, `shoe`, `bag`, each a path
relative to the root (null or absent where the outfit has no such item). Slots and categories:
upper <- top or coat (read as top), lower <- pants or skirt (read as pants: the layout does not
say which), overall <-> dress, shoe <-> shoes, bag <-> bag; hats have no slot.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from atelier.data.label_sets import (
    DRESSCODE_LABEL_ID,
    DRESSCODE_LABELS,
    dresscode_to_internal,
    internal_to_dresscode,
    label_palette,
)
from atelier.data.layout_errors import DatasetLayoutError
from atelier.data.layout_files import (
    Listing,
    Pair,
    check_same_size,
    inside,
    layout_error,
    read_image,
    read_label_map,
    read_pairs,
    read_text,
    require_dir,
    save_image,
    save_label_map,
    write_lines_atomic,
)
from atelier.data.openpose import (
    read_dresscode_keypoints,
    render_pose_map,
    write_dresscode_keypoints,
)
from atelier.world.records import GarmentImage, PersonImage, Record

GARMENT_GROUPS = ("upper_body", "lower_body", "dresses")
REQUIRED_FOLDERS = ("images", "keypoints", "label_maps", "skeletons")
SPLITS = ("train", "test")
PAIRINGS = ("paired", "unpaired")

GROUP_OF_CATEGORY = {
    "top": "upper_body",
    "coat": "upper_body",
    "pants": "lower_body",
    "skirt": "lower_body",
    "dress": "dresses",
}
_READ_CATEGORY = {"upper_body": "top", "dresses": "dress"}  # lower_body is decided per garment

MR_SLOTS = ("upper", "lower", "overall", "shoe", "bag")
MR_SLOT_OF_CATEGORY = {
    "top": "upper",
    "coat": "upper",
    "pants": "lower",
    "skirt": "lower",
    "dress": "overall",
    "shoes": "shoe",
    "bag": "bag",
}
MR_CATEGORY_OF_SLOT = {
    "upper": "top",
    "lower": "pants",
    "overall": "dress",
    "shoe": "shoes",
    "bag": "bag",
}


def pairs_file_name(split: str, pairing: str) -> str:
    """DressCode's pairs file for a split: train has one, test one per pairing."""
    if split not in SPLITS or pairing not in PAIRINGS:
        raise ValueError(
            f"DressCode has splits {SPLITS} and pairings {PAIRINGS}, got {split!r}, {pairing!r}"
        )
    return "train_pairs.txt" if split == "train" else f"test_pairs_{pairing}.txt"


# --- DressCode: reading --------------------------------------------------------------------------


def read_dresscode(
    root: str | Path,
    split: str = "train",
    *,
    pairing: str = "paired",
    groups: Sequence[str] | None = None,
) -> Iterator[Record]:
    """Read one split of a DressCode tree as try-on records, lazily.

    Args:
        root: the DressCode folder holding the garment-group folders.
        split: "train" (reads `train_pairs.txt`) or "test".
        pairing: for "test", "paired" or "unpaired" picks `test_pairs_<pairing>.txt`.
        groups: garment groups to read, all required; None reads those present.

    Returns:
        Iterator of `Record(kind="single")`, group by group in `GARMENT_GROUPS` order: `person` the
        photo with labels (internal set), keypoints (photo pixels) and skeleton; `garments` the
        product shot; `target` the photo again for paired lines, None for unpaired.

    Raises:
        DatasetLayoutError: a missing group folder, pairs file or required folder now; a missing
            or malformed file named by a pairs line when its record is read.
    """
    root = Path(root)
    file_name = pairs_file_name(split, pairing)
    if groups is None:
        groups = [group for group in GARMENT_GROUPS if (root / group).is_dir()]
        if not groups:
            raise DatasetLayoutError(root, f"no garment-group folder ({', '.join(GARMENT_GROUPS)})")
    unknown = set(groups) - set(GARMENT_GROUPS)
    if unknown:
        raise ValueError(f"unknown DressCode groups {sorted(unknown)}; expected {GARMENT_GROUPS}")
    listed = []
    for group in groups:
        group_dir = require_dir(root / group)
        pairs = read_pairs(group_dir / file_name)
        for folder in REQUIRED_FOLDERS:
            require_dir(group_dir / folder)
        listed.append((group, group_dir, pairs))
    return (
        _read_pair(group, group_dir, split, pair, Listing(group_dir / file_name, pair.line))
        for group, group_dir, pairs in listed
        for pair in pairs
    )


def _id_of(file_name: str, suffix: str, listing: Listing) -> str:
    """The DressCode id in "<id>_0.jpg" / "<id>_1.jpg"."""
    if not file_name.endswith(suffix) or len(file_name) == len(suffix):
        raise layout_error(
            listing.path, f"line {listing.line}: {file_name!r} does not end in {suffix!r}"
        )
    return file_name[: -len(suffix)]


def _read_pair(group: str, group_dir: Path, split: str, pair: Pair, listing: Listing) -> Record:
    person_id = _id_of(pair.person, "_0.jpg", listing)
    cloth_id = _id_of(pair.cloth, "_1.jpg", listing)
    image = read_image(group_dir / "images" / pair.person, listing)
    size_hw = image.shape[:2]
    parse_path = group_dir / "label_maps" / f"{person_id}_4.png"
    parse = read_label_map(parse_path, listing)
    check_same_size(parse_path, parse, size_hw, listing)
    skeleton_path = group_dir / "skeletons" / f"{person_id}_5.jpg"
    skeleton = read_image(skeleton_path, listing)
    check_same_size(skeleton_path, skeleton, size_hw, listing)
    person = PersonImage(
        image=image,
        labels=_to_internal(parse, parse_path, listing),
        keypoints=read_dresscode_keypoints(
            group_dir / "keypoints" / f"{person_id}_2.json", size_hw, listing
        ),
        pose_map=skeleton,
        person_id=person_id,
    )
    paired = person_id == cloth_id
    category = _READ_CATEGORY.get(group) or _lower_body_category(
        group_dir, cloth_id, parse if paired else None, listing
    )
    person.garment_ids = {category: person_id} if paired else {}
    garment = GarmentImage(
        category=category,
        image=read_image(group_dir / "images" / pair.cloth, listing),
        garment_id=cloth_id,
    )
    return Record(
        key=f"dresscode/{group}/{split}/{person_id}/{cloth_id}",
        kind="single",
        split=split,
        person=person,
        garments=[garment],
        target=dataclasses.replace(person) if paired else None,
        extra={
            "source": "dresscode",
            "dresscode_group": group,
            "paired": paired,
            "person_file": pair.person,
            "cloth_file": pair.cloth,
        },
    )


def _to_internal(parse, path: Path, listing: Listing):
    try:
        return dresscode_to_internal(parse)
    except ValueError as error:
        raise layout_error(path, str(error), listing) from None


def _lower_body_category(group_dir: Path, cloth_id: str, parse, listing: Listing) -> str:
    """Skirt or pants, from the ATR parse of the garment's own photo; pants if it has none."""
    if parse is None:
        parse_path = group_dir / "label_maps" / f"{cloth_id}_4.png"
        if not parse_path.is_file():
            return "pants"
        parse = read_label_map(parse_path, listing)
    skirt = int((parse == DRESSCODE_LABEL_ID["skirt"]).sum())
    pants = int((parse == DRESSCODE_LABEL_ID["pants"]).sum())
    return "skirt" if skirt > pants else "pants"


# --- DressCode: writing --------------------------------------------------------------------------


def write_dresscode(records: Iterable[Record], root: str | Path, split: str = "train") -> int:
    """Export single-garment try-on records as one split of a DressCode tree.

    A record with a `PersonImage` target becomes a paired line (its target photo, which wears the
    garment, is the model photo); one without becomes an unpaired line (its person photo, and the
    garment under a second id). Ids are `000000`, `000001`, ... in record order. For "train" every
    line goes to `train_pairs.txt`; for "test" paired and unpaired lines go to their own files.
    All three group folders and the split's pairs files are written, empty where no record
    belongs, so the tree always reads back. Files are written atomically, pairs files last.

    Args:
        records: records with one garment of a DressCode category (top, coat, pants, skirt,
            dress) and a photo carrying labels (internal set) and keypoints.
        root: destination DressCode folder (created if needed).
        split: "train" or "test".

    Returns:
        Number of pairs written.

    Raises:
        ValueError: a record DressCode cannot hold.
    """
    root = Path(root)
    file_names = {pairing: pairs_file_name(split, pairing) for pairing in PAIRINGS}
    lines: dict[tuple[str, str], list[str]] = {
        (group, name): [] for group in GARMENT_GROUPS for name in set(file_names.values())
    }
    for group in GARMENT_GROUPS:
        for folder in REQUIRED_FOLDERS:
            (root / group / folder).mkdir(parents=True, exist_ok=True)
    next_id = 0
    for record in records:
        photo, garment, paired = _single_parts(record)
        group_dir = root / GROUP_OF_CATEGORY[garment.category]
        person_id = f"{next_id:06d}"
        cloth_id = person_id if paired else f"{next_id + 1:06d}"
        next_id += 1 if paired else 2
        _write_photo(group_dir, person_id, photo)
        save_image(garment.image, group_dir / "images" / f"{cloth_id}_1.jpg")
        pairs_name = file_names["paired" if paired else "unpaired"]
        lines[(group_dir.name, pairs_name)].append(f"{person_id}_0.jpg {cloth_id}_1.jpg")
    for (group, name), group_lines in lines.items():
        write_lines_atomic(root / group / name, group_lines)
    return sum(len(group_lines) for group_lines in lines.values())


def _single_parts(record: Record) -> tuple[PersonImage, GarmentImage, bool]:
    """The photo to write, the garment, and whether the line is paired."""
    if len(record.garments) != 1 or record.garments[0].category not in GROUP_OF_CATEGORY:
        categories = [garment.category for garment in record.garments]
        raise ValueError(
            f"record {record.key}: DressCode holds one garment of "
            f"{sorted(GROUP_OF_CATEGORY)}, got {categories}"
        )
    paired = isinstance(record.target, PersonImage)
    photo = record.target if paired else record.person
    if not isinstance(photo, PersonImage) or photo.labels is None or photo.keypoints is None:
        raise ValueError(
            f"record {record.key}: DressCode needs a person photo with labels and keypoints"
        )
    return photo, record.garments[0], paired


def _write_photo(group_dir: Path, person_id: str, photo: PersonImage) -> None:
    size_hw = photo.image.shape[:2]
    save_image(photo.image, group_dir / "images" / f"{person_id}_0.jpg")
    write_dresscode_keypoints(
        photo.keypoints, group_dir / "keypoints" / f"{person_id}_2.json", size_hw
    )
    parse = internal_to_dresscode(photo.labels)
    save_label_map(
        parse, group_dir / "label_maps" / f"{person_id}_4.png", label_palette(len(DRESSCODE_LABELS))
    )
    save_image(
        render_pose_map(photo.keypoints, size_hw), group_dir / "skeletons" / f"{person_id}_5.jpg"
    )


# --- DressCode-MR ---------------------------------------------------------------------------


def mr_file_name(split: str, paired: bool) -> str:
    """DressCode-MR's JSON-lines file: `<split>.jsonl` (paired) or `<split>_unpair.jsonl`."""
    return f"{split}.jsonl" if paired else f"{split}_unpair.jsonl"


def read_dresscode_mr(
    root: str | Path, split: str = "test", *, paired: bool = True
) -> Iterator[Record]:
    """Read DressCode-MR as multi-garment try-on records, lazily.

    Args:
        root: the DressCode-MR folder (paths in the file are relative to it).
        split: the file's stem; DressCode-MR ships "test".
        paired: read `<split>.jsonl` (the photo wears the references: it is the target) or
            `<split>_unpair.jsonl` (no target).

    Returns:
        Iterator of `Record(kind="multi")`: `person` the photo; `garments` one per filled slot
        in `MR_SLOTS` order (their slots in `extra["slots"]`); `target` the photo or None.

    Raises:
        DatasetLayoutError: a missing file now; a malformed line or a missing image when its
            record is read.
    """
    root = Path(root)
    path = root / mr_file_name(split, paired)
    lines = read_text(path).splitlines()
    return (
        _read_mr_line(root, split, paired, text, Listing(path, number))
        for number, text in enumerate(lines, start=1)
        if text.strip()
    )


def _read_mr_line(root: Path, split: str, paired: bool, text: str, listing: Listing) -> Record:
    try:
        entry = json.loads(text)
    except json.JSONDecodeError as error:
        raise layout_error(listing.path, f"line {listing.line}: malformed JSON ({error})") from None
    if not isinstance(entry, dict) or not entry.get("person"):
        raise layout_error(
            listing.path, f'line {listing.line}: expected an object with a "person" path'
        )
    person_path = inside(root, entry["person"], listing)
    person = PersonImage(image=read_image(person_path, listing), person_id=person_path.stem)
    garments, slots = [], []
    for slot in MR_SLOTS:
        if entry.get(slot):
            path = inside(root, entry[slot], listing)
            garments.append(
                GarmentImage(
                    category=MR_CATEGORY_OF_SLOT[slot],
                    image=read_image(path, listing),
                    garment_id=path.stem,
                )
            )
            slots.append(slot)
    if not garments:
        raise layout_error(
            listing.path, f"line {listing.line}: no reference garment ({', '.join(MR_SLOTS)})"
        )
    return Record(
        key=f"dresscode-mr/{split}/{listing.line:06d}/{person_path.stem}",
        kind="multi",
        split=split,
        person=person,
        garments=garments,
        target=dataclasses.replace(person) if paired else None,
        extra={
            "source": "dresscode-mr",
            "paired": paired,
            "slots": slots,
            "person_file": entry["person"],
        },
    )


def write_dresscode_mr(records: Iterable[Record], root: str | Path, split: str = "test") -> int:
    """Export multi-garment records in DressCode-MR's layout.

    Records with a `PersonImage` target go to `<split>.jsonl` with the target photo (it wears the
    references); records without go to `<split>_unpair.jsonl` with the person photo. Images are
    written as `person/<n>.jpg` and `<slot>/<n>.jpg`; every line has all six keys, null for an
    empty slot. Both files are always written.

    Args:
        records: records whose garments fill distinct slots (see the module docstring).
        root: destination folder.
        split: the files' stem.

    Returns:
        Number of lines written.

    Raises:
        ValueError: a garment with no slot (a hat), two garments for one slot, or no photo.
    """
    root = Path(root)
    lines: dict[bool, list[str]] = {True: [], False: []}
    for index, record in enumerate(records):
        slots = _mr_slots(record)
        paired = isinstance(record.target, PersonImage)
        photo = record.target if paired else record.person
        if not isinstance(photo, PersonImage):
            raise ValueError(
                f"record {record.key}: DressCode-MR needs a person photo (target or person)"
            )
        name = f"{index:06d}.jpg"
        entry: dict[str, str | None] = {"person": f"person/{name}"}
        save_image(photo.image, root / "person" / name)
        for slot in MR_SLOTS:
            entry[slot] = None
            if slot in slots:
                entry[slot] = f"{slot}/{name}"
                save_image(slots[slot].image, root / slot / name)
        lines[paired].append(json.dumps(entry))
    for paired, paired_lines in lines.items():
        write_lines_atomic(root / mr_file_name(split, paired), paired_lines)
    return len(lines[True]) + len(lines[False])


def _mr_slots(record: Record) -> dict[str, GarmentImage]:
    """Slot name -> garment for a record, refusing garments DressCode-MR cannot hold."""
    slots: dict[str, GarmentImage] = {}
    for garment in record.garments:
        slot = MR_SLOT_OF_CATEGORY.get(garment.category)
        if slot is None:
            raise ValueError(
                f"record {record.key}: DressCode-MR has no slot for a {garment.category}"
            )
        if slot in slots:
            raise ValueError(f"record {record.key}: two garments for DressCode-MR's {slot!r} slot")
        slots[slot] = garment
    if not slots:
        raise ValueError(f"record {record.key}: DressCode-MR needs at least one garment")
    return slots
