"""Safe image decoding and encoding: the only place where bytes become pixels.

Every reader, the CLI and the HTTP service decode images through this module, so
that untrusted input meets one set of rules:

* a format allow-list (PNG, JPEG, WEBP, BMP, single-frame GIF, TIFF), checked by
  the file's signature rather than its name;
* Pillow's decompression-bomb limit (``Image.MAX_IMAGE_PIXELS``) kept, with its
  warning treated as an error, plus an optional tighter ``max_pixels``;
* EXIF orientation applied, and CMYK, 16-bit, alpha, palette and bilevel images
  normalised to 8-bit RGB;
* every failure raised as a typed :class:`ImageError` whose message names the
  input, so callers can show it to a user or map it to an HTTP status.

It also holds the small geometric helpers that keep an image's aspect ratio on
the way into a model and undo it on the way out (:func:`pad_to_aspect`,
:func:`unpad`, :func:`restore`).
"""

from __future__ import annotations

import io
import os
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")

# Leading bytes of each allowed format. Sniffing them ourselves lets Pillow open
# the data with exactly one plugin, and tells a damaged PNG (corrupt) apart from
# a file that was never an image (unsupported).
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),  # BigTIFF
    (b"MM\x00+", "TIFF"),
)

# Modes Pillow gives 16-bit PNGs and TIFFs; their values span 0..65535.
_INTEGER_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")

_SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


class ImageError(ValueError):
    """An input could not be turned into pixels.

    Attributes:
        name: What was being decoded (a file path, a form field, ...).
        reason: Why it failed, without the name.
    """

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class EmptyImage(ImageError):
    """The input has no bytes, or the image has zero width or height."""


class UnsupportedImageFormat(ImageError):
    """The input is not an allowed format, is animated, or has an unusable mode."""


class CorruptImage(ImageError):
    """The input claims an allowed format but cannot be fully decoded."""


class ImageTooLarge(ImageError):
    """The image has more pixels than the decompression-bomb limit or ``max_pixels``."""


class MissingImage(ImageError):
    """The image file does not exist or cannot be read."""


# ---------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------


def decode_image(data: bytes, *, name: str = "image", max_pixels: int | None = None) -> np.ndarray:
    """Decodes image bytes into an RGB array.

    EXIF orientation is applied; CMYK, 16-bit, palette, bilevel and grayscale
    images are converted to RGB, and transparent pixels are composited over white.

    Args:
        data: The encoded image (PNG, JPEG, WEBP, BMP, single-frame GIF or TIFF).
        name: What is being decoded, used in error messages.
        max_pixels: Optional limit on width * height, tighter than Pillow's.

    Returns:
        (H, W, 3) uint8 RGB array.

    Raises:
        EmptyImage: No bytes, or a zero-size image.
        UnsupportedImageFormat: Not an allowed format, animated, or an unusable mode.
        CorruptImage: Truncated or otherwise undecodable.
        ImageTooLarge: Over the decompression-bomb limit or ``max_pixels``.
    """
    image = _open_single_frame(data, name=name, max_pixels=max_pixels)
    upright = _guarded(name, lambda: ImageOps.exif_transpose(image))
    return np.array(_guarded(name, lambda: _to_rgb(upright, name)), dtype=np.uint8)


def load_image(path: str | os.PathLike, *, max_pixels: int | None = None) -> np.ndarray:
    """Reads and decodes an image file; see :func:`decode_image`.

    Returns:
        (H, W, 3) uint8 RGB array.

    Raises:
        MissingImage: The file does not exist or cannot be read.
        ImageError: Any error of :func:`decode_image`, named by the path.
    """
    return decode_image(_read_file(path), name=str(path), max_pixels=max_pixels)


def decode_label_map(
    data: bytes, *, name: str = "label map", max_pixels: int | None = None
) -> np.ndarray:
    """Decodes a segmentation label map into label indices.

    Palette (P-mode) images give their palette indices, never the palette's
    colours; grayscale images give their values. EXIF orientation is applied so a
    label map stays aligned with an image decoded by :func:`decode_image`.

    Args:
        data: The encoded label map, normally an index or grayscale PNG.
        name: What is being decoded, used in error messages.
        max_pixels: Optional limit on width * height, tighter than Pillow's.

    Returns:
        (H, W) uint8 array of label indices.

    Raises:
        UnsupportedImageFormat: A colour label map, or indices above 255.
        EmptyImage, CorruptImage, ImageTooLarge: As for :func:`decode_image`.
    """
    opened = _open_single_frame(data, name=name, max_pixels=max_pixels)
    image = _guarded(name, lambda: ImageOps.exif_transpose(opened))
    if image.mode in ("P", "L"):
        return np.array(image, dtype=np.uint8)
    if image.mode == "1":
        return np.array(image).astype(np.uint8)
    if image.mode in _INTEGER_MODES:
        labels = np.array(image)
        if labels.size and (labels.min() < 0 or labels.max() > 255):
            raise UnsupportedImageFormat(name, "label indices must lie in 0..255")
        return labels.astype(np.uint8)
    raise UnsupportedImageFormat(
        name,
        f"a label map must be an index (palette) or grayscale PNG, got mode {image.mode}",
    )


def load_label_map(path: str | os.PathLike, *, max_pixels: int | None = None) -> np.ndarray:
    """Reads and decodes a label-map file; see :func:`decode_label_map`.

    Returns:
        (H, W) uint8 array of label indices.
    """
    return decode_label_map(_read_file(path), name=str(path), max_pixels=max_pixels)


def _read_file(path: str | os.PathLike) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise MissingImage(str(path), "no such file") from None
    except IsADirectoryError:
        raise MissingImage(str(path), "is a directory, not an image file") from None
    except PermissionError:
        raise MissingImage(str(path), "permission denied") from None


def _open_single_frame(data: bytes, *, name: str, max_pixels: int | None) -> Image.Image:
    """Opens, size-checks and fully loads the one frame of an allowed image."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name}: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise EmptyImage(name, "no data (0 bytes)")
    image_format = _sniff_format(data)
    if image_format is None:
        raise UnsupportedImageFormat(name, _describe_unknown(data))

    def open_and_check() -> Image.Image:
        image = Image.open(io.BytesIO(data), formats=[image_format])
        _check_size(image.size, name=name, max_pixels=max_pixels)
        if getattr(image, "n_frames", 1) > 1:
            raise UnsupportedImageFormat(
                name,
                f"animated or multi-frame {image_format} ({image.n_frames} frames); "
                "one frame is expected",
            )
        # Loading here, inside the guard, makes truncated data fail now rather
        # than later in some conversion far from the input's name.
        image.load()
        return image

    return _guarded(name, open_and_check)


def _guarded(name: str, action):
    """Runs a Pillow step, turning any failure into a typed ImageError."""
    with warnings.catch_warnings():
        # Pillow only warns between 1x and 2x its pixel limit; that range is
        # just as able to exhaust memory, so it is refused too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return action()
        except ImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageTooLarge(name, f"too many pixels to decode safely ({error})") from None
        except Image.UnidentifiedImageError:
            # Only reached after the signature matched an allowed format.
            raise CorruptImage(name, "the image header cannot be read") from None
        except Exception as error:
            # Decoders fail with OSError, SyntaxError, ValueError, struct.error,
            # EOFError and more on hostile input; none may escape untyped.
            reason = f"cannot decode image ({type(error).__name__}: {error})"
            raise CorruptImage(name, reason) from None


def _sniff_format(data: bytes) -> str | None:
    for signature, image_format in _SIGNATURES:
        if data.startswith(signature):
            return image_format
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _describe_unknown(data: bytes) -> str:
    allowed = ", ".join(ALLOWED_FORMATS)
    head = data[:512]
    try:
        head.decode("utf-8")
        looks_like_text = all(byte >= 0x20 or byte in b"\t\n\r\f" for byte in head)
    except UnicodeDecodeError:
        looks_like_text = False
    if looks_like_text:
        return f"this is text, not an image; expected one of {allowed}"
    return f"unrecognised or unsupported image format; expected one of {allowed}"


def _check_size(size: tuple[int, int], *, name: str, max_pixels: int | None) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise EmptyImage(name, f"image has zero size ({width}x{height})")
    pixels = width * height
    # Checked here as well as by Pillow so the limit holds even when the
    # warnings filter is changed by another thread.
    bomb_limit = Image.MAX_IMAGE_PIXELS
    if bomb_limit is not None and pixels > bomb_limit:
        raise ImageTooLarge(
            name, f"{width}x{height} = {pixels} pixels exceeds the limit of {bomb_limit}"
        )
    if max_pixels is not None and pixels > max_pixels:
        raise ImageTooLarge(
            name, f"{width}x{height} = {pixels} pixels exceeds max_pixels={max_pixels}"
        )


def _to_rgb(image: Image.Image, name: str) -> Image.Image:
    """Normalises any decoded mode to 8-bit RGB, compositing alpha over white."""
    if image.mode in _INTEGER_MODES:
        image = _sixteen_bit_to_grayscale(image)
    if image.mode == "F":
        raise UnsupportedImageFormat(name, "32-bit floating-point images are not supported")
    has_alpha = "A" in image.mode or "a" in image.mode or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    try:
        return image.convert("RGB")
    except ValueError:
        raise UnsupportedImageFormat(name, f"cannot convert a {image.mode} image to RGB") from None


def _sixteen_bit_to_grayscale(image: Image.Image) -> Image.Image:
    # Pillow's own I;16 -> L conversion clips at 255 instead of scaling, which
    # turns almost every 16-bit image white; scale 0..65535 onto 0..255 instead.
    values = np.array(image).astype(np.int64)
    scaled = (np.clip(values, 0, 65535) * 255 + 32767) // 65535
    return Image.fromarray(scaled.astype(np.uint8))


# ---------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------


def encode_png(image: np.ndarray, *, compress_level: int = 1) -> bytes:
    """Encodes an image as PNG.

    Args:
        image: (H, W, 3) RGB or (H, W) grayscale/label uint8 array.
        compress_level: zlib level 0..9; the default favours speed.

    Returns:
        The PNG bytes.
    """
    return _encode(image, "PNG", compress_level=compress_level)


def encode_jpeg(image: np.ndarray, *, quality: int = 95) -> bytes:
    """Encodes an image as JPEG.

    Args:
        image: (H, W, 3) RGB or (H, W) grayscale uint8 array.
        quality: JPEG quality 1..100.

    Returns:
        The JPEG bytes.
    """
    return _encode(image, "JPEG", quality=quality)


def save_image_atomic(image: np.ndarray, path: str | os.PathLike, *, quality: int = 95) -> None:
    """Saves an image so that readers never see a partial file.

    The image is encoded in memory first, written to a temporary file in the
    destination's folder and moved over ``path`` in one step, so a failure
    leaves any existing file untouched.

    Args:
        image: (H, W, 3) RGB or (H, W) grayscale uint8 array.
        path: Destination; the suffix (.png, .jpg, .jpeg, .webp) picks the format.
        quality: Quality for JPEG and WEBP.

    Raises:
        ValueError: Unknown suffix or an invalid array.
    """
    path = Path(path)
    image_format = _SAVE_FORMATS.get(path.suffix.lower())
    if image_format is None:
        raise ValueError(
            f"{path}: cannot tell the format from suffix {path.suffix!r}; "
            f"use one of {sorted(_SAVE_FORMATS)}"
        )
    if image_format == "PNG":
        encoded = encode_png(image)
    else:
        encoded = _encode(image, image_format, quality=quality)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        # O_EXCL: never write into a file someone else created under that name.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as file:
            file.write(encoded)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _encode(image: np.ndarray, image_format: str, **params) -> bytes:
    pil_image = Image.fromarray(_checked_uint8(image))
    buffer = io.BytesIO()
    pil_image.save(buffer, format=image_format, **params)
    return buffer.getvalue()


def _checked_uint8(image: np.ndarray) -> np.ndarray:
    """Validates an (H, W, 3) or (H, W) uint8 array and makes it contiguous."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got dtype {image.dtype}")
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise ValueError(f"expected an (H, W, 3) or (H, W) image, got shape {image.shape}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"expected a non-empty image, got shape {image.shape}")
    return np.ascontiguousarray(image)


# ---------------------------------------------------------------------------
# Geometry: keep the aspect ratio on the way in, undo it on the way out
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Padding:
    """How :func:`pad_to_aspect` padded an image, so it can be undone.

    Attributes:
        top, bottom, left, right: Rows/columns added on each side.
        original_size: (H, W) before padding.
    """

    top: int
    bottom: int
    left: int
    right: int
    original_size: tuple[int, int]

    @property
    def padded_size(self) -> tuple[int, int]:
        """(H, W) after padding."""
        height, width = self.original_size
        return height + self.top + self.bottom, width + self.left + self.right


def pad_to_aspect(
    image: np.ndarray,
    aspect_hw: tuple[int, int],
    *,
    fill: int | Sequence[int] = (255, 255, 255),
) -> tuple[np.ndarray, Padding]:
    """Pads an image centrally to an aspect ratio, never cropping.

    Args:
        image: (H, W, C) or (H, W) array.
        aspect_hw: Target ratio as (height, width), e.g. (4, 3) for 1024x768.
        fill: Padding value: one per channel, or one for all. For (H, W) images
            a sequence must repeat a single value (the default gives 255).

    Returns:
        The padded (H', W', C) or (H', W') array, with H'/W' equal to
        aspect_hw[0]/aspect_hw[1] up to rounding, and the :class:`Padding` used.
    """
    aspect_height, aspect_width = aspect_hw
    if aspect_height <= 0 or aspect_width <= 0:
        raise ValueError(f"aspect_hw must be positive, got {aspect_hw}")
    if image.ndim not in (2, 3) or image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"expected a non-empty (H, W, C) or (H, W) image, got shape {image.shape}")
    height, width = image.shape[:2]
    # Integer comparison of height/width against the target ratio avoids float ties.
    if height * aspect_width < width * aspect_height:
        padded_height = max(height, _round_div(width * aspect_height, aspect_width))
        padded_width = width
    else:
        padded_height = height
        padded_width = max(width, _round_div(height * aspect_width, aspect_height))
    top = (padded_height - height) // 2
    left = (padded_width - width) // 2
    padding = Padding(
        top=top,
        bottom=padded_height - height - top,
        left=left,
        right=padded_width - width - left,
        original_size=(height, width),
    )
    padded = np.empty((padded_height, padded_width, *image.shape[2:]), dtype=image.dtype)
    padded[...] = _fill_value(fill, image)
    padded[top : top + height, left : left + width] = image
    return padded, padding


def unpad(image: np.ndarray, padding: Padding) -> np.ndarray:
    """Crops away the padding added by :func:`pad_to_aspect`.

    If ``image`` is not at the padded size (a model returned another resolution
    of the padded image), the crop box is scaled to it; the result then has the
    original aspect ratio but not the original size (see :func:`restore`).

    Args:
        image: (H', W', C) or (H', W') array, the padded image or a resized copy.
        padding: What :func:`pad_to_aspect` returned.

    Returns:
        A view of ``image`` without the padding.
    """
    padded_height, padded_width = padding.padded_size
    height, width = image.shape[:2]
    original_height, original_width = padding.original_size
    top, bottom = _scaled_span(padding.top, original_height, padded_height, height)
    left, right = _scaled_span(padding.left, original_width, padded_width, width)
    return image[top:bottom, left:right]


def restore(image: np.ndarray, padding: Padding, *, nearest: bool = False) -> np.ndarray:
    """Crops the padding and resizes back to the original size.

    Args:
        image: (H', W', 3) or (H', W') uint8 array, e.g. a model's output for
            the padded image at any resolution.
        padding: What :func:`pad_to_aspect` returned.
        nearest: Use nearest-neighbour resampling (for label maps).

    Returns:
        Array of shape padding.original_size (+ channels), uint8.
    """
    cropped = unpad(image, padding)
    if cropped.shape[:2] == padding.original_size:
        return np.array(cropped)
    return resize(cropped, padding.original_size, nearest=nearest)


def resize(image: np.ndarray, size_hw: tuple[int, int], *, nearest: bool = False) -> np.ndarray:
    """Resizes an image with Pillow.

    Args:
        image: (H, W, 3) or (H, W) uint8 array.
        size_hw: Target (height, width).
        nearest: Nearest-neighbour (keeps label indices intact) instead of Lanczos.

    Returns:
        (height, width, 3) or (height, width) uint8 array.
    """
    height, width = size_hw
    if height <= 0 or width <= 0:
        raise ValueError(f"size_hw must be positive, got {size_hw}")
    image = _checked_uint8(image)
    if image.shape[:2] == (height, width):
        return image.copy()
    resample = Image.Resampling.NEAREST if nearest else Image.Resampling.LANCZOS
    return np.array(Image.fromarray(image).resize((width, height), resample=resample))


def _round_div(numerator: int, denominator: int) -> int:
    return (numerator + denominator // 2) // denominator


def _scaled_span(
    start: int, length: int, padded_length: int, actual_length: int
) -> tuple[int, int]:
    """Maps [start, start + length) on the padded axis onto an axis of another length."""
    if actual_length == padded_length:
        return start, start + length
    begin = _round_div(start * actual_length, padded_length)
    end = _round_div((start + length) * actual_length, padded_length)
    end = min(actual_length, max(end, begin + 1))  # keep at least one pixel
    return min(begin, end - 1), end


def _fill_value(fill: int | Sequence[int], image: np.ndarray) -> np.ndarray | int:
    if np.isscalar(fill):
        return fill
    values = tuple(fill)
    if image.ndim == 2:
        if len(set(values)) != 1:
            raise ValueError(f"a single-channel image needs one fill value, got {values}")
        return values[0]
    if len(values) != image.shape[2]:
        raise ValueError(
            f"fill has {len(values)} values but the image has {image.shape[2]} channels"
        )
    return np.asarray(values, dtype=image.dtype)
