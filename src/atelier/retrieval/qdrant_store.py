"""`QdrantStore`: the vector store on Qdrant, for galleries served by a cluster.

One class for three places the data can live: `url=` a Qdrant server (production),
`path=` qdrant-client's local mode on disk, `location=":memory:"` local mode in memory (tests,
the default). Local mode scores by brute force in numpy, so it is exact and meant for up to
~20k items; a server runs HNSW.

Qdrant keys points by unsigned int or UUID, so a product id becomes `uuid5(ID_NAMESPACE, id)`
(the same id always gives the same key, on every client) and the original id is kept in the
payload beside the metadata: `{"item_id": "...", "metadata": {...}}`. A metadata filter
becomes a Qdrant `Filter` of `FieldCondition(key="metadata.<key>", match=MatchValue(...))`.

`save` exports the points to a snapshot directory (vectors.npy, items.json, config.json, with
checksums) and `load` imports one into a collection: a portable backup that needs no server
snapshot API and can move a gallery between local mode and a cluster.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models

from atelier.retrieval.store import (
    CorruptIndex,
    DimensionMismatch,
    DuplicateItem,
    SearchHit,
    StoredItem,
    StoreError,
    UnknownItem,
    VectorStore,
    check_batch,
    check_filter,
    normalise_rows,
    open_snapshot,
    prepare_queries,
    write_snapshot,
)

ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "atelier.retrieval.item")
VECTORS_FILE = "vectors.npy"
ITEMS_FILE = "items.json"
CONFIG_FILE = "config.json"
WRITE_BATCH = 512  # points per upsert request
SCROLL_BATCH = 1024  # points per page when exporting


def point_id(item_id: str) -> str:
    """The Qdrant point key (a UUID string) of a product id."""
    return str(uuid.uuid5(ID_NAMESPACE, item_id))


class QdrantStore(VectorStore):
    """Vector store over one Qdrant collection with cosine distance.

    Args:
        dim: vector dimension D. An existing collection must have this dimension.
        location: ":memory:" for in-memory local mode (the default when nothing is given).
        path: directory for on-disk local mode (one client at a time may open it).
        url: address of a Qdrant server, e.g. "http://qdrant:6333".
        api_key: the server's API key, if it needs one.
        collection: collection name; created when missing.

    Raises:
        DimensionMismatch: the collection exists with another dimension.
    """

    def __init__(
        self,
        dim: int,
        *,
        location: str | None = None,
        path: str | os.PathLike | None = None,
        url: str | None = None,
        api_key: str | None = None,
        collection: str = "atelier",
    ):
        places = [place for place in (location, path, url) if place is not None]
        if len(places) > 1:
            raise ValueError("give at most one of location, path and url")
        if not places:
            location = ":memory:"
        if dim < 1:
            raise ValueError(f"dim must be positive, got {dim}")
        self._dim = dim
        self.collection = collection
        self._client = QdrantClient(
            location=location, path=None if path is None else str(path), url=url, api_key=api_key
        )
        self._ensure_collection()

    def _ensure_collection(self) -> None:
        if not self._client.collection_exists(self.collection):
            self._client.create_collection(
                self.collection,
                vectors_config=models.VectorParams(size=self._dim, distance=models.Distance.COSINE),
            )
            return
        params = self._client.get_collection(self.collection).config.params.vectors
        if params.size != self._dim:
            raise DimensionMismatch(
                f"collection {self.collection!r} holds {params.size}-d vectors, not {self._dim}-d"
            )

    # --- the interface -------------------------------------------------------------------

    @property
    def dim(self) -> int:
        return self._dim

    def add(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        vectors = normalise_rows(vectors, self.dim)
        ids, metadata = check_batch(ids, len(vectors), metadata)
        present = list(self._fetch(ids))
        if present:
            raise DuplicateItem(present)
        self._upsert(ids, vectors, metadata or [{} for _ in ids])

    def update(
        self,
        ids: Sequence[str],
        vectors: np.ndarray | None = None,
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        if vectors is not None:
            vectors = normalise_rows(vectors, self.dim)
        ids, metadata = check_batch(ids, None if vectors is None else len(vectors), metadata)
        stored = self._require_known(ids, with_vectors=vectors is None)
        if vectors is None:
            vectors = np.stack([stored[item_id].vector for item_id in ids])
        if metadata is None:
            metadata = [stored[item_id].metadata for item_id in ids]
        self._upsert(ids, vectors, metadata)

    def delete(self, ids: Sequence[str]) -> None:
        ids, _ = check_batch(ids, None, None)
        self._require_known(ids, with_vectors=False)
        for start in range(0, len(ids), WRITE_BATCH):
            keys = [point_id(item_id) for item_id in ids[start : start + WRITE_BATCH]]
            self._client.delete(self.collection, points_selector=models.PointIdsList(points=keys))

    def search(
        self, queries: np.ndarray, k: int, *, filter: dict[str, Any] | None = None
    ) -> list[list[SearchHit]]:
        queries = prepare_queries(queries, self.dim, k)
        query_filter = _to_qdrant_filter(check_filter(filter))
        requests = [
            models.QueryRequest(query=row.tolist(), filter=query_filter, limit=k, with_payload=True)
            for row in queries
        ]
        responses = self._client.query_batch_points(self.collection, requests)
        return [
            [
                SearchHit(p.payload["item_id"], float(p.score), p.payload.get("metadata", {}))
                for p in response.points
            ]
            for response in responses
        ]

    def get(self, item_id: str) -> StoredItem:
        return self._require_known([item_id], with_vectors=True)[item_id]

    def __len__(self) -> int:
        return self._client.count(self.collection, exact=True).count

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and bool(self._fetch([item_id]))

    def close(self) -> None:
        self._client.close()

    def save(self, path: str | os.PathLike) -> None:
        """Exports every point to directory `path` atomically (vectors.npy, items.json)."""
        ids, vectors, metadata = self._export()

        def write_files(directory: Path) -> None:
            with open(directory / VECTORS_FILE, "wb") as stream:
                np.save(stream, vectors, allow_pickle=False)
            (directory / ITEMS_FILE).write_text(json.dumps({"ids": ids, "metadata": metadata}))
            config = {"dim": self.dim, "collection": self.collection}
            (directory / CONFIG_FILE).write_text(json.dumps(config, indent=2))

        write_snapshot(path, "qdrant", write_files)

    @classmethod
    def load(cls, path: str | os.PathLike, /, **options: Any) -> QdrantStore:
        """Imports a directory written by `save` into an empty collection.

        Args:
            path: the directory given to `save`.
            **options: where to put it, as for the constructor (`location`, `path`, `url`,
                `api_key`, `collection`); by default a new in-memory store and the saved
                collection name.

        Raises:
            StoreError: the target collection already holds points.
        """
        directory = open_snapshot(path, "qdrant")
        vectors_file = directory / VECTORS_FILE
        try:
            config = json.loads((directory / CONFIG_FILE).read_text())
            items = json.loads((directory / ITEMS_FILE).read_text())
            ids, metadata, dim = items["ids"], items["metadata"], config["dim"]
            options.setdefault("collection", config["collection"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CorruptIndex(f"cannot read the item list in {directory}: {error!r}") from error
        try:
            vectors = np.load(vectors_file, allow_pickle=False)
        except (OSError, ValueError) as error:
            raise CorruptIndex(f"cannot read vectors {vectors_file}: {error}") from error
        if vectors.shape != (len(ids), dim) or len(metadata) != len(ids):
            raise CorruptIndex(
                f"{vectors_file} has shape {vectors.shape} but {len(ids)} items of dim {dim}"
            )
        store = cls(dim, **options)
        already_held = len(store)
        if already_held:
            store.close()
            raise StoreError(
                f"collection {store.collection!r} already holds {already_held} points; "
                "load into an empty collection"
            )
        for start in range(0, len(ids), WRITE_BATCH):
            end = start + WRITE_BATCH
            store.add(ids[start:end], vectors[start:end], metadata[start:end])
        return store

    # --- Qdrant calls ---------------------------------------------------------------------

    def _upsert(self, ids: list[str], vectors: np.ndarray, metadata: list[dict]) -> None:
        for start in range(0, len(ids), WRITE_BATCH):
            end = start + WRITE_BATCH
            batch = models.Batch(
                ids=[point_id(item_id) for item_id in ids[start:end]],
                vectors=vectors[start:end].tolist(),
                payloads=[
                    {"item_id": item_id, "metadata": entry}
                    for item_id, entry in zip(ids[start:end], metadata[start:end])
                ],
            )
            self._client.upsert(self.collection, points=batch)

    def _fetch(self, ids: list[str], with_vectors: bool = False) -> dict[str, StoredItem]:
        """The stored items among `ids`, by id (vectors empty unless `with_vectors`)."""
        found = {}
        for start in range(0, len(ids), WRITE_BATCH):
            records = self._client.retrieve(
                self.collection,
                ids=[point_id(item_id) for item_id in ids[start : start + WRITE_BATCH]],
                with_payload=True,
                with_vectors=with_vectors,
            )
            for record in records:
                vector = np.asarray(record.vector if with_vectors else [], dtype=np.float32)
                item_id = record.payload["item_id"]
                found[item_id] = StoredItem(item_id, vector, record.payload.get("metadata", {}))
        return found

    def _require_known(self, ids: list[str], with_vectors: bool) -> dict[str, StoredItem]:
        found = self._fetch(ids, with_vectors)
        unknown = [item_id for item_id in ids if item_id not in found]
        if unknown:
            raise UnknownItem(unknown)
        return found

    def _export(self) -> tuple[list[str], np.ndarray, list[dict]]:
        """Every point: ids, (N, D) float32 vectors and metadata, in scroll order."""
        ids, vectors, metadata = [], [], []
        offset = None
        while True:
            records, offset = self._client.scroll(
                self.collection,
                limit=SCROLL_BATCH,
                offset=offset,
                with_payload=True,
                with_vectors=True,
            )
            for record in records:
                ids.append(record.payload["item_id"])
                vectors.append(record.vector)
                metadata.append(record.payload.get("metadata", {}))
            if offset is None:
                break
        array = np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        return ids, array, metadata


def _to_qdrant_filter(filter: dict[str, Any] | None) -> models.Filter | None:
    """An exact-match metadata filter as a Qdrant Filter (every condition must hold)."""
    if filter is None:
        return None
    return models.Filter(
        must=[
            models.FieldCondition(key=f"metadata.{key}", match=models.MatchValue(value=value))
            for key, value in filter.items()
        ]
    )
