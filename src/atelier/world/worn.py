"""Fitting a flat garment onto a posed figure.

Each flat region (`flat_layouts`) has a quad in garment space; the matching quad on the
figure (a torso band, a limb segment, a box at the feet) defines a homography, and the region's
outline is carried through it. The renderer then paints the texture through the same quads, so
the pattern follows the body.
"""

from __future__ import annotations

from dataclasses import dataclass

from atelier.world.drawing import perspective_coefficients
from atelier.world.figure import Figure, Limb
from atelier.world.flat_layouts import (
    PANTS_FIT,
    SKIRT_FLARE,
    SKIRT_LENGTH,
    SLEEVE_FRACTIONS,
    FlatLayout,
    flat_layout,
    quad_part,
)
from atelier.world.garments import Garment
from atelier.world.labels import LABEL_ID

Point = tuple[float, float]

# Drawing order of garment layers inside one body group (inner first).
LAYER = {"shoes": 5, "pants": 10, "skirt": 11, "top": 20, "dress": 21, "coat": 30, "bag": 40, "hat": 50}


@dataclass
class WornPiece:
    """One garment piece on the figure, ready to paint.

    Attributes:
        group: body group it belongs to, which decides draw order ('torso', 'r_arm', 'l_arm',
            'r_leg', 'l_leg', 'head', 'bag_front').
        layer: order inside the group (`LAYER`).
        polygon: outline in image pixels.
        image_quad / texture_quad: the quad pair (pixels / garment space) of the texture mapping.
        label: label-map id of the garment.
        details: seam lines in image pixels.
    """

    group: str
    layer: int
    polygon: list[Point]
    image_quad: list[Point]
    texture_quad: list[tuple[float, float]]
    label: int
    details: list[list[Point]]


def map_points(points, from_quad, to_quad) -> list[Point]:
    """Carry points through the homography that takes `from_quad` onto `to_quad`."""
    a, b, c, d, e, f, g, h = perspective_coefficients(from_quad, to_quad)
    out = []
    for x, y in points:
        w = g * x + h * y + 1.0
        out.append(((a * x + b * y + c) / w, (d * x + e * y + f) / w))
    return out


def _mirror(quad):
    return [(1.0 - u, v) for u, v in quad]


def _clip_u(polygon, limit: float, keep_below: bool):
    """Clip a garment-space polygon to u <= limit (or u >= limit): one Sutherland-Hodgman pass."""
    inside = (lambda p: p[0] <= limit) if keep_below else (lambda p: p[0] >= limit)
    out = []
    for i, current in enumerate(polygon):
        previous = polygon[i - 1]
        if inside(current) != inside(previous):
            t = (limit - previous[0]) / (current[0] - previous[0])
            out.append((limit, previous[1] + (current[1] - previous[1]) * t))
        if inside(current):
            out.append(current)
    return out


class Fitter:
    """Fits garments to one figure."""

    def __init__(self, figure: Figure) -> None:
        self.figure = figure

    # -- shared fitting moves --------------------------------------------------------------------
    def _piece(self, group, garment, region_polygon, flat_quad, image_quad, details=()) -> WornPiece:
        texture_quad = _mirror(flat_quad) if self.figure.is_back else flat_quad
        # Carrying the outline needs the quad pair in the same orientation as the texture mapping.
        polygon = map_points(_mirror(region_polygon) if self.figure.is_back else region_polygon, texture_quad, image_quad)
        lines = [map_points(_mirror(line) if self.figure.is_back else line, texture_quad, image_quad) for line in details]
        return WornPiece(group, LAYER[garment.category], polygon, image_quad, texture_quad, LABEL_ID[garment.category], lines)

    def _body_piece(self, garment: Garment, layout: FlatLayout, image_quad) -> WornPiece:
        """The body panel of a top, coat or dress on the torso: seen from behind it has the back's
        neck opening and none of the front's seams (collar points, lapels)."""
        back = self.figure.is_back
        body = layout.regions["body"]
        return self._piece("torso", garment, layout.outline("body", back), body.quad, image_quad, layout.seams(back))

    def _torso_quad(self, top: float, bottom: float, extra: float, bottom_extra: float | None = None):
        (tl, tr) = self.figure.torso_row(top, extra)
        (bl, br) = self.figure.torso_row(bottom, extra if bottom_extra is None else bottom_extra)
        return [tl, tr, br, bl]

    def _limb_piece(self, group, garment, flat_region_quad, limb: Limb, widen: float, extend_start: float = 0.0):
        quad = limb.quad(widen, extend_start=extend_start)
        flat = flat_region_quad if self.figure.outward_normal_sign(limb) > 0 else [flat_region_quad[i] for i in (1, 0, 3, 2)]
        return WornPiece(group, LAYER[garment.category], quad, quad, flat, LABEL_ID[garment.category], [])

    def _sleeves(self, garment: Garment, layout: FlatLayout, widen: float) -> list[WornPiece]:
        pieces = []
        for side in ("r", "l"):
            upper_arm, forearm, _ = self.figure.arm(side)
            upper = layout.regions.get(f"{side}_sleeve_upper")
            lower = layout.regions.get(f"{side}_sleeve_lower")
            if upper is None:
                continue
            extend = upper_arm.start_radius * 0.9
            fraction = _sleeve_fraction(garment)
            pieces.append(self._limb_piece(f"{side}_arm", garment, upper.quad, upper_arm.part(0, min(1.0, fraction)), widen, extend))
            if lower is not None and fraction > 1.0:
                part = forearm.part(0, fraction - 1.0)
                pieces.append(self._limb_piece(f"{side}_arm", garment, lower.quad, part, widen * 0.95, forearm.start_radius))
        return pieces

    # -- categories ------------------------------------------------------------------------------
    def top(self, g: Garment) -> list[WornPiece]:
        layout = flat_layout(g)
        hem = {"cropped": -0.13, "regular": 0.04, "long": 0.11}[g.attribute("length")]
        fit = {"regular": 0.008, "loose": 0.02, "tight": 0.003}[g.attribute("fit")]
        quad = self._torso_quad(-0.297, hem, fit + 0.002, fit + 0.012)
        pieces = [self._body_piece(g, layout, quad)]
        return pieces + self._sleeves(g, layout, {"regular": 1.4, "loose": 1.6, "tight": 1.25}[g.attribute("fit")])

    def coat(self, g: Garment) -> list[WornPiece]:
        layout = flat_layout(g)
        hem = {"hip": 0.06, "thigh": 0.16, "knee": 0.27}[g.attribute("length")]
        extra = 0.018 if g.attribute("fit") == "regular" else 0.03
        body = layout.regions["body"]
        quad = self._torso_quad(-0.302, hem, extra, extra + 0.012 + 0.02 * (hem > 0.1))
        if g.attribute("closure") == "open" and not self.figure.is_back:
            gap = 0.035
            halves = [_clip_u(body.polygon, 0.5 - gap, True), _clip_u(body.polygon, 0.5 + gap, False)]
            pieces = [self._piece("torso", g, half, body.quad, quad) for half in halves]
        else:  # closed, or an open coat seen from behind, whose back is whole
            pieces = [self._body_piece(g, layout, quad)]
        return pieces + self._sleeves(g, layout, 1.75 if g.attribute("fit") == "regular" else 1.95)

    def dress(self, g: Garment) -> list[WornPiece]:
        layout = flat_layout(g)
        skirt = layout.regions["skirt"]
        pieces = [self._body_piece(g, layout, self._torso_quad(-0.297, -0.11, 0.006))]
        length = SKIRT_LENGTH[g.attribute("length")]
        pieces.append(self._skirt_piece(g, skirt.polygon, skirt.quad, length, SKIRT_FLARE[g.attribute("fit")]))
        return pieces + self._sleeves(g, layout, 1.35)

    def skirt(self, g: Garment) -> list[WornPiece]:
        region = flat_layout(g).regions["skirt"]
        return [self._skirt_piece(g, region.polygon, region.quad, SKIRT_LENGTH[g.attribute("length")], SKIRT_FLARE[g.attribute("fit")], [[(0.33, 0.12), (0.67, 0.12)]])]

    def _skirt_piece(self, g, polygon, flat_quad, length, flare, details=()):
        fig = self.figure
        waist_y, hem_y = -0.11, 0.0 + 0.58 * length
        (wl, wr) = fig.torso_row(waist_y, 0.008)
        hem_half = fig.torso_half_width(0.0, 0.01) * (0.75 + 0.35 * flare) * (1.0 + 0.5 * length)
        # Spread legs (walking) must stay inside the skirt.
        hem_half = max(hem_half, self._legs_half_extent(fig.y_at(hem_y)))
        y = fig.y_at(hem_y)
        quad = [wl, wr, (fig.centre_x + hem_half, y), (fig.centre_x - hem_half, y)]
        return self._piece("torso", g, polygon, flat_quad, quad, details)

    def _legs_half_extent(self, y: float) -> float:
        """Half-width around the centre line that covers both legs at image height y."""
        extent = 0.0
        for side in ("r", "l"):
            for limb in self.figure.leg(side):
                (x0, y0), (x1, y1) = limb.start, limb.end
                if min(y0, y1) <= y <= max(y0, y1) and y1 != y0:
                    x = x0 + (x1 - x0) * (y - y0) / (y1 - y0)
                    extent = max(extent, abs(x - self.figure.centre_x) + limb.start_radius * 1.2)
        return extent

    def pants(self, g: Garment) -> list[WornPiece]:
        layout = flat_layout(g)
        fig = self.figure
        pelvis = layout.regions["pelvis"]
        pieces = [self._piece("torso", g, pelvis.polygon, pelvis.quad, self._torso_quad(-0.105, 0.07, 0.006))]
        coverage = {"full": 2.0, "cropped": 1.72, "shorts": 0.45}[g.attribute("length")]
        spread = PANTS_FIT[g.attribute("fit")]
        for side in ("r", "l"):
            thigh, shin = fig.leg(side)
            flat = layout.regions[f"{side}_leg"].quad
            thigh_share = min(1.0, coverage) / coverage
            upper_flat = quad_part(flat, 0.0, thigh_share)
            widened = Limb(thigh.start, thigh.end, thigh.start_radius * 1.18, thigh.end_radius * (1.05 + 0.3 * (spread - 1.0) + 0.2), thigh.depth)
            pieces.append(self._limb_piece(f"{side}_leg", g, upper_flat, widened.part(0, min(1.0, coverage)), 1.0, thigh.start_radius * 0.6))
            if coverage > 1.0:
                lower_flat = quad_part(flat, thigh_share, 1.0)
                end_radius = shin.end_radius * (1.5 * spread + 0.15)
                shin_part = Limb(shin.start, shin.end, widened.end_radius, end_radius, shin.depth).part(0, coverage - 1.0)
                pieces.append(self._limb_piece(f"{side}_leg", g, lower_flat, shin_part, 1.0, shin.start_radius * 0.5))
        return pieces

    def shoes(self, g: Garment) -> list[WornPiece]:
        fig = self.figure
        layout = flat_layout(g)
        style = g.attribute("style")
        pieces = []
        for side in ("r", "l"):
            ankle, toe = fig.point(f"{side}_ankle"), fig.point(f"{side}_toe")
            _, shin = fig.leg(side)
            r = shin.end_radius * 1.25
            shaft = {"boots": 0.3 * fig.scale * 0.245, "sneakers": r * 0.9, "heels": r * 0.4, "loafers": r * 0.5}[style]
            x0, x1 = min(ankle[0], toe[0]) - r, max(ankle[0], toe[0]) + r
            y0, y1 = ankle[1] - shaft, max(ankle[1], toe[1]) + r * 0.8
            region = layout.regions[f"{side}_shoe"]
            # The flat shoe's toe points outward; turn it to where this foot's toe points.
            toe_right = toe[0] > ankle[0] + 0.5 or (abs(toe[0] - ankle[0]) <= 0.5 and side == "l")
            box = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
            flat_quad = region.quad if (side == "l") == toe_right else [region.quad[i] for i in (1, 0, 3, 2)]
            polygon = map_points(region.polygon, flat_quad, box)
            pieces.append(WornPiece(f"{side}_leg", LAYER["shoes"], polygon, box, flat_quad, LABEL_ID["shoes"], []))
        return pieces

    def hat(self, g: Garment) -> list[WornPiece]:
        fig = self.figure
        hx, hy = fig.point("head")
        fw = fig.identity.face_width * fig.scale
        fl = fig.identity.face_length * fig.scale
        brow = hy - 0.5 * fl  # the band sits above the brows
        height = 1.63 * fl * 1.05
        top = brow - 0.75 * height
        half = 3.93 * fw / 2
        box = [(hx - half, top), (hx + half, top), (hx + half, top + height), (hx - half, top + height)]
        layout = flat_layout(g)
        return [self._piece("head", g, region.polygon, region.quad, box) for region in layout.regions.values()]

    def bag(self, g: Garment) -> list[WornPiece]:
        fig = self.figure
        style = g.attribute("style")
        layout = flat_layout(g)
        body = layout.regions["body"]
        k = fig.scale
        if style == "crossbody":
            (hip_l, hip_r) = fig.torso_row(0.02, 0.02)
            cx, cy, w, h = hip_l[0] - 0.01 * k, hip_l[1], 0.13 * k, 0.13 * k
            group = "bag_front"
        else:
            hand = fig.point("l_hand")
            cx, cy, w, h = hand[0], hand[1] + (0.05 if style == "tote" else 0.0) * k, 0.2 * k, 0.2 * k
            group = "l_arm"
        # The flat layout's [0,1]² maps onto a w×h box centred on the bag's anchor.
        box = [(cx - w / 2, cy - h * 0.6), (cx + w / 2, cy - h * 0.6), (cx + w / 2, cy + h * 0.4), (cx - w / 2, cy + h * 0.4)]
        unit = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
        image_quad = map_points(body.quad, unit, box)
        polygon = map_points(body.polygon, unit, box)
        details = [map_points(line, unit, box) for line in layout.details]
        if style == "crossbody":
            # The strap runs from the opposite shoulder down to the bag.
            details = [[fig.point("r_shoulder"), (fig.centre_x, fig.y_at(-0.15)), polygon[1]]]
        return [WornPiece(group, LAYER["bag"], polygon, image_quad, body.quad, LABEL_ID["bag"], details)]

    def fit(self, garment: Garment) -> list[WornPiece]:
        return getattr(self, garment.category)(garment)




def _sleeve_fraction(garment: Garment) -> float:
    """How much of the arm the garment's sleeves cover (see `SLEEVE_FRACTIONS`)."""
    if garment.category == "coat":
        return 2.0
    return SLEEVE_FRACTIONS[garment.attribute("sleeve")]

