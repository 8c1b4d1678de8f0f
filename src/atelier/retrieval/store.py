"""The vector store interface, its errors and its on-disk snapshot format.

A store maps product ids (strings) to embeddings plus a metadata dict and answers top-k
similarity queries. Every vector is L2-normalised on the way in (items and queries alike), so
the score of a hit is the cosine similarity (= inner product), in [-1, 1], higher is closer.

Backends: `FaissStore` (embedded, in-process) and `QdrantStore` (a Qdrant server, or
qdrant-client's local mode). Both save to a snapshot directory: data files plus a manifest with
each file's SHA-256, swapped in atomically by `write_snapshot` and verified by `open_snapshot`.

Metadata filters are exact matches: `{"category": "dress", "in_stock": True}` keeps items whose
metadata has every key with that value (all keys must match). A list-valued metadata field
matches when any element equals the value (so `{"tags": "summer"}` finds items tagged summer),
which is Qdrant's rule, kept by every backend. Filter values are str, int or bool.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------------------------
# Errors


class StoreError(Exception):
    """Base class of every error a vector store raises."""


class UnknownItem(StoreError, LookupError):
    """An id that the store does not hold was named in update, delete or get."""

    def __init__(self, ids: Sequence[str]):
        self.ids = list(ids)
        super().__init__(f"unknown item id(s): {describe_ids(self.ids)}")


class DuplicateItem(StoreError, ValueError):
    """`add` was given an id the store already holds, or the same id twice."""

    def __init__(self, ids: Sequence[str]):
        self.ids = list(ids)
        super().__init__(
            f"item id(s) already present: {describe_ids(self.ids)} (use update() to replace)"
        )


class DimensionMismatch(StoreError, ValueError):
    """Vectors or queries whose shape does not fit the store's dimension."""


class EmptyQuery(StoreError, ValueError):
    """A search with no query rows, or a query vector of zero length (no direction)."""


class InvalidFilter(StoreError, ValueError):
    """A metadata filter that is not a flat dict of str/int/bool values."""


class CorruptIndex(StoreError):
    """A saved index whose files are missing, unreadable or fail their checksum."""


class IndexNotFound(StoreError, FileNotFoundError):
    """`load` was pointed at a path holding no saved index."""


def describe_ids(ids: Sequence[str], limit: int = 5) -> str:
    """The first `limit` ids, quoted, and how many more: for error messages."""
    shown = ", ".join(repr(item_id) for item_id in ids[:limit])
    return shown if len(ids) <= limit else f"{shown} and {len(ids) - limit} more"


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class SearchHit:
    """One search result.

    Attributes:
        id: the item's id.
        score: cosine similarity between the query and the item, in [-1, 1] up to rounding.
        metadata: the item's metadata (a copy; editing it does not change the store).
    """

    id: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredItem:
    """One item as the store holds it.

    Attributes:
        id: the item's id.
        vector: (D,) float32, L2-normalised.
        metadata: the item's metadata (a copy).
    """

    id: str
    vector: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# The interface


class VectorStore(ABC):
    """Top-k cosine-similarity search over id-keyed, L2-normalised vectors with metadata.

    Writes are not thread-safe: guard a shared store with a lock or give each writer its own.
    """

    @property
    @abstractmethod
    def dim(self) -> int:
        """Dimension D of the vectors."""

    @abstractmethod
    def add(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        """Adds new items.

        Args:
            ids: N distinct ids, none already in the store.
            vectors: (N, D) float; each row is L2-normalised before it is stored.
            metadata: N dicts (JSON-serialisable), or None for empty metadata.

        Raises:
            DuplicateItem: an id is already stored or repeated in `ids`.
            DimensionMismatch: `vectors` is not (N, D).
            StoreError: a row of `vectors` is zero or not finite.
        """

    @abstractmethod
    def update(
        self,
        ids: Sequence[str],
        vectors: np.ndarray | None = None,
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        """Replaces the vectors and/or the metadata of items already stored.

        Args:
            ids: N distinct ids, all in the store.
            vectors: (N, D) new vectors, or None to keep the stored ones.
            metadata: N dicts replacing (not merging into) the stored metadata, or None to keep it.

        Raises:
            UnknownItem: naming every id that is not stored; nothing is changed then.
        """

    @abstractmethod
    def delete(self, ids: Sequence[str]) -> None:
        """Removes items.

        Raises:
            UnknownItem: naming every id that is not stored; nothing is removed then.
        """

    @abstractmethod
    def search(
        self, queries: np.ndarray, k: int, *, filter: dict[str, Any] | None = None
    ) -> list[list[SearchHit]]:
        """Finds the k most similar items to each query.

        Args:
            queries: (Q, D) float; each row is L2-normalised before searching.
            k: hits wanted per query; fewer come back when fewer items (match the filter).
            filter: exact-match metadata filter (see the module docstring), or None.

        Returns:
            Q lists of at most k hits, best first.

        Raises:
            EmptyQuery: Q is 0, or a query row is zero.
            DimensionMismatch: `queries` is not (Q, D).
            InvalidFilter: `filter` is not a flat dict of str/int/bool values.
        """

    @abstractmethod
    def get(self, item_id: str) -> StoredItem:
        """The stored vector and metadata of one item.

        Raises:
            UnknownItem: the id is not stored.
        """

    @abstractmethod
    def __len__(self) -> int:
        """Number of items stored."""

    @abstractmethod
    def __contains__(self, item_id: object) -> bool:
        """Whether an item with this id is stored."""

    @abstractmethod
    def save(self, path: str | os.PathLike) -> None:
        """Writes the store to directory `path` atomically (see `write_snapshot`)."""

    @classmethod
    @abstractmethod
    def load(cls, path: str | os.PathLike, /, **options: Any) -> VectorStore:
        """Reads a store written by `save`, verifying every file's checksum.

        Raises:
            IndexNotFound: nothing was saved at `path`.
            CorruptIndex: naming the file that is missing, unreadable or fails its checksum.
        """

    def close(self) -> None:
        """Releases connections or file locks the store holds (nothing for embedded stores)."""


# ---------------------------------------------------------------------------------------------
# Input checks shared by every backend


def normalise_rows(vectors: np.ndarray, dim: int, *, what: str = "vectors") -> np.ndarray:
    """Checks a (N, D) array and returns it L2-normalised.

    Args:
        vectors: (N, D) array of any float or int dtype.
        dim: the store's dimension D.
        what: name used in error messages.

    Returns:
        (N, D) float32, C-contiguous, every row of unit length.

    Raises:
        DimensionMismatch: the array is not 2-D with D columns.
        StoreError: a row is zero (it has no direction to compare) or holds NaN/inf.
    """
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim != 2 or array.shape[1] != dim:
        raise DimensionMismatch(f"{what} must be (N, {dim}), got shape {array.shape}")
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    bad_rows = np.flatnonzero(~np.isfinite(norms[:, 0]) | (norms[:, 0] == 0))
    if bad_rows.size:
        raise StoreError(
            f"{what} row(s) {bad_rows[:5].tolist()} are zero or not finite and cannot be normalised"
        )
    return np.ascontiguousarray(array / norms)


def prepare_queries(queries: np.ndarray, dim: int, k: int) -> np.ndarray:
    """Checks a search call's queries and k; returns (Q, D) float32 unit rows."""
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    array = np.asarray(queries, dtype=np.float32)
    if array.shape[:1] == (0,):
        raise EmptyQuery(f"search needs at least one query row, got shape {array.shape}")
    if array.ndim != 2 or array.shape[1] != dim:
        raise DimensionMismatch(f"queries must be (Q, {dim}), got shape {array.shape}")
    zero_rows = np.flatnonzero(np.linalg.norm(array, axis=1) == 0)
    if zero_rows.size:
        raise EmptyQuery(f"query row(s) {zero_rows[:5].tolist()} are zero vectors")
    return normalise_rows(array, dim, what="queries")


def check_batch(
    ids: Sequence[str], count: int | None, metadata: Sequence[dict[str, Any]] | None
) -> tuple[list[str], list[dict[str, Any]] | None]:
    """Checks ids (distinct strings) and metadata (one dict per id) of a write.

    Args:
        ids: the ids of the write.
        count: number of vector rows given with them, or None when no vectors are given.
        metadata: one dict per id, or None.

    Returns:
        The ids as a list, and the metadata as a list of shallow copies (or None).
    """
    ids = list(ids)
    for item_id in ids:
        if not isinstance(item_id, str) or not item_id:
            raise TypeError(f"item ids must be non-empty strings, got {item_id!r}")
    repeated = [item_id for item_id, times in Counter(ids).items() if times > 1]
    if repeated:
        raise DuplicateItem(repeated)
    if count is not None and count != len(ids):
        raise ValueError(f"got {len(ids)} ids but {count} vectors")
    if metadata is None:
        return ids, None
    metadata = list(metadata)
    if len(metadata) != len(ids):
        raise ValueError(f"got {len(ids)} ids but {len(metadata)} metadata dicts")
    for entry in metadata:
        if not isinstance(entry, dict):
            raise TypeError(f"metadata entries must be dicts, got {type(entry).__name__}")
    return ids, [dict(entry) for entry in metadata]


def check_filter(filter: dict[str, Any] | None) -> dict[str, Any] | None:
    """Checks a metadata filter; returns it, or None when it is None or empty."""
    if not filter:
        return None
    if not isinstance(filter, dict):
        raise InvalidFilter(f"filter must be a dict, got {type(filter).__name__}")
    for key, value in filter.items():
        # Qdrant reads dots and brackets in a key as a path into nested payload.
        if not isinstance(key, str) or not key or any(c in key for c in ".[]"):
            raise InvalidFilter(f"filter key {key!r} must be a plain string without . [ ]")
        if not isinstance(value, (str, int, bool)):
            raise InvalidFilter(
                f"filter value for {key!r} must be str, int or bool, got {type(value).__name__}"
            )
    return filter


def metadata_matches(metadata: dict[str, Any], filter: dict[str, Any]) -> bool:
    """Whether metadata satisfies an exact-match filter (see the module docstring)."""
    for key, wanted in filter.items():
        if key not in metadata:
            return False
        stored = metadata[key]
        candidates = stored if isinstance(stored, list) else [stored]
        if not any(_same_value(candidate, wanted) for candidate in candidates):
            return False
    return True


def _same_value(stored: Any, wanted: Any) -> bool:
    # True == 1 in Python, but not in JSON or Qdrant: keep booleans apart from integers.
    return isinstance(stored, bool) == isinstance(wanted, bool) and stored == wanted


# ---------------------------------------------------------------------------------------------
# Snapshot directories: atomic save, verified load

SNAPSHOT_FORMAT = "atelier.vector_store"
SNAPSHOT_VERSION = 1
MANIFEST_NAME = "manifest.json"


def write_snapshot(
    path: str | os.PathLike, backend: str, write_files: Callable[[Path], None]
) -> None:
    """Writes a snapshot directory so that a crash at any moment leaves a complete one.

    Steps: `write_files` fills a fresh temporary directory beside `path`; every file is fsynced
    and hashed into the manifest (written last); then the previous snapshot is renamed aside,
    the new one renamed in, and the aside one removed. Renames within one directory are atomic,
    so at every instant either `path` is a complete snapshot, or `path` is missing and the
    aside directory is the previous complete one, which `open_snapshot` then restores.

    Args:
        path: the snapshot directory to create or replace.
        backend: name of the store kind, checked again on load ("faiss", "qdrant").
        write_files: writes the data files into the directory it is given (flat, no subfolders).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _recover_interrupted_save(target)
    for stale in target.parent.glob(f".{target.name}.saving-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a save that crashed while writing
    staging = target.parent / f".{target.name}.saving-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        write_files(staging)
        files = {}
        for file in sorted(staging.iterdir()):
            files[file.name] = {"sha256": _fsync_and_hash(file), "bytes": file.stat().st_size}
        manifest = {
            "format": SNAPSHOT_FORMAT,
            "version": SNAPSHOT_VERSION,
            "backend": backend,
            "files": files,
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2))
        _fsync_and_hash(staging / MANIFEST_NAME)
        _fsync_directory(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    aside = _aside_path(target)
    if target.exists():
        os.replace(target, aside)
        _fsync_directory(target.parent)
    os.replace(staging, target)
    _fsync_directory(target.parent)
    shutil.rmtree(aside, ignore_errors=True)


def open_snapshot(path: str | os.PathLike, backend: str) -> Path:
    """Verifies a snapshot directory and returns it, restoring one a crashed save left aside.

    Args:
        path: the directory given to `write_snapshot`.
        backend: the store kind expected in the manifest.

    Returns:
        The directory, every file in its manifest present and matching its SHA-256.

    Raises:
        IndexNotFound: no snapshot at `path` (and none left aside).
        CorruptIndex: naming the manifest or data file that is missing, unreadable or altered.
    """
    target = Path(path)
    _recover_interrupted_save(target)
    manifest_path = target / MANIFEST_NAME
    if not target.is_dir():
        raise IndexNotFound(f"no saved index at {target}")
    try:
        manifest = json.loads(manifest_path.read_text())
        files = manifest["files"]
        found_format, found_backend = manifest["format"], manifest["backend"]
    except FileNotFoundError:
        raise CorruptIndex(f"index manifest missing: {manifest_path}") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CorruptIndex(f"index manifest unreadable: {manifest_path} ({error})") from error
    if found_format != SNAPSHOT_FORMAT:
        raise CorruptIndex(f"{manifest_path} is not an Atelier vector store manifest")
    if found_backend != backend:
        raise CorruptIndex(f"{target} holds a {found_backend!r} index, not a {backend!r} one")
    for name, expected in files.items():
        file = target / name
        if not file.is_file():
            raise CorruptIndex(f"index file missing: {file}")
        if _hash_file(file) != expected["sha256"]:
            raise CorruptIndex(f"index file fails its SHA-256 checksum: {file}")
    return target


def _aside_path(target: Path) -> Path:
    return target.parent / f".{target.name}.previous"


def _recover_interrupted_save(target: Path) -> None:
    """Restores or discards the previous snapshot that a crashed save left aside."""
    aside = _aside_path(target)
    if not aside.exists():
        return
    if target.exists():
        # The new snapshot was already renamed in; only the cleanup was lost.
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(aside, target)
        _fsync_directory(target.parent)


def _hash_file(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as stream:
        while chunk := stream.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_and_hash(file: Path) -> str:
    """Forces the file's bytes to disk (writers like faiss.write_index do not) and hashes it."""
    descriptor = os.open(file, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return _hash_file(file)


def _fsync_directory(directory: Path) -> None:
    """Makes renames and new entries in a directory durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
