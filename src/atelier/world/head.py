"""Heads: neck, face with its features, and hair, drawn for any view.

Identity lives mostly here: face shape, eye spacing and colour, brows, mouth, skin and hair are
what a viewer (and the bench's Identity score) uses to tell people apart.
"""

from __future__ import annotations

import math

from atelier.world.body import EYE_COLOURS
from atelier.world.drawing import Canvas, darker
from atelier.world.figure import Figure
from atelier.world.labels import LABEL_ID

HAIR, FACE, NECK = LABEL_ID["hair"], LABEL_ID["face"], LABEL_ID["neck"]
LONG_STYLES = ("long", "curly")


def _head_box(fig: Figure) -> tuple[float, float, float, float]:
    """(centre x, centre y, half-width, half-height) of the head in pixels."""
    hx, hy = fig.point("head")
    return hx, hy, fig.identity.face_width * fig.scale, fig.identity.face_length * fig.scale


def draw_neck(canvas: Canvas, fig: Figure) -> None:
    hx, hy, fw, fl = _head_box(fig)
    nx, ny = fig.point("neck")
    half = fw * 0.5
    canvas.polygon([(hx - half, hy + fl * 0.5), (hx + half, hy + fl * 0.5), (nx + half * 1.1, ny + fw * 0.4), (nx - half * 1.1, ny + fw * 0.4)], fig.identity.skin_rgb, NECK)


def draw_hair_back(canvas: Canvas, fig: Figure) -> None:
    """Hair that falls behind the head and shoulders (drawn before the body in front views)."""
    identity = fig.identity
    hx, hy, fw, fl = _head_box(fig)
    colour = identity.hair_rgb
    style = identity.hair_style
    if style == "long":
        bottom = fig.y_at(-0.19)
        canvas.polygon([(hx - fw * 1.2, hy - fl * 0.6), (hx + fw * 1.2, hy - fl * 0.6), (hx + fw * 1.32, bottom), (hx - fw * 1.32, bottom)], colour, HAIR)
    elif style == "curly":
        for k in range(9):
            a = math.pi * (0.15 + 0.7 * k / 8)
            cx, cy = hx + math.cos(a) * fw * 1.1, hy + fl * 0.25 + math.sin(a) * fl * 0.55
            r = fw * 0.55
            canvas.ellipse((cx - r, cy - r, cx + r, cy + r), colour, HAIR)
    elif style == "bob":
        canvas.polygon([(hx - fw * 1.15, hy - fl * 0.5), (hx + fw * 1.15, hy - fl * 0.5), (hx + fw * 1.2, hy + fl * 0.75), (hx - fw * 1.2, hy + fl * 0.75)], colour, HAIR)
    elif style == "ponytail":
        # The tail shows on the side turned away from the camera.
        side = 1.0 if fig.skeleton.yaw_degrees < 100 else -1.0
        tx = hx + side * fw * (0.6 + 0.5 * fig.sin_yaw)
        canvas.polygon([(tx - fw * 0.25, hy - fl * 0.2), (tx + fw * 0.25, hy - fl * 0.2), (tx + fw * 0.18, hy + fl * 1.6), (tx - fw * 0.1, hy + fl * 1.5)], colour, HAIR)


def draw_face(canvas: Canvas, fig: Figure) -> None:
    """Face, ears, eyes, brows, nose and mouth; in back views, the back of the head."""
    identity = fig.identity
    hx, hy, fw, fl = _head_box(fig)
    skin = identity.skin_rgb
    canvas.ellipse((hx - fw, hy - fl, hx + fw, hy + fl), skin, FACE)
    if fig.is_back:
        return
    # Ears: at the head's sides, shifted and hidden as the head turns.
    for side in ("r", "l"):
        ex, ey = fig.point(f"{side}_ear")
        if fig.skeleton.joints[f"{side}_ear"][2] >= fig.skeleton.joints["head"][2] - 1e-6 or fig.sin_yaw < 0.3:
            canvas.ellipse((ex - fw * 0.17, ey - fl * 0.22, ex + fw * 0.17, ey + fl * 0.18), darker(skin, 0.93), FACE)
    head_z = fig.skeleton.joints["head"][2]
    eye_r = fw * 0.13 * identity.eye_size
    for side in ("r", "l"):
        joint = fig.skeleton.joints[f"{side}_eye"]
        if joint[2] < head_z:
            continue  # turned away from the camera
        ex, ey = fig.point(f"{side}_eye")
        squash = 0.55 + 0.45 * fig.cos_yaw
        canvas.ellipse((ex - eye_r * squash, ey - eye_r * 0.7, ex + eye_r * squash, ey + eye_r * 0.7), (250, 250, 250), None)
        iris = eye_r * 0.55
        canvas.ellipse((ex - iris * squash, ey - iris, ex + iris * squash, ey + iris), EYE_COLOURS[identity.eye_colour], None)
        pupil = iris * 0.45
        canvas.ellipse((ex - pupil, ey - pupil, ex + pupil, ey + pupil), (10, 10, 10), None)
        # Brow: tilted line above the eye; the outer end rises with a positive tilt.
        outward = 1.0 if (ex - hx) >= 0 else -1.0
        half = eye_r * 1.3 * squash
        lift = math.tan(math.radians(identity.brow_tilt)) * half
        by = ey - eye_r * 1.9
        canvas.line([(ex - half * outward, by + lift * 0.3), (ex + half * outward, by - lift)], identity.hair_rgb, max(1.0, fw * 0.07 * identity.brow_thickness))
    nx, ny = fig.point("nose")
    nose_top = ny - fl * 0.28 * identity.nose_length
    canvas.line([(nx - fw * 0.04, nose_top), (nx + fw * 0.02 * (1 if nx >= hx else -1), ny + fl * 0.05)], darker(skin, 0.78), max(1.0, fw * 0.06))
    mouth_y = hy + fl * 0.52
    mouth_half = fw * identity.mouth_width * (0.45 + 0.55 * fig.cos_yaw)
    mouth_x = hx + (nx - hx) * 0.8
    canvas.ellipse((mouth_x - mouth_half, mouth_y - fl * 0.07, mouth_x + mouth_half, mouth_y + fl * 0.07), identity.lip_colour, None)


def draw_hair_front(canvas: Canvas, fig: Figure) -> None:
    """Hair on top of the head (and over it entirely in back views)."""
    identity = fig.identity
    hx, hy, fw, fl = _head_box(fig)
    colour = identity.hair_rgb
    style = identity.hair_style
    if fig.is_back:
        bottom = {"buzz": 0.5, "short": 0.6, "ponytail": 0.55, "bun": 0.55}.get(style, 1.0)
        canvas.ellipse((hx - fw * 1.06, hy - fl * 1.08, hx + fw * 1.06, hy + fl * bottom), colour, HAIR)
        if style in ("long",):
            canvas.polygon([(hx - fw * 1.15, hy), (hx + fw * 1.15, hy), (hx + fw * 1.3, fig.y_at(-0.19)), (hx - fw * 1.3, fig.y_at(-0.19))], colour, HAIR)
    if style == "buzz":
        mix = tuple((c + s) // 2 for c, s in zip(colour, identity.skin_rgb, strict=True))
        canvas.polygon(_cap(hx, hy, fw, fl, 0.55, 1.02), mix, HAIR)
        return
    fringe = {"short": 0.5, "bob": 0.42, "long": 0.5, "ponytail": 0.62, "bun": 0.62, "curly": 0.4}[style]
    canvas.polygon(_cap(hx, hy, fw, fl, fringe, 1.08), colour, HAIR)
    if style in ("bob", "long"):
        # Side locks framing the face.
        for side in (-1.0, 1.0):
            x_out, x_in = hx + side * fw * 1.1, hx + side * fw * 0.78
            bottom = hy + fl * (0.75 if style == "bob" else 1.2)
            canvas.polygon([(x_out, hy - fl * 0.4), (x_in, hy - fl * 0.5), (x_in, bottom - fl * 0.2), (x_out, bottom)], colour, HAIR)
    if style == "bun":
        r = fw * 0.5
        canvas.ellipse((hx - r, hy - fl * 1.05 - r * 1.4, hx + r, hy - fl * 1.05 + r * 0.4), colour, HAIR)
    if style == "curly":
        for k in range(7):
            a = math.pi * (1.05 + 0.9 * k / 6)
            cx, cy = hx + math.cos(a) * fw * 1.0, hy + math.sin(a) * fl * 0.95
            r = fw * 0.38
            canvas.ellipse((cx - r, cy - r, cx + r, cy + r), colour, HAIR)


def _cap(hx: float, hy: float, fw: float, fl: float, fringe: float, bulge: float) -> list[tuple[float, float]]:
    """Outline of hair covering the head above `fringe` (fraction of the half-height above centre)."""
    points = []
    for k in range(13):
        a = math.pi + math.pi * k / 12
        points.append((hx + math.cos(a) * fw * bulge, hy + math.sin(a) * fl * bulge))
    edge_y = hy - fl * fringe
    points.append((hx + fw * bulge, hy - fl * 0.1))
    points.append((hx + fw * 0.6, edge_y))
    points.append((hx - fw * 0.6, edge_y))
    points.append((hx - fw * bulge, hy - fl * 0.1))
    return points
