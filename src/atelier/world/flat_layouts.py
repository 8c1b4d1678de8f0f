"""How each garment is cut, laid flat in garment space [0, 1]² (u right, v down).

The flat layout is the product shot. It is also the atlas the worn garment is mapped from:
each worn piece names the flat region (a quad in garment space) its texture comes from, so
flat and worn views of one garment show the same pattern in the same places. The product is
shown from the front: small u is the wearer's right. A layout also says what differs when the
garment is worn and seen from behind: seams that only the front has (a collar's points, a coat's
lapels and opening) and outlines cut differently at the back (a neck opening is a shallow curve
there, whatever the front's neckline).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from atelier.world.garments import Garment

UV = tuple[float, float]


@dataclass
class FlatRegion:
    """A piece of the flat garment: its outline and, for mapped pieces, its quad."""

    polygon: list[UV]
    quad: list[UV] = field(default_factory=list)


@dataclass
class FlatLayout:
    """All regions of a garment laid flat, by name (`body`, `r_sleeve_upper`, ...)."""

    regions: dict[str, FlatRegion]
    details: list[list[UV]] = field(default_factory=list)  # seams/handles drawn as lines, front and back
    front_details: list[list[UV]] = field(default_factory=list)  # seams only the front shows (collar, lapels)
    back_outlines: dict[str, list[UV]] = field(default_factory=dict)  # region outlines as seen from behind

    def seams(self, from_back: bool = False) -> list[list[UV]]:
        """The seam lines seen from the front (the product shot) or from behind."""
        return self.details if from_back else self.details + self.front_details

    def outline(self, name: str, from_back: bool = False) -> list[UV]:
        """Region `name`'s outline seen from the front or from behind."""
        if from_back and name in self.back_outlines:
            return self.back_outlines[name]
        return self.regions[name].polygon


def _lerp(a: UV, b: UV, t: float) -> UV:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def quad_part(quad: list[UV], t0: float, t1: float) -> list[UV]:
    """Sub-quad of [start_a, start_b, end_b, end_a] between fractions t0 and t1 along its length."""
    a0, b0, b1, a1 = quad
    return [_lerp(a0, a1, t0), _lerp(b0, b1, t0), _lerp(b0, b1, t1), _lerp(a0, a1, t1)]


SLEEVE_FRACTIONS = {"sleeveless": 0.0, "short": 0.45, "three-quarter": 1.6, "long": 2.0}
"""How much of the arm a sleeve covers: 1.0 is the whole upper arm, 2.0 upper arm and forearm."""


def _sleeves(shoulder_r: UV, armpit_r: UV, sleeve: str, width_scale: float = 1.0) -> dict[str, FlatRegion]:
    """Flat sleeves hanging down and out from the shoulders, mirrored for the left side.

    Quads are [outer start, inner start, inner end, outer end], the order worn pieces use.
    """
    coverage = SLEEVE_FRACTIONS[sleeve]
    if coverage <= 0:
        return {}
    direction = (-0.55, 0.83)
    upper_len, lower_len = 0.26, 0.24
    a0, b0 = shoulder_r, armpit_r
    a1 = (a0[0] + direction[0] * upper_len, a0[1] + direction[1] * upper_len)
    narrow = 0.82 * width_scale
    b1 = (a1[0] + (b0[0] - a0[0]) * narrow, a1[1] + (b0[1] - a0[1]) * narrow)
    a2 = (a1[0] + direction[0] * lower_len, a1[1] + direction[1] * lower_len)
    b2 = (a2[0] + (b0[0] - a0[0]) * narrow * 0.8, a2[1] + (b0[1] - a0[1]) * narrow * 0.8)
    regions: dict[str, FlatRegion] = {}
    upper = quad_part([a0, b0, b1, a1], 0.0, min(1.0, coverage))
    regions["r_sleeve_upper"] = FlatRegion(upper, upper)
    if coverage > 1.0:
        lower = quad_part([a1, b1, b2, a2], 0.0, coverage - 1.0)
        regions["r_sleeve_lower"] = FlatRegion(lower, lower)
    for name in list(regions):
        mirrored = [(1.0 - u, v) for u, v in regions[name].quad]
        regions[name.replace("r_", "l_", 1)] = FlatRegion(mirrored, mirrored)
    return regions


def _neckline(kind: str, v0: float) -> list[UV]:
    """Points of the neck opening from the wearer's right shoulder seam to the left one."""
    if kind == "v-neck":
        return [(0.44, v0), (0.5, v0 + 0.15), (0.56, v0)]
    if kind == "square":
        return [(0.42, v0), (0.42, v0 + 0.08), (0.58, v0 + 0.08), (0.58, v0)]
    if kind == "turtleneck":
        return [(0.445, v0), (0.445, v0 - 0.08), (0.555, v0 - 0.08), (0.555, v0)]
    # crew and collar: a shallow curve
    return [(0.44, v0), (0.465, v0 + 0.035), (0.5, v0 + 0.045), (0.535, v0 + 0.035), (0.56, v0)]


def _upper_body(
    v0: float, v_hem: float, half_top: float, half_hem: float, neckline: str, sleeve: str
) -> FlatLayout:
    """A top, a dress bodice or a coat: body panel with a neckline, and sleeves."""
    l_sh, r_sh = (0.5 + half_top, v0), (0.5 - half_top, v0)
    r_pit, l_pit = (0.5 - half_top * 0.95, v0 + 0.16), (0.5 + half_top * 0.95, v0 + 0.16)

    def body_outline(neck: str) -> list[UV]:
        return [r_sh, *_neckline(neck, v0), l_sh, l_pit, (0.5 + half_hem, v_hem), (0.5 - half_hem, v_hem), r_pit]

    quad = [r_sh, l_sh, (0.5 + half_hem, v_hem), (0.5 - half_hem, v_hem)]
    regions = {"body": FlatRegion(body_outline(neckline), quad)}
    regions.update(_sleeves(r_sh, r_pit, sleeve))
    collar_points: list[list[UV]] = []
    if neckline == "collar":
        collar_points = [[(0.44, v0), (0.47, v0 + 0.07), (0.5, v0 + 0.045)], [(0.56, v0), (0.53, v0 + 0.07), (0.5, v0 + 0.045)]]
    back_outline = body_outline("turtleneck" if neckline == "turtleneck" else "crew")
    return FlatLayout(regions, front_details=collar_points, back_outlines={"body": back_outline})


TOP_HEM = {"cropped": 0.46, "regular": 0.6, "long": 0.7}
SKIRT_LENGTH = {"mini": 0.28, "knee": 0.48, "midi": 0.64, "maxi": 0.82}
SKIRT_FLARE = {"pencil": 1.05, "a-line": 1.45, "flared": 1.9, "bodycon": 1.0}
COAT_HEM = {"hip": 0.62, "thigh": 0.76, "knee": 0.92}
PANTS_LENGTH = {"full": 0.94, "cropped": 0.8, "shorts": 0.42}
PANTS_FIT = {"regular": 1.0, "wide": 1.35, "skinny": 0.85}
FIT_WIDTH = {"regular": 0.0, "loose": 0.03, "tight": -0.015, "oversized": 0.03}


def flat_top(g: Garment) -> FlatLayout:
    half = 0.19 + FIT_WIDTH[g.attribute("fit")]
    return _upper_body(0.12, TOP_HEM[g.attribute("length")], half, half * 0.96, g.attribute("neckline"), g.attribute("sleeve"))


def flat_coat(g: Garment) -> FlatLayout:
    half = 0.21 + FIT_WIDTH[g.attribute("fit")]
    layout = _upper_body(0.1, COAT_HEM[g.attribute("length")], half, half * 1.05, "v-neck", "long")
    hem = COAT_HEM[g.attribute("length")]
    # Lapels and the front opening, drawn as seams over the texture (the front's only).
    layout.front_details += [[(0.44, 0.1), (0.47, 0.3), (0.5, 0.27)], [(0.56, 0.1), (0.53, 0.3), (0.5, 0.27)], [(0.5, 0.26), (0.5, hem)]]
    return layout


def flat_dress(g: Garment) -> FlatLayout:
    waist = 0.3
    layout = _upper_body(0.1, waist, 0.17, 0.14, g.attribute("neckline"), g.attribute("sleeve"))
    hem = waist + SKIRT_LENGTH[g.attribute("length")] * 0.78
    flare = 0.14 * SKIRT_FLARE[g.attribute("fit")] * (1.0 + SKIRT_LENGTH[g.attribute("length")] * 0.5)
    skirt = [(0.36, waist), (0.64, waist), (0.5 + min(flare, 0.45), hem), (0.5 - min(flare, 0.45), hem)]
    layout.regions["skirt"] = FlatRegion(skirt, skirt)
    return layout


def flat_skirt(g: Garment) -> FlatLayout:
    top = 0.08
    hem = top + SKIRT_LENGTH[g.attribute("length")]
    flare = 0.17 * SKIRT_FLARE[g.attribute("fit")] * (1.0 + SKIRT_LENGTH[g.attribute("length")] * 0.4)
    quad = [(0.33, top), (0.67, top), (0.5 + min(flare, 0.46), hem), (0.5 - min(flare, 0.46), hem)]
    return FlatLayout({"skirt": FlatRegion(quad, quad)}, [[(0.33, top + 0.04), (0.67, top + 0.04)]])


def flat_pants(g: Garment) -> FlatLayout:
    waist, crotch = 0.05, 0.27
    bottom = PANTS_LENGTH[g.attribute("length")]
    spread = PANTS_FIT[g.attribute("fit")]
    pelvis = [(0.3, waist), (0.7, waist), (0.715, crotch), (0.285, crotch)]
    regions = {"pelvis": FlatRegion(pelvis, pelvis)}
    hem_half = 0.085 * spread * (0.8 if g.attribute("length") == "shorts" else 1.0)
    centre = 0.39
    right_leg = [(0.285, crotch), (0.5, crotch), (centre + hem_half, bottom), (centre - hem_half, bottom)]
    regions["r_leg"] = FlatRegion(right_leg, right_leg)
    left = [(1.0 - u, v) for u, v in right_leg]
    regions["l_leg"] = FlatRegion(left, left)
    return FlatLayout(regions, [[(0.3, waist + 0.035), (0.7, waist + 0.035)], [(0.5, waist + 0.035), (0.5, crotch)]])


def flat_shoes(g: Garment) -> FlatLayout:
    """A pair in side profile, toes pointing outward: the wearer's right shoe on the left."""
    style = g.attribute("style")
    top = {"sneakers": 0.5, "boots": 0.22, "heels": 0.54, "loafers": 0.56}[style]
    sole = 0.7
    if style == "heels":
        right = [(0.06, sole - 0.02), (0.14, top + 0.06), (0.3, top), (0.44, top), (0.45, sole), (0.41, sole), (0.41, sole - 0.06), (0.2, sole - 0.04)]
    elif style == "boots":
        right = [(0.06, sole), (0.08, 0.56), (0.24, 0.52), (0.28, top), (0.44, top), (0.45, sole)]
    else:
        right = [(0.05, sole), (0.07, top + 0.08), (0.18, top + 0.04), (0.34, top), (0.44, top + 0.01), (0.45, sole)]
    quad = [(0.05, top), (0.45, top), (0.45, sole), (0.05, sole)]
    left = [(1.0 - u, v) for u, v in right]
    left_quad = [(1.0 - u, v) for u, v in quad]
    regions = {"r_shoe": FlatRegion(right, quad), "l_shoe": FlatRegion(left, left_quad)}
    details = [[(0.05, sole - 0.02), (0.45, sole - 0.02)], [(0.55, sole - 0.02), (0.95, sole - 0.02)]] if style == "sneakers" else []
    return FlatLayout(regions, details)


BAG_SIZE = {"small": 0.8, "medium": 1.0, "large": 1.2}


def flat_bag(g: Garment) -> FlatLayout:
    style, k = g.attribute("style"), BAG_SIZE[g.attribute("size")]
    if style == "clutch":
        half_w, half_h, cy = 0.3 * k, 0.12 * k, 0.58
    elif style == "crossbody":
        half_w, half_h, cy = 0.2 * k, 0.15 * k, 0.62
    else:
        half_w, half_h, cy = 0.25 * k, 0.22 * k, 0.6
    body = [(0.5 - half_w, cy - half_h), (0.5 + half_w, cy - half_h), (0.5 + half_w, cy + half_h), (0.5 - half_w, cy + half_h)]
    details: list[list[UV]] = []
    if style == "tote":
        details.append([(0.5 - half_w * 0.6, cy - half_h), (0.5 - half_w * 0.4, cy - half_h - 0.2), (0.5 + half_w * 0.4, cy - half_h - 0.2), (0.5 + half_w * 0.6, cy - half_h)])
    elif style == "crossbody":
        details.append([(0.5 - half_w, cy - half_h), (0.5 - half_w * 0.2, 0.12), (0.5 + half_w * 0.2, 0.12), (0.5 + half_w, cy - half_h)])
    else:
        details.append([(0.5 - half_w, cy - half_h), (0.5, cy + 0.02), (0.5 + half_w, cy - half_h)])
    return FlatLayout({"body": FlatRegion(body, body)}, details)


def flat_hat(g: Garment) -> FlatLayout:
    """Hats from the front; the band sits at v = 0.6, the crown rises above it."""
    style = g.attribute("style")
    if style == "cap":
        crown = [(0.28, 0.6), (0.3, 0.45), (0.4, 0.34), (0.6, 0.34), (0.7, 0.45), (0.72, 0.6)]
        brim = [(0.26, 0.58), (0.74, 0.58), (0.8, 0.68), (0.2, 0.68)]
    elif style == "beanie":
        crown = [(0.28, 0.6), (0.29, 0.42), (0.38, 0.3), (0.62, 0.3), (0.71, 0.42), (0.72, 0.6)]
        brim = [(0.27, 0.54), (0.73, 0.54), (0.73, 0.64), (0.27, 0.64)]
    elif style == "brimmed":
        crown = [(0.32, 0.6), (0.33, 0.4), (0.42, 0.33), (0.58, 0.33), (0.67, 0.4), (0.68, 0.6)]
        brim = [(0.1, 0.58), (0.9, 0.58), (0.84, 0.65), (0.16, 0.65)]
    else:  # bucket
        crown = [(0.3, 0.6), (0.34, 0.36), (0.66, 0.36), (0.7, 0.6)]
        brim = [(0.3, 0.57), (0.7, 0.57), (0.8, 0.7), (0.2, 0.7)]
    quad = [(0.1, 0.3), (0.9, 0.3), (0.9, 0.7), (0.1, 0.7)]
    return FlatLayout({"crown": FlatRegion(crown, quad), "brim": FlatRegion(brim, quad)})


FLAT_LAYOUTS = {
    "top": flat_top,
    "pants": flat_pants,
    "skirt": flat_skirt,
    "dress": flat_dress,
    "coat": flat_coat,
    "shoes": flat_shoes,
    "bag": flat_bag,
    "hat": flat_hat,
}


def flat_layout(garment: Garment) -> FlatLayout:
    """The garment laid flat, as its product shot shows it."""
    return FLAT_LAYOUTS[garment.category](garment)
