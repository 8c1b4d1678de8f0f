"""/v1/search and /v1/caption: 503 until an index is configured, then checked like try-on."""

from __future__ import annotations

import numpy as np
import pytest

from atelier.serve.retrieval_backend import load_retrieval
from tests.serve.conftest import assert_error, encode, png
from tests.serve.retrieval_doubles import FixedCatalogueRetrieval


def test_without_an_index_both_routes_answer_503(client):
    message = "retrieval index not configured"
    assert_error(client.post("/v1/search", files=[("text", (None, "red top"))]), 503, "retrieval_unavailable", message)
    assert_error(client.post("/v1/caption", files=[("image", ("g.png", png(1)))]), 503, "retrieval_unavailable", message)


def test_a_given_index_that_cannot_be_served_says_why(tmp_path):
    assert "not found" in load_retrieval(tmp_path / "absent").unavailable_reason()
    assert str(tmp_path) in load_retrieval(tmp_path).unavailable_reason()


@pytest.fixture
def catalogue_client(make_client):
    return make_client(retrieval=FixedCatalogueRetrieval())


def test_search_by_text_returns_k_ranked_results(catalogue_client):
    response = catalogue_client.post("/v1/search", files=[("text", (None, "red dress")), ("k", (None, "2"))])
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [result["id"] for result in results] == ["red-dress", "red-top"]
    assert results[0]["metadata"] == {"category": "dress"}


def test_search_needs_a_query_and_a_sane_k(catalogue_client):
    assert_error(catalogue_client.post("/v1/search", files=[("k", (None, "3"))]), 422, "invalid_request", "query")
    assert_error(catalogue_client.post("/v1/search", files=[("text", (None, "red")), ("k", (None, "0"))]), 422, mentions="k")
    assert_error(catalogue_client.post("/v1/search", files=[("text", (None, "red")), ("colour", (None, "x"))]), 422)


def test_search_by_a_bad_image_is_415(catalogue_client):
    response = catalogue_client.post("/v1/search", files=[("image", ("g.png", b"not an image at all"))])
    assert_error(response, 415, "unsupported_image", "image")


def test_caption_describes_the_image(catalogue_client):
    red = np.zeros((32, 24, 3), dtype=np.uint8)
    red[..., 0] = 220
    response = catalogue_client.post("/v1/caption", files=[("image", ("g.png", encode(red)))])
    assert response.status_code == 200 and response.json() == {"caption": "a reddish garment"}
    unknown_style = catalogue_client.post("/v1/caption", files=[("image", ("g.png", encode(red))), ("style", (None, "poem"))])
    assert_error(unknown_style, 422, "invalid_request", "style")
    assert_error(catalogue_client.post("/v1/caption", files=[("style", (None, "short"))]), 422, mentions="image")


def test_the_shipped_encoder_serves_search_and_caption_over_an_index(make_client, tmp_path):
    """With --index, /v1/search and /v1/caption answer through the retrieval encoder."""
    from atelier.data.images import save_image_atomic
    from atelier.retrieval.encoder_file import DEFAULT_WEIGHTS, encoder_fingerprint, load_encoder
    from atelier.retrieval.index_building import build_image_index
    from atelier.world.tasks import make_record

    images = tmp_path / "catalogue"
    images.mkdir()
    for index in range(6):
        garment = make_record("caption", "test", 0, index, (96, 72)).garments[0]
        save_image_atomic(garment.image, images / f"item{index}.png")
    encoder = load_encoder(DEFAULT_WEIGHTS)
    build_image_index(encoder, images, tmp_path / "index", fingerprint=encoder_fingerprint(DEFAULT_WEIGHTS), progress=False)
    client = make_client(retrieval=load_retrieval(tmp_path / "index"))
    response = client.post("/v1/search", files=[("text", (None, "a red top")), ("k", (None, "3"))])
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]) == 3
    caption = client.post("/v1/caption", files=[("image", ("g.png", (images / "item0.png").read_bytes()))])
    assert caption.status_code == 200 and caption.json()["caption"]
