"""`FaissStore`: the embedded vector store, FAISS running in-process.

Kinds of index:

- ``"exact"``: IndexFlatIP, brute force. Exact; the right choice up to ~100k items.
- ``"hnsw"``: IndexHNSWFlat with inner product. A navigable graph: milliseconds per query at
  millions of items, approximate (recall grows with `ef_search`, build time with `hnsw_m`).
- ``"ivf"``: IndexIVFFlat with inner product. Splits the vectors into `ivf_lists` cells by
  spherical k-means and scans the `ivf_probes` cells nearest each query. It must be trained:
  until it holds `39 * ivf_lists` vectors (FAISS's minimum for k-means) they sit in an exact
  index, then it trains on them and switches over, so small galleries are searched exactly.

Product ids are strings; FAISS keys vectors by int64. Each add takes fresh int64 keys from a
counter (never reused, so a stale key can never point at a newer item) and the store keeps both
directions of the mapping. Exact and HNSW indexes sit inside IndexIDMap2, which maps the keys
and can reconstruct a vector by key; IVF keys its inverted lists natively and reconstructs
through a hash-table direct map.

Metadata filters are applied by over-fetching: ask FAISS for more candidates than k, keep the
matching ones, and ask again for more (x4 each time) while too few matched. A filter so selective
that `MAX_OVERFETCH` candidates are not enough falls back to scoring every matching item exactly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from atelier.retrieval.store import (
    CorruptIndex,
    DuplicateItem,
    SearchHit,
    StoredItem,
    UnknownItem,
    VectorStore,
    check_batch,
    check_filter,
    metadata_matches,
    normalise_rows,
    open_snapshot,
    prepare_queries,
    write_snapshot,
)

KINDS = ("exact", "hnsw", "ivf")
INDEX_FILE = "index.faiss"
CONFIG_FILE = "config.json"
ITEMS_FILE = "items.json"

OVERFETCH_GROWTH = 4  # candidates asked for per round, as a multiple of the previous round
MAX_OVERFETCH = 4096  # beyond this many candidates, a filtered search scores matches exactly
IVF_POINTS_PER_LIST = 39  # FAISS warns below 39 training points per k-means centroid
SEARCH_OPTIONS = ("ef_search", "ivf_probes")


@dataclass(frozen=True)
class FaissConfig:
    """How a FaissStore's index is built (search-time knobs live on the store itself).

    Attributes:
        dim: vector dimension D.
        kind: one of `KINDS`.
        hnsw_m: HNSW links per node; more is better recall, more memory, slower build.
        hnsw_ef_construction: HNSW candidate list size while inserting.
        ivf_lists: number of IVF cells (about sqrt(N) to 16·sqrt(N) for N items).
        max_tombstone_fraction: HNSW is rebuilt when deleted nodes exceed this share of it.
    """

    dim: int
    kind: str = "exact"
    hnsw_m: int = 32
    hnsw_ef_construction: int = 40
    ivf_lists: int = 1024
    max_tombstone_fraction: float = 0.2


class FaissStore(VectorStore):
    """Vector store over a FAISS index held in memory (see the module docstring).

    Args:
        dim: vector dimension D.
        kind: "exact", "hnsw" or "ivf".
        hnsw_m, hnsw_ef_construction, ivf_lists, max_tombstone_fraction: see `FaissConfig`.
        ef_search: HNSW candidate list size while searching (raised to k when k is larger).
        ivf_probes: IVF cells scanned per query.
    """

    def __init__(
        self,
        dim: int,
        kind: str = "exact",
        *,
        hnsw_m: int = 32,
        hnsw_ef_construction: int = 40,
        ivf_lists: int = 1024,
        max_tombstone_fraction: float = 0.2,
        ef_search: int = 64,
        ivf_probes: int = 16,
    ):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        if dim < 1:
            raise ValueError(f"dim must be positive, got {dim}")
        self.config = FaissConfig(
            dim, kind, hnsw_m, hnsw_ef_construction, ivf_lists, max_tombstone_fraction
        )
        self.ef_search = ef_search
        self.ivf_probes = ivf_probes
        self._index = self._new_exact_or_hnsw_index()
        self._ivf_trained = False
        self._int_by_id: dict[str, int] = {}
        self._id_by_int: dict[int, str] = {}
        self._metadata: dict[str, dict[str, Any]] = {}  # only items with non-empty metadata
        self._next_int_id = 0
        self._tombstones: set[int] = set()
        self._tombstone_selector: tuple[Any, Any] | None = None

    # --- the interface -------------------------------------------------------------------

    @property
    def dim(self) -> int:
        return self.config.dim

    @property
    def kind(self) -> str:
        return self.config.kind

    @property
    def index_size(self) -> int:
        """Vectors physically in the FAISS index: live items plus HNSW tombstones."""
        return self._index.ntotal

    @property
    def ivf_trained(self) -> bool:
        """Whether an "ivf" store has switched from its exact start-up index to IVF."""
        return self._ivf_trained

    def add(
        self,
        ids: Sequence[str],
        vectors: np.ndarray,
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        vectors = normalise_rows(vectors, self.dim)
        ids, metadata = check_batch(ids, len(vectors), metadata)
        present = [item_id for item_id in ids if item_id in self._int_by_id]
        if present:
            raise DuplicateItem(present)
        self._index.add_with_ids(vectors, self._assign_int_ids(ids))
        if metadata is not None:
            self._set_metadata(ids, metadata)
        self._train_ivf_when_ready()

    def update(
        self,
        ids: Sequence[str],
        vectors: np.ndarray | None = None,
        metadata: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        if vectors is not None:
            vectors = normalise_rows(vectors, self.dim)
        ids, metadata = check_batch(ids, None if vectors is None else len(vectors), metadata)
        self._require_known(ids)
        if vectors is not None:
            self._forget_int_ids(ids)
            self._index.add_with_ids(vectors, self._assign_int_ids(ids))
        if metadata is not None:
            self._set_metadata(ids, metadata)

    def delete(self, ids: Sequence[str]) -> None:
        ids, _ = check_batch(ids, None, None)
        self._require_known(ids)
        self._forget_int_ids(ids)
        for item_id in ids:
            self._metadata.pop(item_id, None)

    def search(
        self, queries: np.ndarray, k: int, *, filter: dict[str, Any] | None = None
    ) -> list[list[SearchHit]]:
        queries = prepare_queries(queries, self.dim, k)
        filter = check_filter(filter)
        results: list[list[SearchHit]] = [[] for _ in range(len(queries))]
        live = len(self)
        if live == 0:
            return results
        wanted = min(k, live)
        most = min(live, max(MAX_OVERFETCH, wanted))
        fetch = wanted if filter is None else min(most, wanted * OVERFETCH_GROWTH)
        pending = np.arange(len(queries))
        while True:
            scores, int_ids = self._search_index(queries[pending], fetch)
            short = []
            for row, query_index in enumerate(pending):
                results[query_index] = self._hits(int_ids[row], scores[row], filter, wanted)
                if len(results[query_index]) < wanted and fetch < live:
                    short.append(query_index)
            if not short:
                return results
            if fetch >= most:
                if filter is not None:
                    exact = self._search_matching_exactly(queries[short], wanted, filter)
                    for query_index, hits in zip(short, exact):
                        results[query_index] = hits
                return results
            pending = np.array(short)
            fetch = min(most, fetch * OVERFETCH_GROWTH)

    def get(self, item_id: str) -> StoredItem:
        if item_id not in self._int_by_id:
            raise UnknownItem([item_id])
        vector = self._index.reconstruct(self._int_by_id[item_id])
        return StoredItem(item_id, vector, dict(self._metadata.get(item_id, {})))

    def __len__(self) -> int:
        return len(self._int_by_id)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._int_by_id

    def save(self, path: str | os.PathLike) -> None:
        """Writes index.faiss, config.json and items.json atomically into directory `path`."""
        if self._tombstones:
            self._rebuild_hnsw_without_tombstones()

        def write_files(directory: Path) -> None:
            faiss.write_index(self._index, str(directory / INDEX_FILE))
            config = {
                **asdict(self.config),
                "ef_search": self.ef_search,
                "ivf_probes": self.ivf_probes,
                "ivf_trained": self._ivf_trained,
                "next_int_id": self._next_int_id,
            }
            (directory / CONFIG_FILE).write_text(json.dumps(config, indent=2))
            items = {
                "ids": list(self._int_by_id),
                "int_ids": list(self._int_by_id.values()),
                "metadata": self._metadata,
            }
            with open(directory / ITEMS_FILE, "w") as stream:
                json.dump(items, stream)

        write_snapshot(path, "faiss", write_files)

    @classmethod
    def load(cls, path: str | os.PathLike, /, **options: Any) -> FaissStore:
        """Reads a store written by `save`.

        Args:
            path: the directory given to `save`.
            **options: search-time overrides: `ef_search`, `ivf_probes`.
        """
        unknown = set(options) - set(SEARCH_OPTIONS)
        if unknown:
            raise TypeError(f"FaissStore.load takes only {SEARCH_OPTIONS}, got {sorted(unknown)}")
        directory = open_snapshot(path, "faiss")
        config = _read_json(directory / CONFIG_FILE)
        items = _read_json(directory / ITEMS_FILE)
        try:
            store = cls(
                **{name: config[name] for name in FaissConfig.__dataclass_fields__},
                **{name: options.get(name, config[name]) for name in SEARCH_OPTIONS},
            )
            ids, int_ids, metadata = items["ids"], items["int_ids"], items["metadata"]
            store._ivf_trained = bool(config["ivf_trained"])
            store._next_int_id = int(config["next_int_id"])
        except (KeyError, TypeError, ValueError) as error:
            raise CorruptIndex(f"index settings unreadable in {directory}: {error!r}") from error
        index_file = directory / INDEX_FILE
        try:
            store._index = faiss.read_index(str(index_file))
        except RuntimeError as error:
            reason = str(error).strip().splitlines()[-1]
            raise CorruptIndex(f"cannot read FAISS index {index_file}: {reason}") from error
        if store._index.ntotal != len(ids) or len(int_ids) != len(ids):
            raise CorruptIndex(
                f"{index_file} holds {store._index.ntotal} vectors but {directory / ITEMS_FILE} "
                f"lists {len(ids)} items"
            )
        store._int_by_id = dict(zip(ids, int_ids))
        store._id_by_int = dict(zip(int_ids, ids))
        store._metadata = metadata
        return store

    # --- index construction ---------------------------------------------------------------

    def _new_exact_or_hnsw_index(self) -> faiss.Index:
        """An empty IndexIDMap2 over a flat index (exact, and IVF before training) or HNSW."""
        if self.config.kind == "hnsw":
            graph = faiss.IndexHNSWFlat(self.dim, self.config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            graph.hnsw.efConstruction = self.config.hnsw_ef_construction
            return faiss.IndexIDMap2(graph)
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))

    def _train_ivf_when_ready(self) -> None:
        """Moves an "ivf" store's vectors into a trained IVF index once there are enough."""
        lists = self.config.ivf_lists
        if self.config.kind != "ivf" or self._ivf_trained:
            return
        if self._index.ntotal < IVF_POINTS_PER_LIST * lists:
            return
        int_ids, vectors = self._all_indexed_vectors()
        quantizer = faiss.IndexFlatIP(self.dim)
        ivf = faiss.IndexIVFFlat(quantizer, self.dim, lists, faiss.METRIC_INNER_PRODUCT)
        ivf.cp.spherical = True  # centroids on the unit sphere, like the vectors they cluster
        ivf.train(vectors)
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # for reconstruct() and remove_ids()
        ivf.add_with_ids(vectors, int_ids)
        self._index = ivf
        self._ivf_trained = True

    def _all_indexed_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Keys (N,) int64 and vectors (N, D) float32 of an IndexIDMap2-wrapped index."""
        int_ids = faiss.vector_to_array(self._index.id_map)
        return int_ids, self._index.index.reconstruct_n(0, self._index.ntotal)

    # HNSW graphs cannot remove a node: its neighbours route searches through its links. So a
    # deleted (or re-vectored) HNSW item becomes a tombstone: it stays in the graph as a
    # waypoint and an IDSelector drops it from results inside the search (so k live hits still
    # come back). Tombstones cost memory and visits, so the graph is rebuilt from the live
    # vectors once they exceed `max_tombstone_fraction` of it, and before every save so that a
    # saved index carries no dead nodes.

    def _forget_int_ids(self, ids: list[str]) -> None:
        """Removes the current vectors of `ids` from the index (tombstones for HNSW)."""
        int_ids = np.array([self._int_by_id.pop(item_id) for item_id in ids], dtype=np.int64)
        for int_id in int_ids.tolist():
            del self._id_by_int[int_id]
        if self.config.kind != "hnsw":
            self._index.remove_ids(int_ids)
            return
        self._tombstones.update(int_ids.tolist())
        self._tombstone_selector = None
        if len(self._tombstones) > self.config.max_tombstone_fraction * self._index.ntotal:
            self._rebuild_hnsw_without_tombstones()

    def _rebuild_hnsw_without_tombstones(self) -> None:
        int_ids, vectors = self._all_indexed_vectors()
        live = ~np.isin(int_ids, np.fromiter(self._tombstones, dtype=np.int64))
        index = self._new_exact_or_hnsw_index()
        index.add_with_ids(vectors[live], int_ids[live])
        self._index = index
        self._tombstones.clear()
        self._tombstone_selector = None

    def _live_selector(self) -> Any:
        """An IDSelector accepting every key but the tombstones (built once per change)."""
        if self._tombstone_selector is None:
            dead = faiss.IDSelectorBatch(np.fromiter(self._tombstones, dtype=np.int64))
            # IDSelectorNot keeps a raw pointer to `dead`: hold both so neither is freed.
            self._tombstone_selector = (dead, faiss.IDSelectorNot(dead))
        return self._tombstone_selector[1]

    # --- search ---------------------------------------------------------------------------

    def _search_index(self, queries: np.ndarray, fetch: int) -> tuple[np.ndarray, np.ndarray]:
        """Raw FAISS search: scores (Q, fetch) float32 and keys (Q, fetch) int64 (-1 = none)."""
        params = None
        if self.config.kind == "hnsw":
            params = faiss.SearchParametersHNSW()
            params.efSearch = max(self.ef_search, fetch)
            if self._tombstones:
                params.sel = self._live_selector()
        elif self._ivf_trained:
            params = faiss.SearchParametersIVF()
            params.nprobe = min(self.ivf_probes, self.config.ivf_lists)
        return self._index.search(queries, fetch, params=params)

    def _hits(
        self,
        int_ids: np.ndarray,
        scores: np.ndarray,
        filter: dict[str, Any] | None,
        wanted: int,
    ) -> list[SearchHit]:
        """The first `wanted` live, filter-matching hits of one query's raw FAISS results."""
        hits = []
        for int_id, score in zip(int_ids.tolist(), scores.tolist()):
            item_id = self._id_by_int.get(int_id)  # None for -1 padding
            if item_id is None:
                continue
            metadata = self._metadata.get(item_id, {})
            if filter is not None and not metadata_matches(metadata, filter):
                continue
            hits.append(SearchHit(item_id, score, dict(metadata)))
            if len(hits) == wanted:
                break
        return hits

    def _search_matching_exactly(
        self, queries: np.ndarray, wanted: int, filter: dict[str, Any]
    ) -> list[list[SearchHit]]:
        """Scores every item matching `filter` against (P, D) queries; P lists of hits."""
        # Items with empty metadata match no (non-empty) filter, so scanning _metadata suffices.
        matching = [
            item_id for item_id, entry in self._metadata.items() if metadata_matches(entry, filter)
        ]
        if not matching:
            return [[] for _ in range(len(queries))]
        vectors = np.stack([self._index.reconstruct(self._int_by_id[i]) for i in matching])
        scores = queries @ vectors.T  # (P, M)
        top = np.argsort(-scores, axis=1, kind="stable")[:, :wanted]
        return [
            [
                SearchHit(matching[j], float(scores[row, j]), dict(self._metadata[matching[j]]))
                for j in top[row]
            ]
            for row in range(len(queries))
        ]

    # --- bookkeeping ----------------------------------------------------------------------

    def _assign_int_ids(self, ids: list[str]) -> np.ndarray:
        int_ids = np.arange(self._next_int_id, self._next_int_id + len(ids), dtype=np.int64)
        self._next_int_id += len(ids)
        for item_id, int_id in zip(ids, int_ids.tolist()):
            self._int_by_id[item_id] = int_id
            self._id_by_int[int_id] = item_id
        return int_ids

    def _set_metadata(self, ids: list[str], metadata: list[dict[str, Any]]) -> None:
        for item_id, entry in zip(ids, metadata):
            if entry:
                self._metadata[item_id] = entry
            else:
                self._metadata.pop(item_id, None)

    def _require_known(self, ids: list[str]) -> None:
        unknown = [item_id for item_id in ids if item_id not in self._int_by_id]
        if unknown:
            raise UnknownItem(unknown)


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text())
    except (OSError, ValueError) as error:
        raise CorruptIndex(f"cannot read {file}: {error}") from error
