"""The fashion world's vocabulary: garment categories, shape attributes, colours and patterns.

Everything the world can say about a garment is named here once; the renderer, the text
generator, the splits and the dataset exporters all read these tables.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = ("top", "pants", "skirt", "dress", "coat", "shoes", "bag", "hat")
"""The eight garment and accessory categories, in the order they are layered (inner first)."""

UPPER_CATEGORIES = ("top", "coat")
LOWER_CATEGORIES = ("pants", "skirt")
FULL_BODY_CATEGORIES = ("dress",)
ACCESSORY_CATEGORIES = ("shoes", "bag", "hat")

# Shape attributes per category: attribute name -> allowed values. The first value is the default.
SHAPE_ATTRIBUTES: dict[str, dict[str, tuple[str, ...]]] = {
    "top": {
        "sleeve": ("short", "long", "sleeveless", "three-quarter"),
        "neckline": ("crew", "v-neck", "collar", "turtleneck"),
        "fit": ("regular", "loose", "tight"),
        "length": ("regular", "cropped", "long"),
    },
    "pants": {
        "length": ("full", "cropped", "shorts"),
        "fit": ("regular", "wide", "skinny"),
    },
    "skirt": {
        "length": ("knee", "mini", "midi", "maxi"),
        "fit": ("a-line", "pencil", "flared"),
    },
    "dress": {
        "sleeve": ("sleeveless", "short", "long"),
        "neckline": ("crew", "v-neck", "square"),
        "length": ("knee", "mini", "midi", "maxi"),
        "fit": ("a-line", "bodycon", "flared"),
    },
    "coat": {
        "length": ("hip", "thigh", "knee"),
        "closure": ("closed", "open"),
        "sleeve": ("long",),
        "fit": ("regular", "oversized"),
    },
    "shoes": {
        "style": ("sneakers", "boots", "heels", "loafers"),
    },
    "bag": {
        "style": ("tote", "crossbody", "clutch"),
        "size": ("medium", "small", "large"),
    },
    "hat": {
        "style": ("cap", "beanie", "brimmed", "bucket"),
    },
}

# Named palette (sRGB 0-255). Names are what captions and modification texts say.
COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (28, 28, 30),
    "white": (240, 240, 236),
    "grey": (128, 128, 132),
    "navy": (28, 40, 96),
    "blue": (44, 96, 200),
    "light blue": (140, 184, 232),
    "teal": (24, 140, 140),
    "green": (40, 140, 64),
    "olive": (110, 118, 48),
    "yellow": (236, 204, 48),
    "mustard": (200, 160, 40),
    "orange": (236, 124, 36),
    "red": (200, 32, 40),
    "burgundy": (112, 24, 44),
    "pink": (236, 140, 176),
    "purple": (112, 56, 160),
    "lavender": (180, 160, 220),
    "beige": (216, 196, 160),
    "brown": (112, 72, 40),
    "camel": (192, 146, 92),
}

PATTERNS: tuple[str, ...] = (
    "solid",
    "stripes",
    "checks",
    "dots",
    "floral",
    "logo",
    "gradient",
    "colour-block",
)
"""Surface patterns; all but `solid` carry a second colour, a scale and an angle."""

LOGO_WORDS: tuple[str, ...] = ("ATELIER", "NOVA", "ORBIT", "LUMEN", "KITE", "ECHO", "MOSS", "VELA")

VIEWS: tuple[str, ...] = ("front", "three-quarter", "side", "back")
VIEW_YAW_DEGREES: dict[str, float] = {"front": 0.0, "three-quarter": 40.0, "side": 85.0, "back": 180.0}

HAIR_STYLES: tuple[str, ...] = ("short", "bob", "long", "ponytail", "bun", "buzz", "curly")
HAIR_COLOURS: dict[str, tuple[int, int, int]] = {
    "black": (24, 20, 18),
    "dark brown": (62, 40, 26),
    "brown": (110, 72, 40),
    "auburn": (140, 58, 30),
    "blonde": (214, 178, 110),
    "grey": (170, 168, 164),
    "red": (170, 60, 36),
}
SKIN_TONES: tuple[tuple[int, int, int], ...] = (
    (255, 224, 196),
    (241, 194, 160),
    (224, 172, 135),
    (198, 142, 100),
    (160, 106, 72),
    (120, 78, 52),
    (88, 58, 40),
)

TASKS: tuple[str, ...] = ("single", "multi", "modelfree", "tryoff", "pose", "m2m", "edit")
"""Try-on tasks with an image target. Retrieval records (`composed`, `caption`) are separate."""
RECORD_KINDS: tuple[str, ...] = TASKS + ("composed", "caption")

SPLITS: tuple[str, ...] = ("train", "val", "test")
