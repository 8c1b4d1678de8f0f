"""Drawing primitives: a picture and its label map painted together, and texture mapping.

Every shape the world draws goes through `Canvas`, which paints the RGB picture and the label
map with the same mask, so labels match pixels exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

Point = tuple[float, float]


def perspective_coefficients(image_quad: Sequence[Point], texture_quad: Sequence[Point]) -> tuple[float, ...]:
    """The 8 coefficients of Pillow's PERSPECTIVE transform mapping image points to texture points.

    Pillow samples the source at ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1))
    for each output pixel (x, y), so the homography runs from the output (image) to the texture.
    """
    rows, rhs = [], []
    for (x, y), (u, v) in zip(image_quad, texture_quad, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.extend([u, v])
    try:
        solution = np.linalg.solve(np.asarray(rows, dtype=np.float64), np.asarray(rhs, dtype=np.float64))
    except np.linalg.LinAlgError:
        # A degenerate quad (a limb seen end-on): fall back to the least-squares affine fit.
        solution = np.linalg.lstsq(np.asarray(rows), np.asarray(rhs), rcond=None)[0]
    return tuple(float(c) for c in solution)


def darker(colour: Sequence[int], factor: float = 0.72) -> tuple[int, int, int]:
    return tuple(int(c * factor) for c in colour)  # type: ignore[return-value]


class Canvas:
    """An RGB picture and its (H, W) label map, painted together."""

    def __init__(self, size_hw: tuple[int, int], background: Image.Image | None = None) -> None:
        height, width = size_hw
        self.size_hw = size_hw
        self.image = background.copy() if background is not None else Image.new("RGB", (width, height), (255, 255, 255))
        self.labels = Image.new("L", (width, height), 0)
        self._draw = ImageDraw.Draw(self.image)
        self._label_draw = ImageDraw.Draw(self.labels)

    def polygon(
        self, points: Sequence[Point], colour: Sequence[int], label: int | None, outline: Sequence[int] | None = None
    ) -> None:
        """A solid polygon; `label` None leaves the label map untouched (details like eyes)."""
        if len(points) < 3:
            return
        self._draw.polygon(list(points), fill=tuple(colour), outline=tuple(outline) if outline else None)
        if label is not None:
            self._label_draw.polygon(list(points), fill=label, outline=label)

    def ellipse(self, box: Sequence[float], colour: Sequence[int], label: int | None, outline=None) -> None:
        self._draw.ellipse(list(box), fill=tuple(colour), outline=tuple(outline) if outline else None)
        if label is not None:
            self._label_draw.ellipse(list(box), fill=label)

    def line(self, points: Sequence[Point], colour: Sequence[int], width: float, label: int | None = None) -> None:
        w = max(1, int(round(width)))
        self._draw.line(list(points), fill=tuple(colour), width=w, joint="curve")
        if label is not None:
            self._label_draw.line(list(points), fill=label, width=w, joint="curve")

    def capsule(self, a: Point, b: Point, radius: float, colour: Sequence[int], label: int | None) -> None:
        """A thick segment with round ends: a limb."""
        self.line([a, b], colour, 2 * radius, label)
        for x, y in (a, b):
            self.ellipse((x - radius, y - radius, x + radius, y + radius), colour, label)

    def textured_polygon(
        self,
        polygon: Sequence[Point],
        texture: Image.Image,
        image_quad: Sequence[Point],
        texture_quad: Sequence[Point],
        label: int,
        *,
        fill: Sequence[int],
        outline: Sequence[int] | None = None,
    ) -> None:
        """Paint `polygon` with the texture, mapping `image_quad` onto `texture_quad` (texture pixels).

        Only the polygon's bounding box is transformed, which keeps this cheap at any image size.
        """
        if len(polygon) < 3:
            return
        xs = [p[0] for p in polygon]
        ys = [p[1] for p in polygon]
        width, height = self.image.size
        x0, y0 = max(0, int(min(xs)) - 1), max(0, int(min(ys)) - 1)
        x1, y1 = min(width, int(max(xs)) + 2), min(height, int(max(ys)) + 2)
        if x1 <= x0 or y1 <= y0:
            return
        local_quad = [(x - x0, y - y0) for x, y in image_quad]
        coefficients = perspective_coefficients(local_quad, texture_quad)
        patch = texture.transform(
            (x1 - x0, y1 - y0), Image.PERSPECTIVE, coefficients, resample=Image.BILINEAR, fillcolor=tuple(fill)
        )
        mask = Image.new("L", (x1 - x0, y1 - y0), 0)
        ImageDraw.Draw(mask).polygon([(x - x0, y - y0) for x, y in polygon], fill=255)
        self.image.paste(patch, (x0, y0), mask)
        self.labels.paste(label, (x0, y0, x1, y1), mask)
        if outline is not None:
            # The outline is part of the garment: label it too, so labels match pixels exactly.
            self._draw.polygon(list(polygon), outline=tuple(outline))
            self._label_draw.polygon(list(polygon), outline=label)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(H, W, 3) uint8 picture and (H, W) uint8 label map."""
        return np.asarray(self.image, dtype=np.uint8).copy(), np.asarray(self.labels, dtype=np.uint8).copy()
