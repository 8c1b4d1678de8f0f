"""Export the world into the real datasets' layouts (VITON-HD, DressCode, DressCode-MR, Fashion-IQ).

The exported trees are read by the same readers a user points at a real download, which is
how those readers are tested and how a model trained on real layouts can be run on the world.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from tqdm import tqdm

from atelier.data.dresscode import write_dresscode, write_dresscode_mr
from atelier.data.fashioniq import write_fashioniq
from atelier.data.vitonhd import write_vitonhd
from atelier.world.records import Record
from atelier.world.tasks import make_record

EXPORT_FORMATS = ("vitonhd", "dresscode", "dresscode-mr", "fashioniq")


def _fits_vitonhd(record: Record) -> bool:
    return record.garments[0].category == "top"


def _fits_dresscode(record: Record) -> bool:
    return record.garments[0].category in ("top", "pants", "skirt", "dress")


def _fits_dresscode_mr(record: Record) -> bool:
    categories = [g.category for g in record.garments]
    return "hat" not in categories and not ("top" in categories and "coat" in categories)


def _fits_fashioniq(record: Record) -> bool:
    return record.garments[0].category in ("top", "dress")


# format -> (record kind it exports, which of those records the layout can hold, writer)
_EXPORTS: dict[str, tuple[str, Callable[[Record], bool], Callable[..., int]]] = {
    "vitonhd": ("single", _fits_vitonhd, write_vitonhd),
    "dresscode": ("single", _fits_dresscode, write_dresscode),
    "dresscode-mr": ("multi", _fits_dresscode_mr, write_dresscode_mr),
    "fashioniq": ("composed", _fits_fashioniq, write_fashioniq),
}


def layout_split(fmt: str, split: str) -> str:
    """The split name a layout uses for a world split (VITON-HD and DressCode have no val)."""
    if fmt == "fashioniq":
        return split
    if fmt == "dresscode-mr":
        return "test" if split != "train" else "train"
    return "train" if split == "train" else "test"


def exportable_records(fmt: str, split: str, n: int, seed: int, size_hw: tuple[int, int]) -> Iterator[Record]:
    """The first `n` world records of the kind `fmt` holds that its layout can represent."""
    if fmt not in _EXPORTS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {EXPORT_FORMATS}")
    kind, fits, _ = _EXPORTS[fmt]
    produced, index = 0, 0
    while produced < n:
        record = make_record(kind, split, seed, index, size_hw)
        index += 1
        if fits(record):
            produced += 1
            yield record


def export_world(
    fmt: str,
    out: str | os.PathLike,
    *,
    split: str = "test",
    n: int = 100,
    seed: int = 0,
    size_hw: tuple[int, int] = (256, 192),
    show_progress: bool = True,
) -> int:
    """Write `n` world records of `split` into `out` in layout `fmt`; returns the count written."""
    if fmt not in _EXPORTS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {EXPORT_FORMATS}")
    records = exportable_records(fmt, split, n, seed, size_hw)
    _, _, writer = _EXPORTS[fmt]
    Path(out).mkdir(parents=True, exist_ok=True)
    bar = tqdm(records, total=n, desc=f"export {fmt}", unit="rec", disable=not show_progress)
    return writer(bar, out, split=layout_split(fmt, split))
