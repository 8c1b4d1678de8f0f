"""Privacy and access: uploads never reach the disk or the logs, the bearer token guards the
API, CORS is off unless asked for, and the page forbids loading anything foreign."""

from __future__ import annotations

import logging
import tempfile

import numpy as np
import pytest
import starlette.formparsers

from tests.serve.conftest import assert_error, encode, png, tryon_form


def refuse_disk(*args, **kwargs):
    raise AssertionError("an upload was about to be written to a temporary file")


def test_large_uploads_stay_in_memory_and_out_of_the_logs(make_client, monkeypatch, caplog):
    for name in ("NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, refuse_disk)
    monkeypatch.setattr(starlette.formparsers, "SpooledTemporaryFile", refuse_disk)
    noise = np.random.default_rng(0).integers(0, 256, (900, 900, 3), dtype=np.uint8)
    person = encode(noise, "PNG")
    assert len(person) > 2 * 1024 * 1024  # past every library's default spill-to-disk threshold
    client = make_client()
    with caplog.at_level(logging.DEBUG):
        answered = client.post("/v1/tryon", files=tryon_form(person, [(png(2), "top")]))
        refused = client.post("/v1/tryon", files=tryon_form(person[:-5000], [(png(2), "top")]))
    assert answered.status_code == 200, answered.text
    assert_error(refused, 422, "corrupt_image", "person")
    for record in caplog.records:
        text = record.getMessage()
        assert "PNG" not in text and "\\x" not in text and len(text) < 500


@pytest.fixture
def guarded(make_client, tmp_path):
    return make_client(api_key="s3cret-token")


def test_the_api_needs_the_bearer_token(guarded):
    form = tryon_form(png(1), [(png(2), "top")])
    response = guarded.post("/v1/tryon", files=form)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    assert_error(guarded.post("/v1/tryon", files=form, headers={"Authorization": "Bearer wrong"}), 401)
    assert_error(guarded.get("/metrics"), 401)
    ok = guarded.post("/v1/tryon", files=form, headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200


def test_health_page_and_schema_stay_open_with_a_token(guarded):
    for path in ("/healthz", "/readyz", "/", "/static/app.js", "/openapi.json"):
        assert guarded.get(path).status_code == 200, path


def test_the_api_key_is_read_from_a_file_and_never_printed(tmp_path):
    from atelier.serve import ServeSettings
    from atelier.serve.bearer_auth import read_api_key

    key_file = tmp_path / "key"
    key_file.write_text("  token-123\n")
    settings = ServeSettings(api_key=read_api_key(key_file))
    assert settings.api_key == "token-123"
    assert "token-123" not in repr(settings)
    key_file.write_text("\n")
    with pytest.raises(ValueError, match="empty"):
        read_api_key(key_file)


def test_cors_is_off_by_default(client):
    response = client.get("/healthz", headers={"Origin": "https://shop.example"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_only_the_given_origin(make_client):
    client = make_client(cors_origins=("https://shop.example",))
    allowed = client.options(
        "/v1/tryon",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
    other = client.get("/healthz", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


def test_the_page_allows_only_its_own_resources(client):
    response = client.get("/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_server_binds_to_loopback_by_default():
    from atelier.serve import ServeSettings

    assert ServeSettings().host == "127.0.0.1"
