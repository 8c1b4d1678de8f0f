"""Images in every awkward encoding, and clients for apps built around pipeline doubles."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from atelier.serve import ServeSettings, create_app
from tests.serve.pipeline_doubles import SlowEchoPipeline

HEIGHT, WIDTH = 64, 48


def smooth_image(seed: int = 0, size_hw: tuple[int, int] = (HEIGHT, WIDTH)) -> np.ndarray:
    """(H, W, 3) uint8, smooth so JPEG round trips stay close."""
    coarse = np.random.default_rng(seed).integers(0, 256, size=(4, 3, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(coarse).resize((size_hw[1], size_hw[0]), Image.Resampling.BILINEAR))


def encode(image: Image.Image | np.ndarray, image_format: str = "PNG", **options) -> bytes:
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def png(seed: int = 0) -> bytes:
    return encode(smooth_image(seed))


def decode_response_image(content: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(content)).convert("RGB"))


def tryon_form(
    person: bytes | None = None,
    garments: list[tuple[bytes, str]] | None = None,
    **fields: str | list[str],
) -> list[tuple[str, tuple]]:
    """The ``files=`` list of a /v1/tryon request: parts in order, fields as form parts."""
    parts: list[tuple[str, tuple]] = []
    if person is not None:
        parts.append(("person", ("person.png", person, "image/png")))
    for index, (data, category) in enumerate(garments or []):
        parts.append(("garment", (f"garment{index}.png", data, "image/png")))
        parts.append(("category", (None, category)))
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append((name, (None, item)))
    return parts


def assert_error(response, status: int, code: str | None = None, mentions: str | None = None) -> dict:
    """Checks the status and the one JSON error shape; returns the error object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message"}
    if code is not None:
        assert error["code"] == code, error
    if mentions is not None:
        assert mentions in error["message"], error
    return error


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    """Builds started TestClients: ``make_client(pipeline=..., **settings)``; all closed after the test."""
    with ExitStack() as stack:

        def build(pipeline=None, retrieval=None, **settings) -> TestClient:
            app = create_app(
                ServeSettings(**settings),
                pipeline=pipeline if pipeline is not None else SlowEchoPipeline(),
                retrieval=retrieval,
            )
            return stack.enter_context(TestClient(app))

        yield build


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()
