"""Tests for atelier.data.images: every input is made here with Pillow."""

import io
import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from atelier.data import images
from atelier.data.images import (
    CorruptImage,
    EmptyImage,
    ImageError,
    ImageTooLarge,
    MissingImage,
    Padding,
    UnsupportedImageFormat,
    decode_image,
    decode_label_map,
    encode_jpeg,
    encode_png,
    load_image,
    load_label_map,
    pad_to_aspect,
    resize,
    restore,
    save_image_atomic,
    unpad,
)

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)


def to_bytes(image: Image.Image, image_format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **params)
    return buffer.getvalue()


def assert_names_input(error: pytest.ExceptionInfo, name: str) -> None:
    assert error.value.name == name
    assert name in str(error.value)


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def png_declaring_size(width: int, height: int) -> bytes:
    """A PNG whose header declares a size but whose pixel data is a few bytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + png_chunk(b"IEND", b"")
    )


# --- the allow-list ---------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "params", "tolerance"),
    [
        ("PNG", {}, 0),
        ("JPEG", {"quality": 95}, 8),
        ("WEBP", {"lossless": True}, 0),
        ("BMP", {}, 0),
        ("GIF", {}, 0),
        ("TIFF", {}, 0),
    ],
)
def test_every_allowed_format_decodes_to_rgb(image_format, params, tolerance):
    source = Image.new("RGB", (24, 16), BLUE)
    source.paste(RED, (0, 0, 12, 16))
    pixels = decode_image(to_bytes(source, image_format, **params))
    assert pixels.shape == (16, 24, 3)
    assert pixels.dtype == np.uint8
    assert np.abs(pixels[8, 3].astype(int) - RED).max() <= tolerance
    assert np.abs(pixels[8, 20].astype(int) - BLUE).max() <= tolerance


def test_decoded_array_is_writable():
    pixels = decode_image(to_bytes(Image.new("RGB", (4, 4), RED), "PNG"))
    pixels[0, 0] = 0  # callers may edit in place


# --- errors -----------------------------------------------------------------


def test_zero_bytes_is_empty():
    with pytest.raises(EmptyImage) as error:
        decode_image(b"", name="person")
    assert_names_input(error, "person")


def test_truncated_jpeg_is_corrupt():
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    data = to_bytes(Image.fromarray(noise), "JPEG")
    with pytest.raises(CorruptImage) as error:
        decode_image(data[: len(data) // 2], name="garment.jpg")
    assert_names_input(error, "garment.jpg")


def test_png_with_unreadable_header_is_corrupt():
    with pytest.raises(CorruptImage) as error:
        decode_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, name="upload")
    assert_names_input(error, "upload")


def test_png_with_broken_body_is_corrupt_not_unsupported():
    data = to_bytes(Image.new("RGB", (32, 32), RED), "PNG")
    broken = data[:40] + bytes(len(data) - 40)
    with pytest.raises(CorruptImage) as error:
        decode_image(broken, name="upload")
    assert_names_input(error, "upload")


def test_text_named_png_is_unsupported(tmp_path):
    path = tmp_path / "shirt.png"
    path.write_text("this is not a picture\n")
    with pytest.raises(UnsupportedImageFormat) as error:
        load_image(path)
    assert_names_input(error, str(path))
    assert "text" in str(error.value)


def test_format_outside_allow_list_is_unsupported():
    data = to_bytes(Image.new("RGB", (8, 8), RED), "ICO")
    with pytest.raises(UnsupportedImageFormat) as error:
        decode_image(data, name="favicon")
    assert_names_input(error, "favicon")
    assert "PNG" in str(error.value)


def test_animated_gif_is_unsupported():
    frames = [Image.new("RGB", (8, 8), RED), Image.new("RGB", (8, 8), GREEN)]
    data = to_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(UnsupportedImageFormat) as error:
        decode_image(data, name="animation.gif")
    assert_names_input(error, "animation.gif")
    assert "frame" in str(error.value)


def test_declared_size_over_pillow_limit_is_too_large():
    # 20000 x 20000 = 4e8 pixels, over twice Pillow's default limit; the file is
    # a few dozen bytes, so nothing is allocated before the refusal.
    with pytest.raises(ImageTooLarge) as error:
        decode_image(png_declaring_size(20000, 20000), name="bomb.png")
    assert_names_input(error, "bomb.png")


@pytest.mark.parametrize("side", [12, 20])
def test_pillow_warning_range_is_refused_too(monkeypatch, recwarn, side):
    # limit 100: 12x12=144 only warns in Pillow, 20x20=400 is its hard error.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ImageTooLarge) as error:
        decode_image(to_bytes(Image.new("RGB", (side, side), RED), "PNG"), name="bomb")
    assert_names_input(error, "bomb")
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def test_max_pixels_is_enforced():
    data = to_bytes(Image.new("RGB", (10, 10), RED), "PNG")
    assert decode_image(data, max_pixels=100).shape == (10, 10, 3)
    with pytest.raises(ImageTooLarge) as error:
        decode_image(data, name="photo", max_pixels=99)
    assert_names_input(error, "photo")
    assert "max_pixels=99" in str(error.value)


def test_missing_file_names_path(tmp_path):
    path = tmp_path / "nowhere.jpg"
    with pytest.raises(MissingImage) as error:
        load_image(path)
    assert_names_input(error, str(path))


def test_errors_are_value_errors():
    error_types = (EmptyImage, UnsupportedImageFormat, CorruptImage, ImageTooLarge, MissingImage)
    for error_type in error_types:
        assert issubclass(error_type, ImageError)
        assert issubclass(error_type, ValueError)


# --- normalisation to RGB ---------------------------------------------------


def test_exif_orientation_is_applied():
    # 64 wide, 32 tall, red block top-left. Orientation 6 means "rotate 90
    # degrees clockwise to display", so it becomes 32 wide, 64 tall, red top-right.
    source = Image.new("RGB", (64, 32), GREEN)
    source.paste(RED, (0, 0, 16, 16))
    exif = Image.Exif()
    exif[0x0112] = 6
    pixels = decode_image(to_bytes(source, "JPEG", quality=95, exif=exif.tobytes()))
    assert pixels.shape == (64, 32, 3)
    assert np.abs(pixels[4, 27].astype(int) - RED).max() <= 8
    assert np.abs(pixels[4, 4].astype(int) - GREEN).max() <= 8


def test_cmyk_jpeg_becomes_rgb():
    pixels = decode_image(to_bytes(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG"))
    assert pixels.shape == (8, 8, 3)
    assert np.abs(pixels[4, 4].astype(int) - RED).max() <= 8


def test_sixteen_bit_png_is_scaled_not_clipped():
    values = np.array([[0, 1000, 40000, 65535]], dtype=np.uint16)
    data = to_bytes(Image.fromarray(values), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    pixels = decode_image(data)
    assert pixels.shape == (1, 4, 3)
    np.testing.assert_array_equal(pixels[0, :, 0], [0, 4, 156, 255])
    np.testing.assert_array_equal(pixels[..., 0], pixels[..., 2])


def test_rgba_png_is_composited_over_white():
    rgba = np.zeros((1, 3, 4), dtype=np.uint8)
    rgba[0, 0] = (255, 0, 0, 0)  # fully transparent red
    rgba[0, 1] = (0, 0, 255, 255)  # opaque blue
    rgba[0, 2] = (0, 0, 0, 128)  # half-transparent black
    pixels = decode_image(to_bytes(Image.fromarray(rgba), "PNG"))
    np.testing.assert_array_equal(pixels[0, 0], WHITE)
    np.testing.assert_array_equal(pixels[0, 1], BLUE)
    assert np.all(np.abs(pixels[0, 2].astype(int) - 127) <= 1)


def test_palette_png_with_transparency():
    image = Image.new("P", (2, 1))
    image.putpalette([*RED, *BLUE] + [0] * 762)
    image.putdata([0, 1])
    pixels = decode_image(to_bytes(image, "PNG", transparency=0))
    np.testing.assert_array_equal(pixels[0, 0], WHITE)
    np.testing.assert_array_equal(pixels[0, 1], BLUE)


@pytest.mark.parametrize(
    ("mode", "colour", "expected"), [("L", 77, 77), ("1", 1, 255), ("LA", (77, 255), 77)]
)
def test_gray_and_bilevel_modes_become_rgb(mode, colour, expected):
    pixels = decode_image(to_bytes(Image.new(mode, (3, 2), colour), "PNG"))
    assert pixels.shape == (2, 3, 3)
    assert np.all(pixels == expected)


# --- label maps -------------------------------------------------------------


def test_palette_label_map_keeps_indices(tmp_path):
    labels = (np.arange(6 * 5).reshape(6, 5) % 20).astype(np.uint8)
    image = Image.fromarray(labels).convert("P")
    image.putpalette(np.random.default_rng(1).integers(0, 256, 768).tolist())
    image.putdata(labels.ravel().tolist())
    data = to_bytes(image, "PNG")
    np.testing.assert_array_equal(decode_label_map(data), labels)
    path = tmp_path / "parse.png"
    path.write_bytes(data)
    np.testing.assert_array_equal(load_label_map(path), labels)
    assert decode_image(data).shape == (6, 5, 3)  # as a picture it is colours


def test_grayscale_label_map_keeps_values():
    labels = np.array([[0, 3], [7, 255]], dtype=np.uint8)
    np.testing.assert_array_equal(decode_label_map(encode_png(labels)), labels)


def test_rgb_label_map_is_unsupported():
    data = encode_png(np.zeros((4, 4, 3), dtype=np.uint8))
    with pytest.raises(UnsupportedImageFormat) as error:
        decode_label_map(data, name="segmentation")
    assert_names_input(error, "segmentation")
    assert "index" in str(error.value) and "grayscale" in str(error.value)


# --- encoding and atomic saving ---------------------------------------------


def test_png_round_trip_is_exact():
    pixels = np.random.default_rng(2).integers(0, 256, (7, 9, 3), dtype=np.uint8)
    np.testing.assert_array_equal(decode_image(encode_png(pixels)), pixels)


def test_jpeg_round_trip_is_close():
    pixels = np.full((16, 16, 3), (200, 100, 50), dtype=np.uint8)
    decoded = decode_image(encode_jpeg(pixels, quality=95))
    assert np.abs(decoded.astype(int) - pixels).max() <= 4


@pytest.mark.parametrize(
    "bad",
    [np.zeros((4, 4, 3), np.float32), np.zeros((4, 4, 4), np.uint8), np.zeros((0, 4), np.uint8)],
)
def test_encoding_rejects_bad_arrays(bad):
    with pytest.raises(ValueError):
        encode_png(bad)


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".jpeg", ".webp"])
def test_save_atomic_writes_only_the_target(tmp_path, suffix):
    pixels = np.full((8, 6, 3), 90, dtype=np.uint8)
    path = tmp_path / f"out{suffix}"
    save_image_atomic(pixels, path)
    assert os.listdir(tmp_path) == [path.name]
    assert load_image(path).shape == (8, 6, 3)


def test_save_atomic_keeps_existing_file_when_encoding_fails(tmp_path):
    path = tmp_path / "out.png"
    path.write_bytes(b"previous")
    with pytest.raises(ValueError):
        save_image_atomic(np.zeros((4, 4, 3), dtype=np.float64), path)
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["out.png"]


def test_save_atomic_keeps_existing_file_when_replace_fails(tmp_path, monkeypatch):
    path = tmp_path / "out.jpg"
    path.write_bytes(b"previous")

    def failing_replace(source, destination):
        raise OSError("disk gone")

    monkeypatch.setattr(images.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk gone"):
        save_image_atomic(np.zeros((4, 4, 3), dtype=np.uint8), path)
    assert path.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["out.jpg"]


def test_save_atomic_rejects_unknown_suffix(tmp_path):
    with pytest.raises(ValueError, match=".gifx"):
        save_image_atomic(np.zeros((4, 4, 3), dtype=np.uint8), tmp_path / "out.gifx")
    assert os.listdir(tmp_path) == []


# --- aspect padding ---------------------------------------------------------


def gradient(height: int, width: int) -> np.ndarray:
    rows = np.linspace(0, 255, height)[:, None, None]
    cols = np.linspace(0, 255, width)[None, :, None]
    channels = [
        np.broadcast_to(rows, (height, width, 1)),
        np.broadcast_to(cols, (height, width, 1)),
        np.full((height, width, 1), 128.0),
    ]
    return np.concatenate(channels, axis=2).astype(np.uint8)


def test_wide_image_is_padded_top_and_bottom():
    image = gradient(30, 50)
    padded, padding = pad_to_aspect(image, (4, 3))
    assert padded.shape == (67, 50, 3)
    assert padding == Padding(top=18, bottom=19, left=0, right=0, original_size=(30, 50))
    assert padding.padded_size == (67, 50)
    assert np.all(padded[:18] == 255) and np.all(padded[48:] == 255)
    np.testing.assert_array_equal(unpad(padded, padding), image)


def test_tall_image_is_padded_left_and_right_with_fill():
    image = gradient(40, 10)
    padded, padding = pad_to_aspect(image, (1, 1), fill=(1, 2, 3))
    assert padded.shape == (40, 40, 3)
    assert (padding.left, padding.right) == (15, 15)
    np.testing.assert_array_equal(padded[0, 0], (1, 2, 3))
    np.testing.assert_array_equal(unpad(padded, padding), image)


def test_matching_aspect_adds_nothing():
    image = gradient(48, 36)
    padded, padding = pad_to_aspect(image, (4, 3))
    np.testing.assert_array_equal(padded, image)
    assert (padding.top, padding.bottom, padding.left, padding.right) == (0, 0, 0, 0)


def test_label_map_pads_with_scalar():
    labels = np.ones((2, 6), dtype=np.uint8)
    padded, padding = pad_to_aspect(labels, (1, 1), fill=0)
    assert padded.shape == (6, 6)
    assert padded.sum() == 12
    np.testing.assert_array_equal(unpad(padded, padding), labels)


def test_restore_after_model_resolution_change_is_exact_for_nearest():
    labels = np.random.default_rng(3).integers(0, 20, (30, 50), dtype=np.uint8)
    padded, padding = pad_to_aspect(labels, (4, 3), fill=0)
    model_output = resize(padded, (134, 100), nearest=True)  # twice the padded size
    assert unpad(model_output, padding).shape == (60, 100)
    np.testing.assert_array_equal(restore(model_output, padding, nearest=True), labels)


def test_restore_of_smooth_image_after_downscale_is_close():
    image = gradient(60, 100)
    padded, padding = pad_to_aspect(image, (1, 1))
    model_output = resize(padded, (64, 64))
    restored = restore(model_output, padding)
    assert restored.shape == (60, 100, 3)
    assert np.abs(restored.astype(int) - image).mean() < 3


def test_resize_shapes_and_nearest_keeps_values():
    labels = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    assert set(np.unique(resize(labels, (5, 7), nearest=True))) == {1, 2, 3, 4}
    assert resize(gradient(10, 10), (3, 8)).shape == (3, 8, 3)
