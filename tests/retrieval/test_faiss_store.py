"""What is particular to FaissStore: HNSW recall and tombstones, IVF training, filter fallback."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from atelier.retrieval import faiss_store
from atelier.retrieval.faiss_store import FaissStore
from atelier.retrieval.store import CorruptIndex


def random_gallery(count: int, dim: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return [f"p{index}" for index in range(count)], rng.normal(size=(count, dim)).astype(np.float32)


def recall_at(k: int, approximate, exact) -> float:
    """Mean share of the exact top-k ids that the approximate search also returned."""
    found = [
        len({hit.id for hit in got} & {hit.id for hit in want}) / k
        for got, want in zip(approximate, exact)
    ]
    return float(np.mean(found))


def test_hnsw_recall_at_10_against_exact_search():
    ids, vectors = random_gallery(5000, 64)
    queries = np.random.default_rng(1).normal(size=(200, 64)).astype(np.float32)
    exact, hnsw = FaissStore(64), FaissStore(64, "hnsw", hnsw_m=32, ef_search=64)
    exact.add(ids, vectors)
    hnsw.add(ids, vectors)
    truth = exact.search(queries, 10)
    recall = recall_at(10, hnsw.search(queries, 10), truth)
    assert recall >= 0.9
    hnsw.ef_search = 8  # a narrower search must cost recall, else ef_search is not wired in
    assert recall_at(10, hnsw.search(queries, 10), truth) < recall


def test_hnsw_deletes_leave_tombstones_until_the_fraction_is_exceeded():
    ids, vectors = random_gallery(500, 16)
    store = FaissStore(16, "hnsw", hnsw_m=8, max_tombstone_fraction=0.2)
    store.add(ids, vectors)
    store.delete(ids[:90])
    assert len(store) == 410 and store.index_size == 500  # 90 tombstones: 18% of the graph
    hits = store.search(vectors[:90], 5)
    assert all(len(row) == 5 and all(hit.id not in ids[:90] for hit in row) for row in hits)
    store.update(ids[90:101], vectors[:11])  # 101 tombstones > 20% of 500: rebuilt
    assert len(store) == 410 and store.index_size == 410
    assert [row[0].id for row in store.search(vectors[:11], 1)] == ids[90:101]


def test_hnsw_save_drops_tombstones(tmp_path):
    ids, vectors = random_gallery(300, 16)
    store = FaissStore(16, "hnsw", hnsw_m=8)
    store.add(ids, vectors)
    store.delete(ids[:20])
    store.save(tmp_path / "index")
    loaded = FaissStore.load(tmp_path / "index", ef_search=200)
    assert loaded.index_size == len(loaded) == 280 and loaded.ef_search == 200
    assert [row[0].id for row in loaded.search(vectors[20:40], 1)] == ids[20:40]


def test_ivf_stays_exact_until_it_has_enough_vectors_to_train(tmp_path):
    ids, vectors = random_gallery(400, 16)
    store = FaissStore(16, "ivf", ivf_lists=8, ivf_probes=8)  # trains at 39 * 8 = 312
    store.add(ids[:300], vectors[:300])
    assert not store.ivf_trained
    store.add(ids[300:], vectors[300:])
    assert store.ivf_trained and store.index_size == 400
    store.delete(ids[:5])
    np.testing.assert_allclose(
        store.get(ids[7]).vector, vectors[7] / np.linalg.norm(vectors[7]), atol=1e-6
    )
    store.save(tmp_path / "index")
    loaded = FaissStore.load(tmp_path / "index")
    assert loaded.ivf_trained and len(loaded) == 395
    assert loaded.get(ids[7]).id == ids[7]  # reconstruction survives the round trip
    queries = vectors[10:20]
    assert [[h.id for h in row] for row in loaded.search(queries, 5)] == [
        [h.id for h in row] for row in store.search(queries, 5)
    ]


@pytest.mark.parametrize("max_overfetch", [16, 4096])
@pytest.mark.parametrize("kind", ["exact", "hnsw"])
def test_a_rare_filter_still_finds_the_best_matches(monkeypatch, kind, max_overfetch):
    # 16 forces the exact fallback over matching items; 4096 covers the gallery by over-fetching.
    monkeypatch.setattr(faiss_store, "MAX_OVERFETCH", max_overfetch)
    ids, vectors = random_gallery(2000, 16)
    metadata = [{"rare": index % 400 == 0} for index in range(2000)]  # 5 items
    store = FaissStore(16, kind, hnsw_m=8)
    store.add(ids, vectors, metadata)
    query = np.random.default_rng(5).normal(size=(1, 16)).astype(np.float32)
    rare = [index for index in range(2000) if metadata[index]["rare"]]
    scores = (vectors[rare] / np.linalg.norm(vectors[rare], axis=1, keepdims=True)) @ query[0]
    expected = [ids[rare[j]] for j in np.argsort(-scores)[:3]]
    assert [hit.id for hit in store.search(query, 3, filter={"rare": True})[0]] == expected


def test_unreadable_index_file_is_named_even_with_a_matching_checksum(tmp_path):
    store = FaissStore(8)
    store.add(*random_gallery(10, 8))
    store.save(tmp_path / "index")
    index_file = tmp_path / "index" / "index.faiss"
    index_file.write_bytes(b"not a faiss index")
    manifest_file = tmp_path / "index" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["files"]["index.faiss"]["sha256"] = hashlib.sha256(b"not a faiss index").hexdigest()
    manifest_file.write_text(json.dumps(manifest))
    with pytest.raises(CorruptIndex, match=f"cannot read FAISS index {index_file}"):
        FaissStore.load(tmp_path / "index")


def test_load_refuses_build_options_and_other_backends(tmp_path):
    from atelier.retrieval.qdrant_store import QdrantStore

    store = FaissStore(8)
    store.add(*random_gallery(10, 8))
    store.save(tmp_path / "index")
    with pytest.raises(TypeError, match="hnsw_m"):
        FaissStore.load(tmp_path / "index", hnsw_m=64)
    with pytest.raises(CorruptIndex, match="holds a 'faiss' index, not a 'qdrant' one"):
        QdrantStore.load(tmp_path / "index")


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        FaissStore(8, "lsh")
