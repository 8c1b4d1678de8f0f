"""The VectorStore contract, checked on every backend against a numpy brute-force reference."""

from __future__ import annotations

import json
import os
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from atelier.retrieval import store as store_module
from atelier.retrieval.faiss_store import FaissStore
from atelier.retrieval.qdrant_store import QdrantStore
from atelier.retrieval.store import (
    CorruptIndex,
    DimensionMismatch,
    DuplicateItem,
    EmptyQuery,
    IndexNotFound,
    InvalidFilter,
    StoreError,
    UnknownItem,
    VectorStore,
)

DIM = 16
COLOURS = ("red", "green", "blue")


@dataclass(frozen=True)
class Backend:
    """How to make and reload one kind of store; `exact` ones must match brute force."""

    name: str
    make: Callable[[int, Path], VectorStore]
    reload: Callable[[Path, Path], VectorStore]
    exact: bool


BACKENDS = [
    Backend(
        "faiss-exact",
        lambda dim, _: FaissStore(dim),
        lambda snap, _: FaissStore.load(snap),
        True,
    ),
    Backend(
        "faiss-hnsw",
        lambda dim, _: FaissStore(dim, "hnsw", hnsw_m=16, ef_search=128),
        lambda snap, _: FaissStore.load(snap),
        False,
    ),
    # 4 lists train at 156 vectors; probing all 4 keeps the search exact once trained.
    Backend(
        "faiss-ivf",
        lambda dim, _: FaissStore(dim, "ivf", ivf_lists=4, ivf_probes=4),
        lambda snap, _: FaissStore.load(snap),
        True,
    ),
    Backend(
        "qdrant-memory",
        lambda dim, _: QdrantStore(dim),
        lambda snap, _: QdrantStore.load(snap),
        True,
    ),
    Backend(
        "qdrant-path",
        lambda dim, tmp: QdrantStore(dim, path=tmp / "qdrant"),
        lambda snap, tmp: QdrantStore.load(snap, path=tmp / "qdrant-reloaded"),
        True,
    ),
]
# qdrant-path searches with the same code as qdrant-memory and only adds SQLite writes, which are
# slow: the big brute-force galleries skip it.
EXACT_BACKENDS = [b for b in BACKENDS if b.exact and b.name != "qdrant-path"]


@pytest.fixture
def opened(tmp_path):
    """Closes every store a test opens (Qdrant's local mode locks its directory)."""
    stores: list[VectorStore] = []
    yield stores
    for store in stores:
        store.close()


@pytest.fixture(params=BACKENDS, ids=lambda backend: backend.name)
def backend(request):
    return request.param


@pytest.fixture(params=EXACT_BACKENDS, ids=lambda backend: backend.name)
def exact_backend(request):
    return request.param


def make(backend: Backend, tmp_path: Path, opened: list, dim: int = DIM) -> VectorStore:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # qdrant-client's local mode warns about its own limits
        store = backend.make(dim, tmp_path)
    opened.append(store)
    return store


def reload(backend: Backend, snapshot: Path, tmp_path: Path, opened: list) -> VectorStore:
    store = backend.reload(snapshot, tmp_path)
    opened.append(store)
    return store


def gallery(count: int, seed: int = 0, dim: int = DIM):
    """Ids, raw (count, dim) vectors (not normalised) and metadata of a random gallery."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(count, dim)).astype(np.float32) * rng.uniform(0.5, 3, (count, 1))
    ids = [f"sku-{index:05d}" for index in range(count)]
    metadata = [
        {"colour": COLOURS[index % 3], "size": index % 5, "tags": ["all", f"tag{index % 7}"]}
        for index in range(count)
    ]
    return ids, vectors.astype(np.float32), metadata


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def brute_force_top_k(queries, vectors, ids, k):
    """Reference: full (Q, N) cosine similarity matrix, sorted. Lists of (id, score)."""
    scores = unit(queries) @ unit(vectors).T
    order = np.argsort(-scores, axis=1)[:, :k]
    return [[(ids[j], scores[row, j]) for j in order[row]] for row in range(len(queries))]


def assert_hits_equal(hits, expected):
    assert [[hit.id for hit in row] for row in hits] == [[i for i, _ in row] for row in expected]
    got_scores = np.array([[hit.score for hit in row] for row in hits])
    want_scores = np.array([[score for _, score in row] for row in expected])
    np.testing.assert_allclose(got_scores, want_scores, atol=1e-5)


# --- search against the reference --------------------------------------------------------


def test_search_equals_brute_force_top_k(exact_backend, tmp_path, opened):
    store = make(exact_backend, tmp_path, opened)
    ids, vectors, metadata = gallery(600)
    for start in range(0, 600, 250):  # several adds, so IVF trains midway
        end = start + 250
        store.add(ids[start:end], vectors[start:end], metadata[start:end])
    queries = np.random.default_rng(1).normal(size=(20, DIM)).astype(np.float32)
    assert_hits_equal(store.search(queries, 7), brute_force_top_k(queries, vectors, ids, 7))


def test_filtered_search_equals_brute_force_on_matching_items(exact_backend, tmp_path, opened):
    store = make(exact_backend, tmp_path, opened)
    ids, vectors, metadata = gallery(600)
    store.add(ids, vectors, metadata)
    queries = np.random.default_rng(2).normal(size=(10, DIM)).astype(np.float32)
    keep = [i for i, meta in enumerate(metadata) if meta["colour"] == "blue" and meta["size"] == 2]
    expected = brute_force_top_k(queries, vectors[keep], [ids[i] for i in keep], 5)
    hits = store.search(queries, 5, filter={"colour": "blue", "size": 2})
    assert_hits_equal(hits, expected)
    assert all(hit.metadata["colour"] == "blue" for row in hits for hit in row)


def test_every_item_finds_itself_first(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, metadata = gallery(150)
    store.add(ids, vectors, metadata)
    hits = store.search(vectors[:50] * 7.0, 1)  # scale must not matter: queries are normalised
    assert [row[0].id for row in hits] == ids[:50]
    np.testing.assert_allclose([row[0].score for row in hits], 1.0, atol=1e-5)
    assert hits[3][0].metadata == metadata[3]


def test_list_metadata_matches_any_element_and_bool_is_not_int(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, _ = gallery(4)
    metadata = [{"tags": ["summer", "linen"]}, {"tags": ["winter"]}, {"sale": True}, {"sale": 1}]
    store.add(ids, vectors, metadata)
    query = vectors[:1]
    assert [hit.id for hit in store.search(query, 4, filter={"tags": "linen"})[0]] == [ids[0]]
    assert [hit.id for hit in store.search(query, 4, filter={"sale": True})[0]] == [ids[2]]
    assert [hit.id for hit in store.search(query, 4, filter={"sale": 1})[0]] == [ids[3]]
    assert store.search(query, 4, filter={"tags": "autumn"}) == [[]]


def test_k_beyond_size_and_empty_store(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    queries = np.ones((2, DIM), np.float32)
    assert store.search(queries, 5) == [[], []]
    ids, vectors, _ = gallery(3)
    store.add(ids, vectors)
    hits = store.search(queries, 10)
    assert [len(row) for row in hits] == [3, 3]
    assert sorted(hit.id for hit in hits[0]) == ids
    assert all(hit.metadata == {} for hit in hits[0])


# --- add, get, update, delete ------------------------------------------------------------


def test_get_returns_normalised_vector_and_metadata(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, metadata = gallery(10)
    store.add(ids, vectors, metadata)
    item = store.get(ids[4])
    assert item.id == ids[4] and item.metadata == metadata[4]
    np.testing.assert_allclose(item.vector, unit(vectors[4:5])[0], atol=1e-6)
    assert len(store) == 10 and ids[4] in store and "nope" not in store
    with pytest.raises(UnknownItem, match="'nope'"):
        store.get("nope")


def test_add_rejects_ids_already_present_or_repeated(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, _ = gallery(5)
    store.add(ids[:3], vectors[:3])
    with pytest.raises(DuplicateItem, match="sku-00002"):
        store.add(ids[2:5], vectors[2:5])
    with pytest.raises(DuplicateItem, match="sku-00004"):
        store.add([ids[4], ids[4]], vectors[3:5])
    assert len(store) == 3


def test_update_vector_keeps_metadata_and_moves_item(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, metadata = gallery(50)
    store.add(ids, vectors, metadata)
    store.update([ids[7]], vectors[30:31])
    assert len(store) == 50
    np.testing.assert_allclose(store.get(ids[7]).vector, unit(vectors[30:31])[0], atol=1e-6)
    assert store.get(ids[7]).metadata == metadata[7]
    top_two = {hit.id for hit in store.search(vectors[30:31], 2)[0]}
    assert top_two == {ids[7], ids[30]}


def test_update_metadata_only_keeps_vector(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, metadata = gallery(20)
    store.add(ids, vectors, metadata)
    store.update(ids[:2], metadata=[{"colour": "gold"}, {}])
    assert store.get(ids[0]).metadata == {"colour": "gold"}
    assert store.get(ids[1]).metadata == {}
    np.testing.assert_allclose(store.get(ids[0]).vector, unit(vectors[:1])[0], atol=1e-6)
    gold = store.search(vectors[:1], 5, filter={"colour": "gold"})[0]
    assert [hit.id for hit in gold] == [ids[0]]


def test_update_with_unknown_id_names_it_and_changes_nothing(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, metadata = gallery(5)
    store.add(ids, vectors, metadata)
    with pytest.raises(UnknownItem, match="'ghost'") as raised:
        store.update([ids[0], "ghost"], vectors[3:5], [{}, {}])
    assert raised.value.ids == ["ghost"]
    assert store.get(ids[0]).metadata == metadata[0]
    np.testing.assert_allclose(store.get(ids[0]).vector, unit(vectors[:1])[0], atol=1e-6)


def test_delete_removes_items_everywhere(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, metadata = gallery(40)
    store.add(ids, vectors, metadata)
    store.delete(ids[:5])
    assert len(store) == 35 and ids[0] not in store
    with pytest.raises(UnknownItem):
        store.get(ids[0])
    hits = store.search(vectors[:5], 10)
    assert all(hit.id not in ids[:5] for row in hits for hit in row)
    assert all(len(row) == 10 for row in hits)
    with pytest.raises(UnknownItem, match="sku-00001"):
        store.delete([ids[10], ids[1]])
    assert len(store) == 35  # nothing removed when an id is unknown
    store.add(ids[:1], vectors[:1])  # a deleted id can be added again
    assert store.search(vectors[:1], 1)[0][0].id == ids[0]


# --- bad input -----------------------------------------------------------------------------


def test_bad_input_raises_typed_errors(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, _ = gallery(3)
    with pytest.raises(DimensionMismatch, match=r"\(N, 16\)"):
        store.add(ids, np.ones((3, DIM + 1), np.float32))
    with pytest.raises(StoreError, match="zero"):
        store.add(ids, np.zeros((3, DIM), np.float32))
    with pytest.raises(ValueError, match="3 ids but 2 vectors"):
        store.add(ids, vectors[:2])
    with pytest.raises(ValueError, match="metadata"):
        store.add(ids, vectors, [{}])
    store.add(ids, vectors)
    with pytest.raises(DimensionMismatch):
        store.search(np.ones((1, DIM - 1), np.float32), 3)
    with pytest.raises(DimensionMismatch):
        store.search(np.ones(DIM, np.float32), 3)  # one query must still be (1, D)
    with pytest.raises(EmptyQuery):
        store.search(np.zeros((0, DIM), np.float32), 3)
    with pytest.raises(EmptyQuery, match=r"\[1\]"):
        store.search(np.stack([vectors[0], np.zeros(DIM, np.float32)]), 3)
    with pytest.raises(ValueError, match="k must be"):
        store.search(vectors, 0)
    with pytest.raises(InvalidFilter):
        store.search(vectors, 3, filter={"price": 9.5})
    with pytest.raises(InvalidFilter):
        store.search(vectors, 3, filter={"a.b": "x"})
    assert len(store) == 3


# --- save and load ---------------------------------------------------------------------------


def test_save_load_round_trip(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, metadata = gallery(200)
    store.add(ids, vectors, metadata)
    store.delete(ids[:10])
    store.update(ids[10:12], metadata=[{"colour": "gold"}, {"colour": "gold"}])
    queries = np.random.default_rng(3).normal(size=(8, DIM)).astype(np.float32)
    before = store.search(queries, 6)
    store.save(tmp_path / "snapshot")
    loaded = reload(backend, tmp_path / "snapshot", tmp_path, opened)
    assert len(loaded) == 190 and ids[0] not in loaded
    assert_hits_equal(loaded.search(queries, 6), [[(h.id, h.score) for h in row] for row in before])
    gold = loaded.search(queries[:1], 5, filter={"colour": "gold"})[0]
    assert sorted(hit.id for hit in gold) == ids[10:12]
    assert loaded.get(ids[20]).metadata == metadata[20]
    loaded.add(ids[:1], vectors[:1])  # still writable after loading
    assert loaded.search(vectors[:1], 1)[0][0].id == ids[0]


def test_saving_again_replaces_the_snapshot(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, _ = gallery(30)
    store.add(ids[:10], vectors[:10])
    store.save(tmp_path / "snapshot")
    store.add(ids[10:], vectors[10:])
    store.save(tmp_path / "snapshot")
    assert len(reload(backend, tmp_path / "snapshot", tmp_path, opened)) == 30
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".snapshot")) == []


def test_a_corrupted_byte_in_any_file_is_reported_with_its_path(backend, tmp_path, opened):
    store = make(backend, tmp_path, opened)
    ids, vectors, metadata = gallery(30)
    store.add(ids, vectors, metadata)
    store.save(tmp_path / "snapshot")
    files = json.loads((tmp_path / "snapshot" / "manifest.json").read_text())["files"]
    assert len(files) >= 2
    for name in files:
        damaged = tmp_path / f"damaged-{name}"
        shutil.copytree(tmp_path / "snapshot", damaged)
        data = bytearray((damaged / name).read_bytes())
        data[len(data) // 2] ^= 0x01
        (damaged / name).write_bytes(bytes(data))
        with pytest.raises(CorruptIndex, match=str(damaged / name)):
            reload(backend, damaged, tmp_path, opened)


def test_missing_manifest_or_path_is_named(backend, tmp_path, opened):
    with pytest.raises(IndexNotFound, match=str(tmp_path / "nowhere")):
        reload(backend, tmp_path / "nowhere", tmp_path, opened)
    store = make(backend, tmp_path, opened)
    store.add(*gallery(3)[:2])
    store.save(tmp_path / "snapshot")
    (tmp_path / "snapshot" / "manifest.json").unlink()
    with pytest.raises(CorruptIndex, match=str(tmp_path / "snapshot" / "manifest.json")):
        reload(backend, tmp_path / "snapshot", tmp_path, opened)


def _fail_when(condition: Callable[..., bool], real: Callable) -> Callable:
    def maybe_fail(*args, **kwargs):
        if condition(*args, **kwargs):
            raise OSError("simulated crash")
        return real(*args, **kwargs)

    return maybe_fail


@pytest.mark.parametrize("crash_point", ["while-writing", "between-renames", "before-cleanup"])
def test_a_crash_during_save_leaves_a_complete_index(
    backend, tmp_path, opened, monkeypatch, crash_point
):
    store = make(backend, tmp_path, opened)
    ids, vectors, _ = gallery(20)
    store.add(ids[:5], vectors[:5])
    store.save(tmp_path / "snapshot")
    store.add(ids[5:], vectors[5:])

    if crash_point == "while-writing":
        monkeypatch.setattr(store_module, "_fsync_and_hash", _fail_when(lambda *a: True, None))
    elif crash_point == "between-renames":  # old snapshot renamed aside, new one not yet in
        is_new_snapshot = lambda source, *_: ".saving-" in str(source)  # noqa: E731
        monkeypatch.setattr(os, "replace", _fail_when(is_new_snapshot, os.replace))
    else:  # new snapshot in place, old one not yet removed
        is_aside = lambda path, *_, **__: str(path).endswith(".previous")  # noqa: E731
        monkeypatch.setattr(shutil, "rmtree", _fail_when(is_aside, shutil.rmtree))
    with pytest.raises(OSError, match="simulated crash"):
        store.save(tmp_path / "snapshot")
    monkeypatch.undo()

    loaded = reload(backend, tmp_path / "snapshot", tmp_path, opened)
    expected = 20 if crash_point == "before-cleanup" else 5  # the new one, or the previous one
    assert len(loaded) == expected
    assert not (tmp_path / ".snapshot.previous").exists()
    assert sorted(hit.id for hit in loaded.search(vectors[:1], 30)[0]) == sorted(ids[:expected])
