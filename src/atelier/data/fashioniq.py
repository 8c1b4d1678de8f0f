"""Fashion-IQ: read a real copy, or export composed-retrieval records into its layout.

    <root>/captions/cap.<category>.<split>.json
        [{"target": id, "candidate": id, "captions": [s1, s2]}, ...]   (no "target" in test)
    <root>/image_splits/split.<category>.<split>.json    [id, ...]  the split's gallery
    <root>/images/<id>.png

with categories dress, shirt, toptee and splits train, val, test. A captions entry is a
composed-retrieval query: the candidate garment plus the two modification texts should retrieve
the target.

Categories: dress <-> "dress"; shirt and toptee -> "top" (the Fashion-IQ name is kept in
`extra["fashioniq_category"]`). Writing, a record without that key gets it from its garment:
"dress" -> dress, "top" -> shirt when the top has a collar (neckline "collar" in its attributes),
toptee otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from atelier.data.layout_files import (
    Listing,
    layout_error,
    read_image,
    read_json,
    require_dir,
    save_image,
    write_json_atomic,
)
from atelier.world.records import GarmentImage, Record

FASHIONIQ_CATEGORIES = ("dress", "shirt", "toptee")
CATEGORY_OF_FASHIONIQ = {"dress": "dress", "shirt": "top", "toptee": "top"}
CAPTION_JOINER = " and "
"""Fashion-IQ's two captions describe one change together; the instruction joins them."""

_IMAGE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def captions_path(root: Path, category: str, split: str) -> Path:
    """`captions/cap.<category>.<split>.json`."""
    return root / "captions" / f"cap.{category}.{split}.json"


def image_split_path(root: Path, category: str, split: str) -> Path:
    """`image_splits/split.<category>.<split>.json`."""
    return root / "image_splits" / f"split.{category}.{split}.json"


def image_path(root: Path, image_id: str) -> Path:
    """`images/<id>.png`; a copy that kept the shop's `.jpg` files is accepted too."""
    path = root / "images" / f"{image_id}.png"
    jpeg = path.with_suffix(".jpg")
    return jpeg if not path.is_file() and jpeg.is_file() else path


def read_fashioniq(
    root: str | Path, split: str = "train", *, categories: Sequence[str] = FASHIONIQ_CATEGORIES
) -> Iterator[Record]:
    """Read one split's captions as composed-retrieval records, lazily.

    Captions and gallery files are parsed and checked now; images are read as records are reached.

    Args:
        root: the Fashion-IQ folder.
        split: "train", "val" or "test".
        categories: Fashion-IQ categories to read.

    Returns:
        Iterator of `Record(kind="composed")`, category by category: `garments` the candidate,
        `instruction` the captions joined with " and " (the list in `extra["captions"]`),
        `target` the target garment (None where the entry has none, as in test).

    Raises:
        DatasetLayoutError: a missing or malformed captions or gallery file, or a missing
            `images/` folder, now; a missing or unreadable image when its record is read.
    """
    root = Path(root)
    _check_categories(categories)
    queries = []
    for category in categories:
        path = captions_path(root, category, split)
        entries = _entries(path, split)
        read_image_split(root, category, split)  # checked, so a broken gallery fails now
        queries.extend(
            (category, path, number, entry) for number, entry in enumerate(entries, start=1)
        )
    require_dir(root / "images")
    return (_query_record(root, split, *query) for query in queries)


def read_image_split(root: str | Path, category: str, split: str) -> list[str]:
    """The gallery ids of one category and split; problems -> DatasetLayoutError."""
    path = image_split_path(Path(root), category, split)
    ids = read_json(path)
    if not isinstance(ids, list) or not all(
        isinstance(i, str) and _IMAGE_ID.fullmatch(i) for i in ids
    ):
        raise layout_error(path, "expected a JSON list of image ids")
    return ids


def read_fashioniq_gallery(root: str | Path, category: str, split: str) -> Iterator[GarmentImage]:
    """The split's gallery of one category as garments (Atelier category, id), lazily."""
    root = Path(root)
    listing_path = image_split_path(root, category, split)
    ids = read_image_split(root, category, split)
    return (
        _garment(root, category, image_id, Listing(listing_path, n))
        for n, image_id in enumerate(ids, start=1)
    )


def _entries(path: Path, split: str) -> list[dict[str, Any]]:
    """Parse and check a captions file."""
    entries = read_json(path)
    if not isinstance(entries, list):
        raise layout_error(path, "expected a JSON list of caption entries")
    for number, entry in enumerate(entries, start=1):
        problem = _entry_problem(entry)
        if problem:
            raise layout_error(path, f"entry {number}: {problem}")
    return entries


def _entry_problem(entry: Any) -> str:
    if not isinstance(entry, dict):
        return "not an object"
    for key in ("candidate", "target"):
        if key in entry and not (isinstance(entry[key], str) and _IMAGE_ID.fullmatch(entry[key])):
            return f"{key!r} is not an image id"
    if "candidate" not in entry:
        return 'no "candidate"'
    captions = entry.get("captions")
    if (
        not isinstance(captions, list)
        or not captions
        or not all(isinstance(c, str) for c in captions)
    ):
        return '"captions" is not a non-empty list of strings'
    return ""


def _query_record(
    root: Path, split: str, category: str, path: Path, number: int, entry: dict
) -> Record:
    listing = Listing(path, number)
    target_id = entry.get("target")
    captions = list(entry["captions"])
    return Record(
        key=f"fashioniq/{category}/{split}/{number:06d}",
        kind="composed",
        split=split,
        instruction=CAPTION_JOINER.join(captions),
        garments=[_garment(root, category, entry["candidate"], listing)],
        target=None if target_id is None else _garment(root, category, target_id, listing),
        extra={"source": "fashioniq", "fashioniq_category": category, "captions": captions},
    )


def _garment(root: Path, category: str, image_id: str, listing: Listing) -> GarmentImage:
    image = read_image(image_path(root, image_id), listing)
    return GarmentImage(category=CATEGORY_OF_FASHIONIQ[category], image=image, garment_id=image_id)


def write_fashioniq(records: Iterable[Record], root: str | Path, split: str = "train") -> int:
    """Export composed-retrieval records as one split of a Fashion-IQ tree.

    Each record becomes a captions entry; candidate and target images are written once per id as
    `images/<garment_id>.png`; the gallery lists every id the split's entries use, in order of
    first use. All three categories' captions and gallery files are written (empty lists where no
    record belongs), atomically, after the images.

    Args:
        records: composed records with one reference garment, a target garment or None, and
            `extra["captions"]` (else the instruction is the one caption).
        root: destination Fashion-IQ folder.
        split: "train", "val" or "test".

    Returns:
        Number of captions entries written.

    Raises:
        ValueError: a record Fashion-IQ cannot hold (category, ids, shape).
    """
    root = Path(root)
    (root / "images").mkdir(parents=True, exist_ok=True)
    entries: dict[str, list[dict[str, Any]]] = {category: [] for category in FASHIONIQ_CATEGORIES}
    galleries: dict[str, dict[str, None]] = {category: {} for category in FASHIONIQ_CATEGORIES}
    written: set[str] = set()
    for record in records:
        category = fashioniq_category(record)
        garments = [record.garments[0]] + ([record.target] if record.target is not None else [])
        for garment in garments:
            if garment.garment_id not in written:
                save_image(garment.image, root / "images" / f"{garment.garment_id}.png")
                written.add(garment.garment_id)
            galleries[category].setdefault(garment.garment_id)
        entry: dict[str, Any] = {}
        if record.target is not None:
            entry["target"] = record.target.garment_id
        entry["candidate"] = record.garments[0].garment_id
        entry["captions"] = list(record.extra.get("captions") or [record.instruction])
        entries[category].append(entry)
    for category in FASHIONIQ_CATEGORIES:
        write_json_atomic(captions_path(root, category, split), entries[category])
        write_json_atomic(image_split_path(root, category, split), list(galleries[category]))
    return sum(len(category_entries) for category_entries in entries.values())


def fashioniq_category(record: Record) -> str:
    """The Fashion-IQ category a record is written under, after checking the record's shape.

    Raises:
        ValueError: not one reference garment, a target that is not a garment, a garment id that
            is not a plain name, or a category Fashion-IQ does not have.
    """
    if len(record.garments) != 1:
        raise ValueError(f"record {record.key}: Fashion-IQ needs exactly one reference garment")
    target = record.target
    if target is not None and not isinstance(target, GarmentImage):
        raise ValueError(f"record {record.key}: a Fashion-IQ target is a garment image")
    for garment in [record.garments[0]] + ([target] if target is not None else []):
        if not _IMAGE_ID.fullmatch(garment.garment_id):
            raise ValueError(
                f"record {record.key}: garment id {garment.garment_id!r} is not a plain image id"
            )
    captions = record.extra.get("captions")
    if captions is not None and not (
        isinstance(captions, list) and all(isinstance(c, str) for c in captions)
    ):
        raise ValueError(f"record {record.key}: extra['captions'] must be a list of strings")
    named = record.extra.get("fashioniq_category")
    if named is not None:
        _check_categories([named])
        return named
    garment = record.garments[0]
    if garment.category == "dress":
        return "dress"
    if garment.category == "top":
        return "shirt" if _neckline(garment) == "collar" else "toptee"
    raise ValueError(f"record {record.key}: Fashion-IQ has no {garment.category!r} category")


def _neckline(garment: GarmentImage) -> str | None:
    """The top's neckline: attributes hold it flat, or under "shape" as `Garment.to_dict` gives."""
    shape = garment.attributes.get("shape")
    if isinstance(shape, dict) and "neckline" in shape:
        return shape["neckline"]
    return garment.attributes.get("neckline")


def _check_categories(categories: Sequence[str]) -> None:
    unknown = [category for category in categories if category not in FASHIONIQ_CATEGORIES]
    if unknown:
        raise ValueError(
            f"unknown Fashion-IQ categories {unknown}; expected {FASHIONIQ_CATEGORIES}"
        )
