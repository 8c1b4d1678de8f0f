"""Index a folder of product images: embed each one and save a FAISS vector store.

Each image is read through `atelier.data.images.load_image` (the one door for pixels); its
id is the file stem and its metadata the file name and the encoder's fingerprint (so a search
with another encoder is refused instead of returning nonsense).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from atelier.data.images import load_image
from atelier.retrieval.encoder import RetrievalEncoder
from atelier.retrieval.faiss_store import FaissStore
from atelier.retrieval.image_preprocessing import images_to_tensor
from atelier.retrieval.store import DuplicateItem

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
EMBED_BATCH = 64


@dataclass(frozen=True)
class IndexSummary:
    """What `build_image_index` wrote.

    Attributes:
        path: the index folder.
        count: items indexed.
        kind: FAISS index kind.
    """

    path: Path
    count: int
    kind: str


def image_files(folder: str | os.PathLike) -> list[Path]:
    """The image files directly in `folder` (by suffix), sorted by name.

    Raises:
        NotADirectoryError: `folder` is not a folder.
        ValueError: it holds no image file, or two files share a stem (ids must be unique).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"no image folder at {folder}")
    files = sorted(path for path in folder.iterdir() if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ValueError(f"{folder} holds no images ({', '.join(IMAGE_SUFFIXES)})")
    stems: dict[str, Path] = {}
    for path in files:
        if path.stem in stems:
            raise DuplicateItem([path.stem])
        stems[path.stem] = path
    return files


def build_image_index(
    encoder: RetrievalEncoder,
    images: str | os.PathLike,
    out: str | os.PathLike,
    *,
    kind: str = "exact",
    fingerprint: str = "",
    progress: bool = True,
) -> IndexSummary:
    """Embed every image of a folder and save the store to `out` (atomically, by the store).

    Args:
        encoder: the retrieval encoder.
        images: folder of images; every file must decode (a bad one stops the build with its
            name, before anything is written).
        out: the index folder to write (replaced if it exists).
        kind: "exact" or "hnsw" (see `FaissStore`).
        fingerprint: the encoder's fingerprint, kept in every item's metadata.
        progress: show a progress bar.
    """
    files = image_files(images)
    store = FaissStore(encoder.config.embed_dim, kind)
    bar = tqdm(total=len(files), desc="index images", unit="img", disable=not progress)
    for batch in _batches(files, EMBED_BATCH):
        pictures = [load_image(path) for path in batch]
        with torch.no_grad():
            vectors = encoder.embed_images(images_to_tensor(pictures, encoder.config.image_size).to(encoder.device))
        store.add(
            [path.stem for path in batch],
            vectors.cpu().numpy().astype(np.float32),
            [{"file": path.name, "encoder": fingerprint} for path in batch],
        )
        bar.update(len(batch))
    bar.close()
    store.save(out)
    return IndexSummary(Path(out), len(store), kind)


def _batches(items: list[Path], size: int) -> Iterator[list[Path]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
