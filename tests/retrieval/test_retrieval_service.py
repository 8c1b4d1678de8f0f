"""`RetrievalService`, the Python API the HTTP service calls."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from atelier.retrieval.encoder_file import (
    encoder_fingerprint,
    load_encoder,
    save_encoder,
)
from atelier.retrieval.errors import (
    EmptySearchQuery,
    RetrievalInputError,
    UnknownCaptionStyle,
    UnknownCatalogueItem,
)
from atelier.retrieval.faiss_store import FaissStore
from atelier.retrieval.image_preprocessing import images_to_tensor
from atelier.retrieval.service import RetrievalService
from atelier.retrieval.untrained_encoder import untrained_encoder
from atelier.world.tasks import make_record


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("service")
    torch.manual_seed(0)
    save_encoder(root / "weights", untrained_encoder("tiny"))
    encoder = load_encoder(root / "weights")
    shots = [make_record("caption", "test", 0, index, (64, 48)).garments[0].image for index in range(8)]
    with torch.no_grad():
        vectors = encoder.embed_images(images_to_tensor(shots, (64, 48))).numpy()
    store = FaissStore(encoder.config.embed_dim)
    fingerprint = encoder_fingerprint(root / "weights")
    store.add([f"item{index}" for index in range(8)], vectors, [{"file": f"item{index}.png", "encoder": fingerprint} for index in range(8)])
    store.save(root / "index")
    return RetrievalService(root / "weights", root / "index"), shots, root / "weights"


def test_every_kind_of_search_answers_k_hits_best_first(service):
    service, shots, _ = service
    for hits in (
        service.search_text("red dress", k=3),
        service.search_image(shots[2], k=3),
        service.search_composed(shots[2], "is red", k=3),
        service.search(text="is red", image=shots[2], k=3),
        service.search(text="red dress", k=3),
    ):
        assert len(hits) == 3 and [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert service.search_image(shots[2], k=1)[0].id == "item2"
    assert [hit.id for hit in service.search_like("item2", k=7)] == [hit.id for hit in service.search_image(shots[2], k=8)][1:]


def test_any_picture_size_is_accepted(service):
    service, shots, _ = service
    big = np.kron(shots[0], np.ones((3, 3, 1), np.uint8))  # (192, 144, 3)
    assert service.search_image(big, k=1)[0].id == "item0"


def test_captions_in_each_style_and_bad_styles(service):
    service, shots, _ = service
    assert isinstance(service.caption(shots[0]), str)
    assert isinstance(service.caption(shots[0], "detailed", beams=2), str)
    with pytest.raises(UnknownCaptionStyle):
        service.caption(shots[0], "poetic")
    with pytest.raises(RetrievalInputError, match="beams"):
        service.caption(shots[0], beams=0)


def test_bad_queries_raise_typed_value_errors(service):
    service, _, _ = service
    with pytest.raises(EmptySearchQuery):
        service.search_text("  ")
    with pytest.raises(EmptySearchQuery):
        service.search(text="")
    with pytest.raises(UnknownCatalogueItem, match="nope"):
        service.search_like("nope")
    with pytest.raises(RetrievalInputError, match="k must be"):
        service.search_text("red", k=0)
    with pytest.raises(RetrievalInputError, match="uint8"):
        service.search_image(np.zeros((4, 4), np.float32))
    assert all(issubclass(error, ValueError) for error in (EmptySearchQuery, UnknownCatalogueItem, UnknownCaptionStyle))


def test_a_service_without_index_still_captions(service):
    _, shots, weights = service
    captions_only = RetrievalService(weights)
    assert isinstance(captions_only.caption(shots[0], "short"), str)
    with pytest.raises(RetrievalInputError, match="no catalogue index"):
        captions_only.search_text("red")
