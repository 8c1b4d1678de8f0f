"""What is particular to QdrantStore: id mapping, local-mode persistence, collection checks."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from atelier.retrieval.qdrant_store import QdrantStore, point_id
from atelier.retrieval.store import DimensionMismatch, StoreError


def test_point_ids_are_stable_uuids_and_payload_keeps_the_original_id():
    assert point_id("sku-1") == point_id("sku-1") != point_id("sku-2")
    assert uuid.UUID(point_id("sku-1")).version == 5
    store = QdrantStore(4, collection="products")
    store.add(["sku-1"], np.ones((1, 4), np.float32), [{"colour": "red"}])
    record = store._client.retrieve("products", [point_id("sku-1")], with_payload=True)[0]
    assert record.payload == {"item_id": "sku-1", "metadata": {"colour": "red"}}


def test_local_path_mode_persists_across_clients(tmp_path):
    vectors = np.random.default_rng(0).normal(size=(20, 8)).astype(np.float32)
    ids = [f"p{index}" for index in range(20)]
    store = QdrantStore(8, path=tmp_path / "db")
    store.add(ids, vectors, [{"n": index} for index in range(20)])
    before = store.search(vectors[:3], 4)
    store.close()
    reopened = QdrantStore(8, path=tmp_path / "db")
    try:
        assert len(reopened) == 20
        after = reopened.search(vectors[:3], 4)
        assert [[h.id for h in row] for row in after] == [[h.id for h in row] for row in before]
        np.testing.assert_allclose(
            [[hit.score for hit in row] for row in after],
            [[hit.score for hit in row] for row in before],
            atol=1e-6,
        )
        assert reopened.get("p5").metadata == {"n": 5}
    finally:
        reopened.close()


def test_an_existing_collection_of_another_dimension_is_refused(tmp_path):
    QdrantStore(8, path=tmp_path / "db").close()
    with pytest.raises(DimensionMismatch, match="holds 8-d vectors, not 16-d"):
        QdrantStore(16, path=tmp_path / "db")


def test_load_refuses_a_collection_that_already_holds_points(tmp_path):
    store = QdrantStore(4, path=tmp_path / "db")
    store.add(["a"], np.ones((1, 4), np.float32))
    store.save(tmp_path / "snapshot")
    store.close()
    with pytest.raises(StoreError, match="already holds 1 points"):
        QdrantStore.load(tmp_path / "snapshot", path=tmp_path / "db")
    loaded = QdrantStore.load(tmp_path / "snapshot", collection="copy")
    assert loaded.collection == "copy" and "a" in loaded


def test_only_one_place_may_be_named(tmp_path):
    with pytest.raises(ValueError, match="at most one"):
        QdrantStore(4, location=":memory:", path=tmp_path)
