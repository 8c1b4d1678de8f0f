"""Rendering: a dressed person in a scene, and a garment's product shot.

`render_person` draws back to front: hair behind the head, the far leg then the near one,
arms behind the torso, the torso with its garment layers (bottoms, top, dress, coat), the head
with hair and hat, arms in front, then occluders. Every shape paints the picture and the label
map together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from atelier.data.openpose import render_pose_map
from atelier.world import head
from atelier.world.body import Identity, Pose, openpose_keypoints
from atelier.world.drawing import Canvas, darker
from atelier.world.figure import Figure
from atelier.world.flat_layouts import flat_layout
from atelier.world.garments import Garment
from atelier.world.labels import LABEL_ID
from atelier.world.scenes import Scene, paint_background, paint_occluders
from atelier.world.textures import paint_texture
from atelier.world.vocabulary import CATEGORIES, COLOURS
from atelier.world.worn import Fitter, WornPiece

PRODUCT_BACKGROUND = (246, 246, 244)
Outfit = dict[str, Garment]


@dataclass
class RenderedPerson:
    """A rendered photo and everything known about it.

    Attributes:
        image: (H, W, 3) uint8.
        labels: (H, W) uint8 internal label map.
        keypoints: (18, 3) float32 OpenPose-18 (x, y, visible).
        pose_map: (H, W, 3) uint8 rendered skeleton.
        body: body-model parameters (identity, pose, view, scene).
    """

    image: np.ndarray
    labels: np.ndarray
    keypoints: np.ndarray
    pose_map: np.ndarray
    body: dict[str, Any] = field(default_factory=dict)


def texture_size(size_hw: tuple[int, int]) -> int:
    """Texture resolution for an image size: about the garment's largest extent in pixels."""
    return int(np.clip(round(size_hw[0] * 0.75), 96, 768))


class _Textures:
    """Front and back textures of each garment, painted once per render."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._cache: dict[tuple[str, bool], Image.Image] = {}

    def get(self, garment: Garment, back: bool) -> Image.Image:
        key = (repr(garment), back)
        if key not in self._cache:
            # A printed logo is on the front only; the back of the garment is plain.
            painted = garment.with_changes(pattern="solid") if back and garment.pattern == "logo" else garment
            self._cache[key] = paint_texture(painted, self.size)
        return self._cache[key]


def _paint_piece(canvas: Canvas, piece: WornPiece, garment: Garment, texture: Image.Image, size: int) -> None:
    colour = COLOURS[garment.colour]
    canvas.textured_polygon(
        piece.polygon,
        texture,
        piece.image_quad,
        [(u * size, v * size) for u, v in piece.texture_quad],
        piece.label,
        fill=colour,
        outline=darker(colour, 0.7),
    )
    for line in piece.details:
        canvas.line(line, darker(colour, 0.6), max(1.0, canvas.size_hw[0] / 200), piece.label if garment.category == "bag" else None)


def check_outfit(outfit: Outfit) -> None:
    """Raise ValueError for outfits the world cannot dress (a dress with a top or bottoms)."""
    for category in outfit:
        if category not in CATEGORIES:
            raise ValueError(f"unknown garment category {category!r}")
    if "dress" in outfit and any(c in outfit for c in ("top", "pants", "skirt")):
        raise ValueError("a dress is worn instead of a top and bottoms, not with them")
    if "pants" in outfit and "skirt" in outfit:
        raise ValueError("pants and a skirt cannot be worn together")


def render_person(
    identity: Identity, pose: Pose, view: str, outfit: Outfit, scene: Scene, size_hw: tuple[int, int] = (256, 192)
) -> RenderedPerson:
    """Render `identity` in `pose`, seen from `view`, wearing `outfit`, in `scene`."""
    check_outfit(outfit)
    fig = Figure(identity, pose, view, size_hw, scene.offset_x)
    canvas = Canvas(size_hw, paint_background(scene, size_hw))
    textures = _Textures(texture_size(size_hw))
    pieces_by_group: dict[str, list[tuple[WornPiece, Garment]]] = {}
    fitter = Fitter(fig)
    for garment in outfit.values():
        for piece in fitter.fit(garment):
            pieces_by_group.setdefault(piece.group, []).append((piece, garment))

    def paint_group(group: str) -> None:
        for piece, garment in sorted(pieces_by_group.get(group, []), key=lambda item: item[0].layer):
            _paint_piece(canvas, piece, garment, textures.get(garment, fig.is_back), textures.size)

    skin = identity.skin_rgb
    if not fig.is_back:
        head.draw_hair_back(canvas, fig)
    for side in sorted(("r", "l"), key=lambda s: fig.leg(s)[1].depth):
        label = LABEL_ID["left_leg" if side == "l" else "right_leg"]
        thigh, shin = fig.leg(side)
        canvas.capsule(thigh.start, thigh.end, thigh.start_radius * 0.95, skin, label)
        canvas.capsule(shin.start, shin.end, shin.end_radius, skin, label)
        if "shoes" not in outfit:
            ax, ay = fig.point(f"{side}_ankle")
            tx, ty = fig.point(f"{side}_toe")
            r = shin.end_radius
            canvas.ellipse((min(ax, tx) - r, ay - r * 0.5, max(ax, tx) + r, max(ay, ty) + r * 0.6), skin, label)
        paint_group(f"{side}_leg")

    def paint_arm(side: str) -> None:
        label = LABEL_ID["left_arm" if side == "l" else "right_arm"]
        for limb in fig.arm(side):
            canvas.capsule(limb.start, limb.end, limb.start_radius, skin, label)
        paint_group(f"{side}_arm")

    arms_in_front = [s for s in ("r", "l") if fig.arm_in_front(s)]
    for side in ("r", "l"):
        if side not in arms_in_front:
            paint_arm(side)
    head.draw_neck(canvas, fig)
    canvas.polygon(fig.torso_outline(-0.3, 0.07), skin, LABEL_ID["torso"])
    paint_group("torso")
    paint_group("bag_front")
    head.draw_face(canvas, fig)
    head.draw_hair_front(canvas, fig)
    paint_group("head")
    for side in sorted(arms_in_front, key=lambda s: fig.arm(s)[0].depth):
        paint_arm(side)
    paint_occluders(canvas, scene)

    image, labels = canvas.arrays()
    keypoints = openpose_keypoints(fig.skeleton, fig.frame)
    body = {"identity": identity.to_dict(), "pose": pose.to_dict(), "view": view, "scene": scene.to_dict()}
    return RenderedPerson(image, labels, keypoints, render_pose_map(keypoints, size_hw), body)


def render_product(garment: Garment, size_hw: tuple[int, int] = (256, 192)) -> tuple[np.ndarray, np.ndarray]:
    """The garment's product shot: laid flat, centred on a plain light background.

    Returns:
        image (H, W, 3) uint8 and mask (H, W) bool (True on the garment).
    """
    height, width = size_hw
    side = 0.94 * min(height, width)
    x0, y0 = (width - side) / 2, (height - side) / 2
    square = [(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side)]
    background = Image.new("RGB", (width, height), PRODUCT_BACKGROUND)
    canvas = Canvas(size_hw, background)
    size = texture_size(size_hw)
    texture = paint_texture(garment, size)
    colour = COLOURS[garment.colour]
    to_image = lambda points: [(x0 + u * side, y0 + v * side) for u, v in points]  # noqa: E731
    layout = flat_layout(garment)
    texture_square = [(0.0, 0.0), (size, 0.0), (size, size), (0.0, size)]
    label = LABEL_ID[garment.category]
    for region in layout.regions.values():
        canvas.textured_polygon(to_image(region.polygon), texture, square, texture_square, label, fill=colour, outline=darker(colour, 0.7))
    for line in layout.seams():
        canvas.line(to_image(line), darker(colour, 0.6), max(1.0, height / 200), label if garment.category == "bag" else None)
    image, labels = canvas.arrays()
    return image, labels > 0
