"""World preview: a contact sheet PNG and an HTML page showing every task's inputs and targets.

Each row is one record: the input person, the references (garments, a pose, an outfit source),
the target and the target's label map, under a strip naming the task and its instruction.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from atelier.data.images import encode_png
from atelier.world.labels import colourise
from atelier.world.records import GarmentImage, PersonImage, Record
from atelier.world.shards import write_bytes_atomic
from atelier.world.tasks import make_record
from atelier.world.vocabulary import RECORD_KINDS

STRIP = 18  # pixels of caption above each row


def record_panels(record: Record) -> list[tuple[str, np.ndarray]]:
    """The pictures of a record in reading order, each with a short title."""
    panels: list[tuple[str, np.ndarray]] = []
    if record.person is not None:
        panels.append(("person", record.person.image))
    if record.outfit_source is not None:
        panels.append(("outfit source", record.outfit_source.image))
    if record.pose is not None:
        panels.append(("target pose", record.pose.image))
    for garment in record.garments:
        panels.append((garment.category, garment.image))
    if isinstance(record.target, PersonImage):
        panels.append(("target", record.target.image))
        if record.target.labels is not None:
            panels.append(("target labels", colourise(record.target.labels)))
    elif isinstance(record.target, GarmentImage):
        panels.append(("target " + record.target.category, record.target.image))
    if record.person is not None and record.person.labels is not None:
        panels.append(("person labels", colourise(record.person.labels)))
    return panels


def _row(record: Record, width: int, size_hw: tuple[int, int]) -> Image.Image:
    height, tile_w = size_hw
    row = Image.new("RGB", (width, height + STRIP), (255, 255, 255))
    draw = ImageDraw.Draw(row)
    font = ImageFont.load_default(size=12)
    words = record.instruction or " / ".join(record.captions.values())
    draw.text((4, 2), f"{record.kind}: {words}"[: width // 6], fill=(20, 20, 20), font=font)
    for i, (_, picture) in enumerate(record_panels(record)):
        if (i + 1) * tile_w > width:
            break
        row.paste(Image.fromarray(picture), (i * tile_w, STRIP))
    return row


def contact_sheet(records: list[Record], size_hw: tuple[int, int], max_tiles: int = 10) -> Image.Image:
    """One row per record, all rows as wide as the widest (at most `max_tiles` pictures)."""
    tiles = min(max_tiles, max(len(record_panels(r)) for r in records))
    width = tiles * size_hw[1]
    rows = [_row(r, width, size_hw) for r in records]
    sheet = Image.new("RGB", (width, sum(r.height for r in rows)), (255, 255, 255))
    y = 0
    for row in rows:
        sheet.paste(row, (0, y))
        y += row.height
    return sheet


def _html_page(records: list[Record], image_dir: str) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Atelier world preview</title>",
        "<style>body{font-family:sans-serif;margin:20px;background:#fafafa}figure{display:inline-block;margin:4px;text-align:center}"
        "figcaption{font-size:12px;color:#555}section{background:#fff;border:1px solid #ddd;padding:10px;margin:12px 0}"
        "h2{font-size:16px;margin:0 0 6px}p{margin:4px 0;font-size:14px}</style></head><body>",
        "<h1>The fashion world</h1><p>Every task's inputs beside its ground-truth target and label maps.</p>",
    ]
    for record in records:
        parts.append(f"<section><h2>{html.escape(record.kind)} — <code>{html.escape(record.key)}</code></h2>")
        if record.instruction:
            parts.append(f"<p><b>Instruction:</b> {html.escape(record.instruction)}</p>")
        for style, caption in record.captions.items():
            parts.append(f"<p><b>{html.escape(style)}:</b> {html.escape(caption)}</p>")
        for i, (title, _) in enumerate(record_panels(record)):
            src = f"{image_dir}/{record.key}-{i}.png"
            parts.append(f"<figure><img src='{src}' alt='{html.escape(title)}'><figcaption>{html.escape(title)}</figcaption></figure>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_preview(
    out: str | os.PathLike,
    *,
    seed: int = 0,
    split: str = "train",
    per_kind: int = 2,
    size_hw: tuple[int, int] = (256, 192),
    kinds: tuple[str, ...] = RECORD_KINDS,
) -> tuple[Path, Path]:
    """Render `per_kind` records of every kind and write `contact_sheet.png` and `index.html`.

    Returns:
        (contact sheet path, HTML page path).
    """
    out_path = Path(out)
    (out_path / "images").mkdir(parents=True, exist_ok=True)
    records = [make_record(kind, split, seed, k * len(RECORD_KINDS) + RECORD_KINDS.index(kind), size_hw) for kind in kinds for k in range(per_kind)]
    for record in records:
        for i, (_, picture) in enumerate(record_panels(record)):
            write_bytes_atomic(out_path / "images" / f"{record.key}-{i}.png", encode_png(picture))
    sheet_path = out_path / "contact_sheet.png"
    write_bytes_atomic(sheet_path, encode_png(np.asarray(contact_sheet(records, size_hw)), compress_level=6))
    html_path = out_path / "index.html"
    write_bytes_atomic(html_path, _html_page(records, "images").encode())
    return sheet_path, html_path
