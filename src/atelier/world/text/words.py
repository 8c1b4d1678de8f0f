"""Word tables and small grammar helpers shared by every kind of world text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from atelier.world.garments import Garment
from atelier.world.vocabulary import COLOURS, SHAPE_ATTRIBUTES

CAPTION_STYLES: tuple[str, ...] = ("short", "professional", "detailed")

SCALE_WORDS: tuple[str, ...] = ("fine", "medium", "bold")
ORIENTATION_WORDS: tuple[str, ...] = ("vertical", "horizontal", "diagonal")


def scale_word(pattern_scale: float) -> str:
    """How big a pattern reads: "fine", "medium" or "bold" (thirds of the scale's range (0, 1])."""
    fine, medium, bold = SCALE_WORDS
    if pattern_scale < 1 / 3:
        return fine
    if pattern_scale < 2 / 3:
        return medium
    return bold


def orientation_word(pattern_angle: float) -> str:
    """Which way stripes painted at `pattern_angle` run: "vertical", "horizontal" or "diagonal"."""
    vertical, horizontal, diagonal = ORIENTATION_WORDS
    folded = pattern_angle % 180.0
    if min(folded, 180.0 - folded) <= 22.5:
        return vertical
    if abs(folded - 90.0) <= 22.5:
        return horizontal
    return diagonal


# ---------------------------------------------------------------------------------------------
# Word tables


@dataclass(frozen=True)
class _ShapeWords:
    """Ways to say one shape attribute value.

    Attributes:
        adjectives: pre-noun modifiers ("long-sleeved").
        clauses: (verb, rest) with a singular verb: ("has", "long sleeves"), ("is", "cropped").
        becomes: noun phrases an edit can turn the garment into; "{noun}" is the category noun.
    """

    adjectives: tuple[str, ...]
    clauses: tuple[tuple[str, str], ...]
    becomes: tuple[str, ...] = ()


def _words(adjectives: tuple[str, ...], *clauses: tuple[str, str], becomes: tuple[str, ...] = ()) -> _ShapeWords:
    return _ShapeWords(adjectives, clauses, becomes)


_SLEEVE_WORDS = {
    "short": _words(("short-sleeved", "short-sleeve"), ("has", "short sleeves")),
    "long": _words(("long-sleeved", "long-sleeve"), ("has", "long sleeves")),
    "sleeveless": _words(("sleeveless",), ("is", "sleeveless"), ("has", "no sleeves")),
    "three-quarter": _words(("three-quarter-sleeve",), ("has", "three-quarter sleeves")),
}
_NECKLINE_WORDS = {
    "crew": _words(("crew-neck", "round-neck"), ("has", "a crew neck"), ("has", "a round crew neckline")),
    "v-neck": _words(("v-neck",), ("has", "a v-neck"), ("has", "a v-neck neckline")),
    "collar": _words(("collared",), ("has", "a collar"), ("has", "a shirt collar")),
    "turtleneck": _words(("turtleneck", "roll-neck"), ("has", "a turtleneck"), ("has", "a high turtleneck collar")),
    "square": _words(("square-neck",), ("has", "a square neckline")),
}
_SKIRT_LENGTH_WORDS = {
    "knee": _words(
        ("knee-length",), ("is", "knee-length"), ("falls", "to the knee"), becomes=("a knee-length {noun}",)
    ),
    "mini": _words(("mini",), ("is", "mini length"), ("ends", "well above the knee"), becomes=("a mini {noun}",)),
    "midi": _words(("midi",), ("is", "midi length"), ("falls", "to mid-calf"), becomes=("a midi {noun}",)),
    "maxi": _words(("maxi",), ("is", "maxi length"), ("falls", "to the ankle"), becomes=("a maxi {noun}",)),
}
_FLARED_AND_A_LINE = {
    "a-line": _words(("A-line",), ("has", "an A-line shape"), ("is", "A-line"), becomes=("an A-line {noun}",)),
    "flared": _words(("flared",), ("is", "flared"), ("has", "a flared shape"), becomes=("a flared {noun}",)),
}

_SHAPE_WORDS: dict[str, dict[str, dict[str, _ShapeWords]]] = {
    "top": {
        "sleeve": _SLEEVE_WORDS,
        "neckline": _NECKLINE_WORDS,
        "fit": {
            "regular": _words(("regular-fit",), ("has", "a regular fit")),
            "loose": _words(("loose-fit", "relaxed-fit"), ("has", "a loose fit"), ("has", "a relaxed, loose fit")),
            "tight": _words(("tight-fitting", "slim-fit"), ("has", "a tight fit"), ("is", "tight-fitting")),
        },
        "length": {
            "regular": _words(("regular-length",), ("is", "regular length"), ("ends", "at the hip")),
            "cropped": _words(("cropped",), ("is", "cropped"), ("is", "cropped above the waist")),
            "long": _words(("longline", "long-length"), ("is", "longline"), ("is", "cut long, below the hip")),
        },
    },
    "pants": {
        "length": {
            "full": _words(
                ("full-length",), ("is", "full-length"), ("reaches", "the ankles"), becomes=("full-length {noun}",)
            ),
            "cropped": _words(("cropped",), ("is", "cropped above the ankle"), becomes=("cropped {noun}",)),
            "shorts": _words(("short",), ("is", "cut as shorts"), ("ends", "above the knee"), becomes=("shorts",)),
        },
        "fit": {
            "regular": _words(("regular-fit", "straight-leg"), ("has", "a regular fit"), ("has", "straight legs")),
            "wide": _words(
                ("wide-leg",), ("has", "wide legs"), ("has", "a wide-leg cut"), becomes=("wide-leg {noun}",)
            ),
            "skinny": _words(("skinny",), ("has", "a skinny fit"), ("is", "skinny"), becomes=("skinny {noun}",)),
        },
    },
    "skirt": {
        "length": _SKIRT_LENGTH_WORDS,
        "fit": {
            **_FLARED_AND_A_LINE,
            "pencil": _words(
                ("pencil",), ("has", "a narrow pencil cut"), ("is", "pencil-cut"), becomes=("a pencil skirt",)
            ),
        },
    },
    "dress": {
        "sleeve": {value: _SLEEVE_WORDS[value] for value in SHAPE_ATTRIBUTES["dress"]["sleeve"]},
        "neckline": {value: _NECKLINE_WORDS[value] for value in SHAPE_ATTRIBUTES["dress"]["neckline"]},
        "length": _SKIRT_LENGTH_WORDS,
        "fit": {
            **_FLARED_AND_A_LINE,
            "bodycon": _words(
                ("bodycon", "figure-hugging"),
                ("has", "a bodycon fit"),
                ("is", "figure-hugging"),
                becomes=("a bodycon dress",),
            ),
        },
    },
    "coat": {
        "length": {
            "hip": _words(("hip-length",), ("is", "hip-length"), ("ends", "at the hip")),
            "thigh": _words(("thigh-length",), ("is", "thigh-length"), ("ends", "at mid-thigh")),
            "knee": _words(("knee-length",), ("is", "knee-length"), ("falls", "to the knee")),
        },
        "sleeve": {"long": _SLEEVE_WORDS["long"]},
        "fit": {
            "regular": _words(("regular-fit",), ("has", "a regular fit")),
            "oversized": _words(("oversized",), ("is", "oversized"), ("has", "an oversized cut")),
        },
    },
    "shoes": {
        "style": {
            "sneakers": _words(("sneaker",), ("is", "a pair of sneakers"), becomes=("sneakers", "trainers")),
            "boots": _words(("boot",), ("is", "a pair of boots"), becomes=("boots",)),
            "heels": _words(("high-heeled",), ("is", "a pair of heels"), becomes=("heels", "high heels")),
            "loafers": _words(("loafer",), ("is", "a pair of loafers"), becomes=("loafers",)),
        },
    },
    "bag": {
        "style": {
            "tote": _words(("tote",), ("is", "a tote bag"), becomes=("a tote bag", "a tote")),
            "crossbody": _words(("crossbody",), ("is", "a crossbody bag"), becomes=("a crossbody bag",)),
            "clutch": _words(("clutch",), ("is", "a clutch"), becomes=("a clutch", "a clutch bag")),
        },
        "size": {
            "medium": _words(("medium-sized", "mid-size"), ("is", "medium-sized")),
            "small": _words(("small", "compact"), ("is", "small")),
            "large": _words(("large", "big"), ("is", "large")),
        },
    },
    "hat": {
        "style": {
            "cap": _words(("cap",), ("is", "a cap"), becomes=("a cap", "a baseball cap")),
            "beanie": _words(("beanie",), ("is", "a beanie"), becomes=("a beanie",)),
            "brimmed": _words(("brimmed",), ("is", "a brimmed hat"), becomes=("a brimmed hat",)),
            "bucket": _words(("bucket",), ("is", "a bucket hat"), becomes=("a bucket hat",)),
        },
    },
}

# The order adjectives take in front of a noun ("small", "cropped loose-fit long-sleeved v-neck").
ADJECTIVE_ORDER = ("size", "length", "fit", "sleeve", "neckline", "style")
# How a garment is worn rather than what it is: never in captions or modification texts.
WEARING_ATTRIBUTES = ("closure",)

CATEGORY_NOUNS: dict[str, tuple[str, ...]] = {
    "top": ("top",),
    "pants": ("trousers", "pants"),
    "skirt": ("skirt",),
    "dress": ("dress",),
    "coat": ("coat",),
    "shoes": ("shoes",),
    "bag": ("bag",),
    "hat": ("hat",),
}
_PLURAL_NOUNS = ("trousers", "pants", "shorts", "shoes", "sneakers", "trainers", "boots", "heels", "loafers")
_PLURAL_VERBS = {"has": "have", "is": "are", "falls": "fall", "ends": "end", "reaches": "reach", "shades": "shade"}

PATTERN_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "stripes": ("striped",),
    "checks": ("checked", "check"),
    "dots": ("polka-dot", "dotted", "spotted"),
    "floral": ("floral", "flower-print"),
    "logo": ("logo", "logo-print"),
    "gradient": ("gradient", "ombre"),
    "colour-block": ("colour-block", "colour-blocked"),
}
# The pattern named on its own ("change the stripes to dots"); "{m}" takes a modifier.
PATTERN_NOUNS: dict[str, str] = {
    "stripes": "{m} stripes",
    "checks": "{m} checks",
    "dots": "{m} dots",
    "floral": "a {m} floral print",
    "logo": "a {m} logo",
    "gradient": "a {m} gradient",
    "colour-block": "{m} colour blocks",
}
# Patterns whose size shows, and the word for each scale bin.
SIZE_WORDS: dict[str, dict[str, str]] = {
    "stripes": {"fine": "fine", "medium": "medium", "bold": "bold"},
    "checks": {"fine": "fine", "medium": "medium", "bold": "bold"},
    "dots": {"fine": "small", "medium": "medium", "bold": "large"},
    "floral": {"fine": "small", "medium": "medium", "bold": "large"},
    "logo": {"fine": "small", "medium": "medium-sized", "bold": "large"},
}
BIGGER_WORDS = {"stripes": ("bolder", "finer"), "checks": ("bolder", "finer")}  # others: larger/smaller
# Patterns whose angle shows, and how each orientation bin reads for them.
ORIENTATION_PHRASES: dict[str, dict[str, str]] = {
    "stripes": {"vertical": "vertical", "horizontal": "horizontal", "diagonal": "diagonal"},
    "checks": {"vertical": "straight", "horizontal": "straight", "diagonal": "diagonal"},
    "dots": {"vertical": "in straight rows", "horizontal": "in straight rows", "diagonal": "in diagonal rows"},
    # textures turns these two by 90°: at 0° the colour changes from top to bottom
    "gradient": {"vertical": "from top to bottom", "horizontal": "from side to side", "diagonal": "diagonally"},
    "colour-block": {"vertical": "one above the other", "horizontal": "side by side", "diagonal": "split diagonally"},
}

HAIR_PHRASES: dict[str, tuple[str, ...]] = {
    "short": ("short {c} hair",),
    "bob": ("{c} hair in a bob", "a {c} bob"),
    "long": ("long {c} hair",),
    "ponytail": ("{c} hair in a ponytail", "a {c} ponytail"),
    "bun": ("{c} hair in a bun", "a {c} bun"),
    "buzz": ("a {c} buzz cut", "buzz-cut {c} hair"),
    "curly": ("curly {c} hair",),
}
SKIN_TONE_WORDS: tuple[tuple[str, ...], ...] = (  # one entry per SKIN_TONES, lightest first
    ("very light", "very fair"),
    ("light", "fair"),
    ("light-medium",),
    ("medium",),
    ("tan",),
    ("brown",),
    ("dark", "deep"),
)
BUILD_WORDS: dict[str, tuple[str, str]] = {  # build -> (as "... build", as an adjective)
    "slim": ("slim", "slim"),
    "average": ("average", "average-build"),
    "broad": ("broad", "broad-shouldered"),
}
VIEW_PHRASES: dict[str, tuple[str, ...]] = {
    "front": ("seen from the front", "in a front view"),
    "three-quarter": ("seen from a three-quarter angle", "in a three-quarter view"),
    "side": ("seen from the side", "in a side view"),
    "back": ("seen from the back", "in a back view"),
}
POSE_PHRASES: dict[str, tuple[str, ...]] = {
    "standing": ("standing", "standing straight"),
    "hands on hips": ("with hands on hips", "hands on hips"),
    "arms crossed": ("with arms crossed", "arms crossed"),
    "walking": ("walking", "mid-stride"),
    "waving": ("waving", "waving one hand"),
    "arms out": ("with arms out", "arms held out"),
    "hand on chest": ("with a hand on the chest", "one hand on the chest"),
}
# Poses the text corpus draws when it invents a person.
CORPUS_POSES = tuple(POSE_PHRASES)

# Length and size orderings for relative texts ("is shorter"), shortest or smallest first,
# with the comparative for (smaller, larger). Sleeveless is left out: it has no sleeves to compare.
ORDERINGS: dict[tuple[str, str], tuple[tuple[str, ...], str, str]] = {
    ("top", "length"): (("cropped", "regular", "long"), "is shorter", "is longer"),
    ("pants", "length"): (("shorts", "cropped", "full"), "is shorter", "is longer"),
    ("skirt", "length"): (("mini", "knee", "midi", "maxi"), "is shorter", "is longer"),
    ("dress", "length"): (("mini", "knee", "midi", "maxi"), "is shorter", "is longer"),
    ("coat", "length"): (("hip", "thigh", "knee"), "is shorter", "is longer"),
    ("top", "sleeve"): (("short", "three-quarter", "long"), "has shorter sleeves", "has longer sleeves"),
    ("dress", "sleeve"): (("short", "long"), "has shorter sleeves", "has longer sleeves"),
    ("top", "fit"): (("tight", "regular", "loose"), "is tighter", "is looser"),
    ("pants", "fit"): (("skinny", "regular", "wide"), "has narrower legs", "has wider legs"),
    ("coat", "fit"): (("regular", "oversized"), "is more fitted", "is roomier"),
    ("bag", "size"): (("small", "medium", "large"), "is smaller", "is bigger"),
}
# Perceived lightness (0-255) gap above which "darker"/"lighter" is plainly true.
LIGHTNESS_GAP = 60.0


# ---------------------------------------------------------------------------------------------
# Small grammar helpers


def article(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in ("a", "e", "i", "o", "u") else "a ") + phrase


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def join_and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def is_plural(noun: str) -> bool:
    return noun.split()[-1] in _PLURAL_NOUNS


def conjugate(verb: str, plural: bool) -> str:
    return _PLURAL_VERBS.get(verb, verb) if plural else verb


def lightness(colour: str) -> float:
    red, green, blue = COLOURS[colour]
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def shape_words(garment: Garment, attribute: str) -> _ShapeWords:
    return _SHAPE_WORDS[garment.category][attribute][garment.attribute(attribute)]


def product_attributes(category: str) -> tuple[str, ...]:
    return tuple(name for name in SHAPE_ATTRIBUTES[category] if name not in WEARING_ATTRIBUTES)


def logo_word(garment: Garment) -> str:
    return f'"{garment.logo_text}"' if garment.logo_text else ""
