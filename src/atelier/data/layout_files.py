"""File access shared by the dataset-layout readers and writers.

Reading: every failure (missing file, bad JSON, an image that will not decode) becomes a
`DatasetLayoutError` naming the file and, where a list file named it, that file and line.
Writing: every file is written whole to a temporary name in its folder and moved into place
(`os.replace`), so an interrupted export never leaves a half-written file under a real name.
"""

from __future__ import annotations

import io
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from atelier.data.images import (
    ImageError,
    MissingImage,
    load_image,
    load_label_map,
    save_image_atomic,
)
from atelier.data.layout_errors import DatasetLayoutError

JPEG_QUALITY = 95
"""The real sets ship JPEG photos; 95 keeps a written-then-read image within a few levels."""


@dataclass(frozen=True)
class Listing:
    """Where a file was named: a list file and its 1-based line (or entry) number."""

    path: Path
    line: int


@dataclass(frozen=True)
class Pair:
    """One line of a pairs file: "<person file> <cloth file>"."""

    line: int
    person: str
    cloth: str


def layout_error(path: Path, problem: str, listing: Listing | None = None) -> DatasetLayoutError:
    """A DatasetLayoutError for `path`, naming the list file and line that named it, if any."""
    if listing is None:
        return DatasetLayoutError(path, problem)
    return DatasetLayoutError(path, problem, listed_in=listing.path, line=listing.line)


def require_dir(path: Path) -> Path:
    """Return `path` if it is a folder, else raise DatasetLayoutError naming it."""
    if not path.is_dir():
        raise DatasetLayoutError(path, "missing folder")
    return path


def require_file(path: Path, listing: Listing | None = None) -> Path:
    """Return `path` if it is a file, else raise DatasetLayoutError naming it (and its listing)."""
    if not path.is_file():
        raise layout_error(path, "missing file", listing)
    return path


def plain_file_name(name: str, listing: Listing) -> str:
    """Check that a name from a list file is a bare file name, never a path out of its folder."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise layout_error(
            listing.path, f"line {listing.line}: {name!r} is not a plain file name", None
        )
    return name


def inside(root: Path, relative: str, listing: Listing) -> Path:
    """Resolve a root-relative path from a list file, refusing paths that leave the root."""
    if not isinstance(relative, str) or not relative or Path(relative).is_absolute():
        raise layout_error(
            listing.path, f"line {listing.line}: {relative!r} is not a relative path", None
        )
    path = root / relative
    if os.path.commonpath([root.resolve(), path.resolve()]) != str(root.resolve()):
        raise layout_error(
            listing.path, f"line {listing.line}: {relative!r} leaves the dataset root", None
        )
    return path


def read_text(path: Path, listing: Listing | None = None) -> str:
    """Read a UTF-8 text file; missing or undecodable -> DatasetLayoutError."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise layout_error(path, "missing file", listing) from None
    except (OSError, UnicodeDecodeError) as error:
        raise layout_error(path, f"cannot read as UTF-8 text ({error})", listing) from None


def read_pairs(path: Path) -> list[Pair]:
    """Read a pairs file: one "<person> <cloth>" per line, blank lines skipped.

    Extra columns (some copies add a category) are ignored.

    Raises:
        DatasetLayoutError: the file is missing, or a line has fewer than two names.
    """
    pairs = []
    for number, text in enumerate(read_text(path).splitlines(), start=1):
        fields = text.split()
        if not fields:
            continue
        listing = Listing(path, number)
        if len(fields) < 2:
            raise DatasetLayoutError(
                path, f"line {number} has {len(fields)} name, expected 2: {text!r}"
            )
        pairs.append(
            Pair(number, plain_file_name(fields[0], listing), plain_file_name(fields[1], listing))
        )
    return pairs


def read_json(path: Path, listing: Listing | None = None) -> Any:
    """Parse a JSON file; missing or malformed -> DatasetLayoutError naming it."""
    text = read_text(path, listing)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise layout_error(path, f"malformed JSON ({error})", listing) from None


def read_image(path: Path, listing: Listing | None = None) -> np.ndarray:
    """Decode an image file to (H, W, 3) uint8; any ImageError -> DatasetLayoutError."""
    try:
        return load_image(path)
    except MissingImage:
        raise layout_error(path, "missing file", listing) from None
    except ImageError as error:
        raise layout_error(path, error.reason, listing) from None


def read_label_map(path: Path, listing: Listing | None = None) -> np.ndarray:
    """Decode a label PNG to (H, W) uint8 ids; any ImageError -> DatasetLayoutError."""
    try:
        return load_label_map(path)
    except MissingImage:
        raise layout_error(path, "missing file", listing) from None
    except ImageError as error:
        raise layout_error(path, error.reason, listing) from None


def read_mask(path: Path, listing: Listing | None = None) -> np.ndarray:
    """Decode a 0/255 mask image (JPEG or PNG) to (H, W) bool, split at 128 as VITON-HD does."""
    return read_image(path, listing)[..., 0] >= 128


def check_same_size(
    path: Path, array: np.ndarray, size_hw: tuple[int, int], listing: Listing | None
) -> None:
    """Refuse an annotation whose (H, W) differs from its photo's."""
    if array.shape[:2] != tuple(size_hw):
        raise layout_error(
            path, f"size {array.shape[:2]} differs from its photo's {tuple(size_hw)}", listing
        )


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and `os.replace`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "xb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: Path, value: Any) -> None:
    """Write a JSON document atomically."""
    write_text_atomic(path, json.dumps(value))


def write_lines_atomic(path: Path, lines: list[str]) -> None:
    """Write a list file (pairs, JSON lines), one entry a line, atomically."""
    write_text_atomic(path, "".join(line + "\n" for line in lines))


def save_image(image: np.ndarray, path: Path) -> None:
    """Save an (H, W, 3) or (H, W) uint8 image atomically; the suffix picks JPEG or PNG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image_atomic(image, path, quality=JPEG_QUALITY)


def save_mask(mask: np.ndarray, path: Path) -> None:
    """Save an (H, W) bool mask as a 0/255 grayscale image (JPEG or PNG by suffix)."""
    save_image(np.where(np.asarray(mask, dtype=bool), 255, 0).astype(np.uint8), path)


def save_label_map(labels: np.ndarray, path: Path, palette: list[int]) -> None:
    """Save an (H, W) uint8 label map as a P-mode (palette) PNG, as the real parse maps are.

    Args:
        labels: (H, W) uint8 ids in the dataset's own label set.
        path: destination .png.
        palette: flat 768-entry RGB palette (see `label_sets.label_palette`).
    """
    labels = np.ascontiguousarray(labels, dtype=np.uint8)
    image = Image.frombytes("P", (labels.shape[1], labels.shape[0]), labels.tobytes())
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    write_bytes_atomic(path, buffer.getvalue())
