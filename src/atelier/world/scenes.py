"""Backgrounds from a plain studio to cluttered rooms and streets, and occluders in front.

A `Scene` is data (kind, colours, seeded clutter); `paint_background` draws it behind the
person and `paint_occluders` draws objects in front, labelled `occluder` in the label map.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

import numpy as np
from PIL import Image, ImageDraw

from atelier.world.drawing import Canvas, darker
from atelier.world.labels import LABEL_ID

SCENE_KINDS = ("studio", "room", "street", "park")


@dataclass(frozen=True)
class Scene:
    """Where the photo is taken. `seed` places the clutter; `occluders` counts objects in front."""

    kind: str
    wall: tuple[int, int, int]
    floor: tuple[int, int, int]
    seed: int
    occluders: int = 0
    offset_x: float = 0.0  # the person's horizontal offset, fraction of the width

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def sample_scene(rng: random.Random, *, studio_only: bool = False) -> Scene:
    kind = "studio" if studio_only else rng.choices(SCENE_KINDS, weights=(0.4, 0.25, 0.2, 0.15))[0]
    grey = rng.randint(205, 245)
    wall = {
        "studio": (grey, grey, min(255, grey + rng.randint(0, 8))),
        "room": (rng.randint(150, 235), rng.randint(140, 225), rng.randint(120, 210)),
        "street": (rng.randint(150, 200), rng.randint(185, 225), rng.randint(215, 250)),
        "park": (rng.randint(160, 205), rng.randint(200, 235), rng.randint(225, 250)),
    }[kind]
    floor = {
        "studio": (grey - 12, grey - 12, grey - 10),
        "room": (rng.randint(100, 170), rng.randint(70, 130), rng.randint(40, 90)),
        "street": (rng.randint(90, 130),) * 3,
        "park": (rng.randint(50, 90), rng.randint(120, 170), rng.randint(50, 80)),
    }[kind]
    occluders = 0 if kind == "studio" else rng.choices((0, 1, 2), weights=(0.6, 0.3, 0.1))[0]
    return Scene(kind, wall, floor, rng.getrandbits(31), occluders, rng.uniform(-0.08, 0.08) if kind != "studio" else 0.0)


def _vertical_gradient(size_hw: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]) -> np.ndarray:
    height, width = size_hw
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    column = np.asarray(top, np.float32) * (1 - t) + np.asarray(bottom, np.float32) * t
    return np.broadcast_to(column, (height, width, 3)).round().astype(np.uint8)


def paint_background(scene: Scene, size_hw: tuple[int, int]) -> Image.Image:
    """The scene behind the person, (W, H) RGB."""
    height, width = size_hw
    rng = random.Random(scene.seed)
    horizon = int(height * rng.uniform(0.72, 0.84))
    if scene.kind == "studio":
        pixels = _vertical_gradient(size_hw, scene.wall, darker(scene.wall, 0.9))
        return Image.fromarray(pixels, "RGB")
    pixels = _vertical_gradient(size_hw, scene.wall, darker(scene.wall, 0.85))
    pixels[horizon:] = _vertical_gradient((height - horizon, width), scene.floor, darker(scene.floor, 0.8))
    image = Image.fromarray(pixels, "RGB")
    draw = ImageDraw.Draw(image)
    if scene.kind == "room":
        for _ in range(rng.randint(2, 5)):  # frames, shelves, a window
            w, h = rng.uniform(0.1, 0.3) * width, rng.uniform(0.08, 0.25) * height
            x, y = rng.uniform(0, width - w), rng.uniform(0.05, 0.5) * height
            colour = tuple(rng.randint(40, 230) for _ in range(3))
            draw.rectangle((x, y, x + w, y + h), fill=colour, outline=darker(colour, 0.5), width=2)
        for _ in range(rng.randint(1, 2)):  # furniture standing on the floor
            w, h = rng.uniform(0.2, 0.4) * width, rng.uniform(0.15, 0.3) * height
            x = rng.choice((rng.uniform(-0.1, 0.15), rng.uniform(0.65, 0.95))) * width
            colour = tuple(rng.randint(60, 160) for _ in range(3))
            draw.rectangle((x, horizon - h, x + w, horizon + 0.03 * height), fill=colour)
    elif scene.kind == "street":
        x = -rng.uniform(0, 0.2) * width
        while x < width:  # a row of buildings with windows
            w = rng.uniform(0.2, 0.45) * width
            top = rng.uniform(0.05, 0.45) * height
            colour = tuple(rng.randint(110, 210) for _ in range(3))
            draw.rectangle((x, top, x + w, horizon), fill=colour)
            for wy in np.arange(top + 6, horizon - 10, 0.08 * height):
                for wx in np.arange(x + 4, x + w - 8, 0.09 * width):
                    draw.rectangle((wx, wy, wx + 0.04 * width, wy + 0.04 * height), fill=darker(colour, 0.55))
            x += w + rng.uniform(0, 0.05) * width
    else:  # park: trees and bushes
        for _ in range(rng.randint(2, 5)):
            cx, r = rng.uniform(0, width), rng.uniform(0.08, 0.2) * width
            trunk = horizon - rng.uniform(0.05, 0.25) * height
            draw.rectangle((cx - r * 0.12, trunk, cx + r * 0.12, horizon), fill=(90, 60, 35))
            green = (rng.randint(30, 80), rng.randint(100, 160), rng.randint(30, 70))
            draw.ellipse((cx - r, trunk - r * 1.6, cx + r, trunk + r * 0.2), fill=green)
    return image


def paint_occluders(canvas: Canvas, scene: Scene) -> None:
    """Objects in front of the person (a plant, a chair back, a sign), labelled `occluder`."""
    height, width = canvas.size_hw
    rng = random.Random(scene.seed ^ 0x5EED)
    for _ in range(scene.occluders):
        kind = rng.choice(("plant", "chair", "sign"))
        x = rng.choice((rng.uniform(0.0, 0.3), rng.uniform(0.55, 0.85))) * width
        if kind == "plant":
            pot_w, pot_h = 0.16 * width, 0.1 * height
            canvas.polygon([(x, height - pot_h), (x + pot_w, height - pot_h), (x + pot_w * 0.85, height), (x + pot_w * 0.15, height)], (150, 80, 50), LABEL_ID["occluder"])
            for _ in range(5):
                lx, ly = x + rng.uniform(0, pot_w), height - pot_h - rng.uniform(0.02, 0.16) * height
                r = rng.uniform(0.03, 0.06) * width
                canvas.ellipse((lx - r, ly - r, lx + r, ly + r), (40, rng.randint(110, 160), 50), LABEL_ID["occluder"])
        elif kind == "chair":
            top = height * rng.uniform(0.62, 0.75)
            colour = tuple(rng.randint(60, 140) for _ in range(3))
            canvas.polygon([(x, top), (x + 0.2 * width, top), (x + 0.2 * width, height), (x, height)], colour, LABEL_ID["occluder"])
        else:
            top = height * rng.uniform(0.55, 0.7)
            colour = tuple(rng.randint(150, 250) for _ in range(3))
            canvas.polygon([(x, top), (x + 0.14 * width, top), (x + 0.14 * width, top + 0.12 * height), (x, top + 0.12 * height)], colour, LABEL_ID["occluder"])
            canvas.line([(x + 0.07 * width, top + 0.12 * height), (x + 0.07 * width, height)], (80, 80, 80), 0.02 * width, LABEL_ID["occluder"])
