"""Garment surfaces painted in the garment's own coordinates.

A texture is a square picture of the garment's whole flat layout (garment space [0, 1]²). The
product shot shows it as it is; the renderer maps pieces of it onto the posed body. Because
the pattern lives here, the same garment looks the same flat, worn, in every pose and view.
"""

from __future__ import annotations

import hashlib
import math
import random
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from atelier.world.garments import Garment
from atelier.world.vocabulary import COLOURS


def garment_seed(garment: Garment) -> int:
    """A stable seed from the garment's fields, so floral motifs land in the same places."""
    text = repr(sorted(garment.to_dict().items()))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _rotated_coords(size: int, angle_degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel grid of garment space rotated by `angle_degrees`, in units of the texture width."""
    v, u = np.mgrid[0:size, 0:size].astype(np.float32) / size
    a = math.radians(angle_degrees)
    return u * math.cos(a) + v * math.sin(a), -u * math.sin(a) + v * math.cos(a)


def _stripes(size: int, period: float, angle: float, duty: float = 0.45) -> np.ndarray:
    """(size, size) bool: bands of width duty*period perpendicular to `angle`."""
    along, _ = _rotated_coords(size, angle)
    return (along / period) % 1.0 < duty


def _checks(size: int, period: float, angle: float) -> np.ndarray:
    """(size, size) float in [0, 1]: gingham, where crossing bands are darkest."""
    along, across = _rotated_coords(size, angle)
    a = (along / period) % 1.0 < 0.5
    b = (across / period) % 1.0 < 0.5
    return (a.astype(np.float32) + b.astype(np.float32)) / 2.0


def _dots(size: int, period: float, angle: float) -> np.ndarray:
    along, across = _rotated_coords(size, angle)
    du = (along / period) % 1.0 - 0.5
    dv = (across / period) % 1.0 - 0.5
    return du * du + dv * dv < 0.28**2


def _mix(base: np.ndarray, other: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Blend two colours (3,) by a (H, W) weight in [0, 1] -> (H, W, 3) uint8."""
    w = weight[..., None].astype(np.float32)
    return (base * (1.0 - w) + other * w).round().astype(np.uint8)


def _floral(canvas: Image.Image, garment: Garment, period_px: float, colour: tuple[int, int, int]) -> None:
    """Five-petal flowers with a contrasting centre on a jittered grid."""
    rng = random.Random(garment_seed(garment))
    draw = ImageDraw.Draw(canvas)
    size = canvas.size[0]
    centre_colour = COLOURS["yellow"] if garment.pattern_colour != "yellow" else COLOURS["white"]
    steps = max(2, int(size / period_px) + 1)
    for row in range(steps):
        for col in range(steps):
            cx = (col + 0.5 * (row % 2) + rng.uniform(-0.2, 0.2)) * period_px
            cy = (row + rng.uniform(-0.2, 0.2)) * period_px
            petal = period_px * rng.uniform(0.16, 0.22)
            spin = rng.uniform(0, 2 * math.pi)
            for k in range(5):
                a = spin + k * 2 * math.pi / 5
                px, py = cx + math.cos(a) * petal, cy + math.sin(a) * petal
                draw.ellipse((px - petal * 0.75, py - petal * 0.75, px + petal * 0.75, py + petal * 0.75), fill=colour)
            r = petal * 0.55
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=centre_colour)


@lru_cache(maxsize=16)
def _font(size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size_px)


def _logo(canvas: Image.Image, garment: Garment, colour: tuple[int, int, int]) -> None:
    """The logo word printed once, centred on the front (garment space u=0.5, v=0.36)."""
    size = canvas.size[0]
    word = garment.logo_text or "ATELIER"
    font_px = max(6, int(size * (0.05 + 0.05 * garment.pattern_scale)))
    font = _font(font_px)
    draw = ImageDraw.Draw(canvas)
    left, top, right, bottom = draw.textbbox((0, 0), word, font=font)
    x = size * 0.5 - (right - left) / 2
    y = size * 0.36 - (bottom - top) / 2
    pad = font_px * 0.3
    draw.rectangle((x - pad, y - pad + top, x + right - left + pad, y + bottom + pad), outline=colour, width=max(1, font_px // 8))
    draw.text((x - left, y), word, fill=colour, font=font)


def paint_texture(garment: Garment, size: int = 160) -> Image.Image:
    """The garment's surface over garment space [0, 1]², as a (size, size) RGB picture."""
    base = np.array(COLOURS[garment.colour], dtype=np.float32)
    other = np.array(COLOURS[garment.pattern_colour], dtype=np.float32)
    # Patterns are scaled relative to the texture so they keep their look at any resolution.
    period = 0.04 + 0.16 * garment.pattern_scale
    angle = garment.pattern_angle
    pattern = garment.pattern
    if pattern == "stripes":
        pixels = _mix(base, other, _stripes(size, period, angle))
    elif pattern == "checks":
        pixels = _mix(base, other, _checks(size, period, angle) * 0.85)
    elif pattern == "dots":
        pixels = _mix(base, other, _dots(size, period, angle))
    elif pattern == "gradient":
        along, _ = _rotated_coords(size, angle + 90.0)
        weight = np.clip((along - along.min()) / max(1e-6, np.ptp(along)), 0.0, 1.0)
        pixels = _mix(base, other, weight)
    elif pattern == "colour-block":
        along, _ = _rotated_coords(size, angle + 90.0)
        centre = (along.max() + along.min()) / 2
        pixels = _mix(base, other, along > centre)
    else:
        pixels = np.broadcast_to(base.astype(np.uint8), (size, size, 3)).copy()
    canvas = Image.fromarray(pixels, "RGB")
    if pattern == "floral":
        _floral(canvas, garment, period * size * 1.4, tuple(int(c) for c in other))
    elif pattern == "logo":
        _logo(canvas, garment, tuple(int(c) for c in other))
    return canvas
