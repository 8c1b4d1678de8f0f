"""Hostile and awkward uploads get the right 4xx with a message naming the field, never a 500."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.serve.conftest import (
    HEIGHT,
    WIDTH,
    assert_error,
    decode_response_image,
    encode,
    png,
    smooth_image,
    tryon_form,
)


def test_a_valid_request_gets_the_image_back(client):
    response = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "no-store"
    np.testing.assert_array_equal(decode_response_image(response.content), smooth_image(1))


def test_jpeg_output_is_answered_when_asked_for(client):
    response = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")], format="jpeg"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content[:3] == b"\xff\xd8\xff"


def test_truncated_jpeg_is_422_naming_the_garment(client):
    jpeg = encode(smooth_image(3), "JPEG", quality=90)
    garments = [(png(2), "top"), (jpeg[: len(jpeg) // 2], "pants")]
    assert_error(client.post("/v1/tryon", files=tryon_form(png(1), garments)), 422, "corrupt_image", "garment[1]")


def test_empty_file_is_422_naming_the_person(client):
    assert_error(client.post("/v1/tryon", files=tryon_form(b"", [(png(2), "top")])), 422, "empty_image", "person")


def test_decompression_bomb_is_422_under_a_lowered_pixel_limit(make_client):
    client = make_client(max_image_pixels=HEIGHT * WIDTH - 1)
    response = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")]))
    assert_error(response, 422, "image_too_large", "person")


def test_cmyk_jpeg_is_accepted(client):
    cmyk = encode(Image.fromarray(smooth_image(4)).convert("CMYK"), "JPEG", quality=95)
    response = client.post("/v1/tryon", files=tryon_form(cmyk, [(png(2), "top")]))
    assert response.status_code == 200, response.text
    assert decode_response_image(response.content).shape == (HEIGHT, WIDTH, 3)


def test_sixteen_bit_png_is_accepted(client):
    values = (np.linspace(0, 65535, HEIGHT * WIDTH).reshape(HEIGHT, WIDTH)).astype(np.uint16)
    sixteen_bit = encode(Image.fromarray(values), "PNG")
    assert Image.open(io.BytesIO(sixteen_bit)).mode.startswith("I")
    response = client.post("/v1/tryon", files=tryon_form(sixteen_bit, [(png(2), "top")]))
    assert response.status_code == 200, response.text
    result = decode_response_image(response.content)
    assert result[0, 0, 0] < 5 and result[-1, -1, 0] > 250  # scaled, not clipped to white


def test_exif_rotated_photo_is_accepted_upright(client):
    stored = Image.fromarray(smooth_image(5, size_hw=(WIDTH, HEIGHT)))  # stored landscape, 64 wide
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    rotated = encode(stored, "JPEG", quality=95, exif=exif.tobytes())
    response = client.post("/v1/tryon", files=tryon_form(rotated, [(png(2), "top")]))
    assert response.status_code == 200, response.text
    assert decode_response_image(response.content).shape == (HEIGHT, WIDTH, 3)  # shown portrait


def test_animated_gif_is_415(client):
    frames = [Image.fromarray(smooth_image(seed)).convert("P") for seed in (6, 7)]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    response = client.post("/v1/tryon", files=tryon_form(png(1), [(gif, "top")]))
    assert_error(response, 415, "unsupported_image", "garment[0]")


def test_text_file_named_png_is_415(client):
    response = client.post("/v1/tryon", files=tryon_form(b"just some notes, not a photo\n", [(png(2), "top")]))
    assert_error(response, 415, "unsupported_image", "person")


def test_body_over_the_declared_limit_is_413(make_client):
    client = make_client(max_body_mb=0.01)  # about 10 kB
    big = encode(np.random.default_rng(0).integers(0, 256, (96, 96, 3), dtype=np.uint8), "PNG")
    assert len(big) > 0.01 * 1024 * 1024
    assert_error(client.post("/v1/tryon", files=tryon_form(big, [(png(2), "top")])), 413, "payload_too_large")


def test_streamed_body_without_length_is_413(make_client):
    client = make_client(max_body_mb=0.01)

    def chunks():
        for _ in range(100):
            yield b"x" * 1024

    response = client.post(
        "/v1/tryon", content=chunks(), headers={"content-type": "multipart/form-data; boundary=abc"}
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "payload_too_large")


def test_seven_garments_are_422(client):
    garments = [(png(seed), "top") for seed in range(7)]
    assert_error(client.post("/v1/tryon", files=tryon_form(png(1), garments, task="multi")), 422, "invalid_request", "at most 6")


def test_unknown_category_is_422(client):
    response = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "cape")]))
    assert_error(response, 422, "invalid_request", "category[0]")


def test_category_count_must_match_garment_count(client):
    parts = tryon_form(png(1), [(png(2), "top"), (png(3), "pants")])
    parts.append(("category", (None, "hat")))
    assert_error(client.post("/v1/tryon", files=parts), 422, "invalid_request", "category")


@pytest.mark.parametrize(
    "fields, mentions",
    [
        ({"task": "teleport"}, "task"),
        ({"steps": "0"}, "steps"),
        ({"steps": "101"}, "steps"),
        ({"steps": "2.5"}, "steps"),
        ({"steps": "9" * 5000}, "steps"),
        ({"seed": "-1"}, "seed"),
        ({"guidance": "nan"}, "guidance"),
        ({"guidance": "3,2.5,5,1"}, "guidance"),
        ({"guidance": "3,,5"}, "guidance"),
        ({"guidance": "3,31"}, "guidance"),
        ({"restore_detail": "maybe"}, "restore_detail"),
        ({"format": "gif"}, "format"),
        ({"instruction": "x" * 1001}, "instruction"),
        ({"colour": "red"}, "unknown form field"),
        ({"task": ["single", "multi"]}, "once"),
    ],
)
def test_invalid_fields_are_422(client, fields, mentions):
    response = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")], **fields))
    assert_error(response, 422, "invalid_request", mentions)


@pytest.mark.parametrize(
    "parts, mentions",
    [
        (tryon_form(None, [(png(2), "top")], task="single"), "person"),
        (tryon_form(png(1), [], task="multi"), "garment"),
        (tryon_form(png(1), [(png(2), "top"), (png(3), "hat")], task="single"), "garment"),
        (tryon_form(png(1), [(png(2), "top")], task="modelfree"), "person"),
        (tryon_form(png(1), [], task="pose"), "pose"),
        (tryon_form(png(1), [], task="edit"), "instruction"),
    ],
)
def test_inputs_that_do_not_fit_the_task_are_422(client, parts, mentions):
    assert_error(client.post("/v1/tryon", files=parts), 422, "invalid_request", mentions)


def test_tryoff_takes_a_person_and_one_category(client):
    response = client.post("/v1/tryoff", files=tryon_form(png(1), category="coat"))
    assert response.status_code == 200, response.text
    assert_error(client.post("/v1/tryoff", files=tryon_form(png(1))), 422, "invalid_request", "category")
    garment_sent = client.post("/v1/tryoff", files=tryon_form(png(1), [(png(2), "top")]))
    assert_error(garment_sent, 422, "invalid_request", "garment")


def test_a_body_that_is_not_multipart_is_415(client):
    response = client.post("/v1/tryon", json={"person": "aGVsbG8="})
    assert_error(response, 415, "unsupported_media_type")


def test_a_malformed_multipart_body_is_400(client):
    response = client.post(
        "/v1/tryon",
        content=b"--abc\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--abc--\r\n",
        headers={"content-type": "multipart/form-data; boundary=abc"},
    )
    assert_error(response, 400, "bad_request")


def test_unknown_paths_and_methods_answer_json(client):
    assert_error(client.get("/v2/nothing"), 404, "not_found")
    assert_error(client.get("/v1/tryon"), 405, "method_not_allowed")
