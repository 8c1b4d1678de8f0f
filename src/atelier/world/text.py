"""The fashion world's text: captions, try-on and edit instructions, modification texts.

Every text is grounded in the garment's attributes: each word it says about colour, pattern or
shape is true of the garment, and the attributes that matter are always said. The wording
varies (templates, synonyms, order) through a `random.Random` passed in, so a text is a pure
function of the seed that drew it.

Pattern geometry follows `atelier.world.textures`: `pattern_scale` sets the pattern period,
`pattern_angle` 0° paints vertical stripes and a gradient or colour block that changes from top
to bottom (those two are painted turned by 90°).

A coat's `closure` is how the coat is worn, not a property of the product, so captions and
modification texts never mention it; try-on and edit instructions do.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from atelier.world.garments import Garment
from atelier.world.vocabulary import (
    CATEGORIES,
    COLOURS,
    HAIR_COLOURS,
    HAIR_STYLES,
    LOGO_WORDS,
    PATTERNS,
    SHAPE_ATTRIBUTES,
    SKIN_TONES,
    TASKS,
    VIEWS,
)

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
_ADJECTIVE_ORDER = ("size", "length", "fit", "sleeve", "neckline", "style")
# How a garment is worn rather than what it is: never in captions or modification texts.
_WEARING_ATTRIBUTES = ("closure",)

_CATEGORY_NOUNS: dict[str, tuple[str, ...]] = {
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

_PATTERN_ADJECTIVES: dict[str, tuple[str, ...]] = {
    "stripes": ("striped",),
    "checks": ("checked", "check"),
    "dots": ("polka-dot", "dotted", "spotted"),
    "floral": ("floral", "flower-print"),
    "logo": ("logo", "logo-print"),
    "gradient": ("gradient", "ombre"),
    "colour-block": ("colour-block", "colour-blocked"),
}
# The pattern named on its own ("change the stripes to dots"); "{m}" takes a modifier.
_PATTERN_NOUNS: dict[str, str] = {
    "stripes": "{m} stripes",
    "checks": "{m} checks",
    "dots": "{m} dots",
    "floral": "a {m} floral print",
    "logo": "a {m} logo",
    "gradient": "a {m} gradient",
    "colour-block": "{m} colour blocks",
}
# Patterns whose size shows, and the word for each scale bin.
_SIZE_WORDS: dict[str, dict[str, str]] = {
    "stripes": {"fine": "fine", "medium": "medium", "bold": "bold"},
    "checks": {"fine": "fine", "medium": "medium", "bold": "bold"},
    "dots": {"fine": "small", "medium": "medium", "bold": "large"},
    "floral": {"fine": "small", "medium": "medium", "bold": "large"},
    "logo": {"fine": "small", "medium": "medium-sized", "bold": "large"},
}
_BIGGER_WORDS = {"stripes": ("bolder", "finer"), "checks": ("bolder", "finer")}  # others: larger/smaller
# Patterns whose angle shows, and how each orientation bin reads for them.
_ORIENTATION_PHRASES: dict[str, dict[str, str]] = {
    "stripes": {"vertical": "vertical", "horizontal": "horizontal", "diagonal": "diagonal"},
    "checks": {"vertical": "straight", "horizontal": "straight", "diagonal": "diagonal"},
    "dots": {"vertical": "in straight rows", "horizontal": "in straight rows", "diagonal": "in diagonal rows"},
    # textures turns these two by 90°: at 0° the colour changes from top to bottom
    "gradient": {"vertical": "from top to bottom", "horizontal": "from side to side", "diagonal": "diagonally"},
    "colour-block": {"vertical": "one above the other", "horizontal": "side by side", "diagonal": "split diagonally"},
}

_HAIR_PHRASES: dict[str, tuple[str, ...]] = {
    "short": ("short {c} hair",),
    "bob": ("{c} hair in a bob", "a {c} bob"),
    "long": ("long {c} hair",),
    "ponytail": ("{c} hair in a ponytail", "a {c} ponytail"),
    "bun": ("{c} hair in a bun", "a {c} bun"),
    "buzz": ("a {c} buzz cut", "buzz-cut {c} hair"),
    "curly": ("curly {c} hair",),
}
_SKIN_TONE_WORDS: tuple[tuple[str, ...], ...] = (  # one entry per SKIN_TONES, lightest first
    ("very light", "very fair"),
    ("light", "fair"),
    ("light-medium",),
    ("medium",),
    ("tan",),
    ("brown",),
    ("dark", "deep"),
)
_BUILD_WORDS: dict[str, tuple[str, str]] = {  # build -> (as "... build", as an adjective)
    "slim": ("slim", "slim"),
    "average": ("average", "average-build"),
    "broad": ("broad", "broad-shouldered"),
}
_VIEW_PHRASES: dict[str, tuple[str, ...]] = {
    "front": ("seen from the front", "in a front view"),
    "three-quarter": ("seen from a three-quarter angle", "in a three-quarter view"),
    "side": ("seen from the side", "in a side view"),
    "back": ("seen from the back", "in a back view"),
}
_POSE_PHRASES: dict[str, tuple[str, ...]] = {
    "standing": ("standing", "standing straight"),
    "hands on hips": ("with hands on hips", "hands on hips"),
    "arms crossed": ("with arms crossed", "arms crossed"),
    "walking": ("walking", "mid-stride"),
    "waving": ("waving", "waving one hand"),
    "arms out": ("with arms out", "arms held out"),
    "hand on chest": ("with a hand on the chest", "one hand on the chest"),
}
# Poses the text corpus draws when it invents a person.
_CORPUS_POSES = tuple(_POSE_PHRASES)

# Length and size orderings for relative texts ("is shorter"), shortest or smallest first,
# with the comparative for (smaller, larger). Sleeveless is left out: it has no sleeves to compare.
_ORDERINGS: dict[tuple[str, str], tuple[tuple[str, ...], str, str]] = {
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
_LIGHTNESS_GAP = 60.0


# ---------------------------------------------------------------------------------------------
# Small grammar helpers


def _article(phrase: str) -> str:
    return ("an " if phrase[:1].lower() in ("a", "e", "i", "o", "u") else "a ") + phrase


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join_and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _is_plural(noun: str) -> bool:
    return noun.split()[-1] in _PLURAL_NOUNS


def _conjugate(verb: str, plural: bool) -> str:
    return _PLURAL_VERBS.get(verb, verb) if plural else verb


def _lightness(colour: str) -> float:
    red, green, blue = COLOURS[colour]
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _shape_words(garment: Garment, attribute: str) -> _ShapeWords:
    return _SHAPE_WORDS[garment.category][attribute][garment.attribute(attribute)]


def _product_attributes(category: str) -> tuple[str, ...]:
    return tuple(name for name in SHAPE_ATTRIBUTES[category] if name not in _WEARING_ATTRIBUTES)


def _logo_word(garment: Garment) -> str:
    return f'"{garment.logo_text}"' if garment.logo_text else ""


# ---------------------------------------------------------------------------------------------
# Nouns and patterns


def _noun(garment: Garment, rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """A noun for the garment chosen from its shape, and the attributes the noun already says."""
    category = garment.category
    if category == "top":
        return _top_noun(garment, rng)
    if category == "pants":
        fit = {"regular": "", "wide": "wide-leg ", "skinny": "skinny "}[garment.attribute("fit")]
        length = garment.attribute("length")
        if length == "shorts":
            return f"{fit}shorts", ("length", "fit")
        cropped = "cropped " if length == "cropped" else ""
        return f"{cropped}{fit}{rng.choice(('trousers', 'pants'))}", ("length", "fit")
    if category in ("skirt", "dress"):
        said: list[str] = []
        words = []
        length = garment.attribute("length")
        if length != "knee" or rng.random() < 0.5:
            words.append(_shape_words(garment, "length").adjectives[0])
            said.append("length")
        if category == "skirt":
            words.append(_shape_words(garment, "fit").adjectives[0])
            said.append("fit")
        return " ".join([*words, category]), tuple(said)
    if category == "coat":
        length = garment.attribute("length")
        if length == "hip":
            return rng.choice(("jacket", "short jacket")), ("length",)
        if length == "knee":
            return rng.choice(("long coat", "knee-length coat")), ("length",)
        return rng.choice((("coat", ()), ("thigh-length coat", ("length",))))
    if category == "shoes":
        return rng.choice(_shape_words(garment, "style").becomes), ("style",)
    if category == "bag":
        noun = {"tote": ("tote bag", "tote"), "crossbody": ("crossbody bag",), "clutch": ("clutch", "clutch bag")}
        return rng.choice(noun[garment.attribute("style")]), ("style",)
    noun = {
        "cap": ("cap", "baseball cap"),
        "beanie": ("beanie",),
        "brimmed": ("brimmed hat",),
        "bucket": ("bucket hat",),
    }
    return rng.choice(noun[garment.attribute("style")]), ("style",)


def _top_noun(garment: Garment, rng: random.Random) -> tuple[str, tuple[str, ...]]:
    sleeve, neckline = garment.attribute("sleeve"), garment.attribute("neckline")
    if neckline == "collar":
        if sleeve == "short":
            noun, said = rng.choice(("polo shirt", "polo")), ["neckline", "sleeve"]
        elif sleeve == "sleeveless":
            noun, said = "sleeveless shirt", ["neckline", "sleeve"]
        else:
            noun, said = rng.choice(("shirt", "collared shirt")), ["neckline"]
    elif neckline == "turtleneck":
        noun, said = rng.choice(("turtleneck", "turtleneck top")), ["neckline"]
        if sleeve == "sleeveless":
            noun, said = f"sleeveless {noun}", [*said, "sleeve"]
    elif sleeve == "sleeveless":
        noun, said = rng.choice(("tank top", "sleeveless top")), ["sleeve"]
    elif sleeve == "short":
        noun, said = rng.choice(("t-shirt", "tee")), ["sleeve"]
    elif sleeve == "long":
        noun, said = rng.choice(("long-sleeve top", "long-sleeved tee")), ["sleeve"]
    else:
        noun, said = "three-quarter-sleeve top", ["sleeve"]
    if garment.attribute("length") == "cropped":
        noun, said = f"cropped {noun}", [*said, "length"]
    return noun, tuple(said)


def _size_word(garment: Garment) -> str:
    return _SIZE_WORDS[garment.pattern][scale_word(garment.pattern_scale)]


def _orientation_phrase(garment: Garment) -> str:
    return _ORIENTATION_PHRASES[garment.pattern][orientation_word(garment.pattern_angle)]


def _pattern_feature(garment: Garment, rng: random.Random) -> str:
    """The pattern with its colour, as an object: "white vertical stripes", 'a white "NOVA" logo'."""
    other = garment.pattern_colour
    pattern = garment.pattern
    if pattern == "stripes":
        return f"{other} {_orientation_phrase(garment)} stripes"
    if pattern == "checks":
        return rng.choice((f"{other} checks", _article(f"{other} check")))
    if pattern == "dots":
        return rng.choice((f"{other} polka dots", f"{other} dots"))
    if pattern == "floral":
        return rng.choice((_article(f"{other} floral print"), f"{other} flowers"))
    if pattern == "logo":
        return _article(" ".join(filter(None, (other, _logo_word(garment), "logo"))))
    if pattern == "gradient":
        return rng.choice((f"a gradient into {other}", f"a gradient fading into {other}"))
    return rng.choice((f"{other} colour blocks", _article(f"{other} colour block")))


def _pattern_name(garment: Garment, modifier: str = "") -> str:
    """The pattern named on its own, optionally with a modifier: "stripes", "a larger logo"."""
    phrase = _PATTERN_NOUNS[garment.pattern].format(m=modifier).replace("  ", " ").strip()
    return _article(phrase[2:]) if phrase.startswith("a ") else phrase


def _colour_clause(garment: Garment, rng: random.Random) -> str:
    """The garment's colours as said after "in": "red with white vertical stripes"."""
    if garment.pattern == "solid":
        return garment.colour
    if garment.pattern == "gradient" and rng.random() < 0.5:
        return f"{garment.colour} fading into {garment.pattern_colour}"
    if garment.pattern == "colour-block" and rng.random() < 0.5:
        return f"{garment.colour} and {garment.pattern_colour} colour blocks"
    return f"{garment.colour} with {_pattern_feature(garment, rng)}"


# ---------------------------------------------------------------------------------------------
# Captions


def caption(garment: Garment, style: str, rng: random.Random) -> str:
    """A caption of the garment in one of `CAPTION_STYLES`.

    Args:
        garment: the garment to describe.
        style: "short" (a few words: "red striped t-shirt"), "professional" (one catalogue
            sentence) or "detailed" (2-3 sentences covering every shape attribute and the
            pattern's colour, scale and orientation).
        rng: source of wording choices.

    Returns:
        The caption; short captions are lower case without a full stop.
    """
    if style == "short":
        return _short_caption(garment, rng)[0]
    if style == "professional":
        return _professional_caption(garment, rng)
    if style == "detailed":
        return _detailed_caption(garment, rng)
    raise ValueError(f"unknown caption style {style!r}; expected one of {CAPTION_STYLES}")


def captions(garment: Garment, rng: random.Random) -> dict[str, str]:
    """The garment's caption in every style of `CAPTION_STYLES`."""
    return {style: caption(garment, style, rng) for style in CAPTION_STYLES}


def _short_caption(garment: Garment, rng: random.Random) -> tuple[str, str]:
    """A short caption and the noun in it (instructions refer back to the noun)."""
    noun, _ = _noun(garment, rng)
    if garment.pattern == "solid":
        return f"{garment.colour} {noun}", noun
    if rng.random() < 0.7:
        return f"{garment.colour} {rng.choice(_PATTERN_ADJECTIVES[garment.pattern])} {noun}", noun
    return f"{garment.colour} {noun} with {_pattern_feature(garment, rng)}", noun


def _adjectives(garment: Garment, already_said: tuple[str, ...], rng: random.Random) -> list[str]:
    """Pre-noun modifiers for the attributes the noun does not say; defaults only sometimes."""
    names = [name for name in _ADJECTIVE_ORDER if name in _product_attributes(garment.category)]
    adjectives = []
    for name in names:
        if name in already_said:
            continue
        is_default = garment.attribute(name) == SHAPE_ATTRIBUTES[garment.category][name][0]
        if is_default and rng.random() < 0.5:
            continue
        adjectives.append(rng.choice(_shape_words(garment, name).adjectives))
    return adjectives


def _professional_caption(garment: Garment, rng: random.Random) -> str:
    noun, already_said = _noun(garment, rng)
    described = " ".join([*_adjectives(garment, already_said, rng), noun])
    plural = _is_plural(noun)
    template = rng.randrange(4)
    if template == 0:
        lead = f"a pair of {described}" if plural else _article(described)
        return _capitalise(f"{lead} in {_colour_clause(garment, rng)}.")
    if template == 1:
        return _capitalise(f"{described} in {_colour_clause(garment, rng)}.")
    if template == 2:
        these = "These" if plural else "This"
        return f"{these} {described} {'come' if plural else 'comes'} in {_colour_clause(garment, rng)}."
    if garment.pattern == "solid":
        return _capitalise(f"{garment.colour} {described}.")
    return _capitalise(f"{garment.colour} {described} with {_pattern_feature(garment, rng)}.")


def _detailed_caption(garment: Garment, rng: random.Random) -> str:
    noun, _ = _noun(garment, rng)
    plural = _is_plural(noun)
    subject = "They" if plural else "It"
    if rng.random() < 0.5:
        lead = f"A pair of {noun}" if plural else _capitalise(_article(noun))
        sentences = [f"{lead} in {garment.colour}."]
    else:
        lead = f"A pair of {garment.colour} {noun}" if plural else _capitalise(_article(f"{garment.colour} {noun}"))
        sentences = [f"{lead}."]
    shape_sentence = _shape_sentence(garment, subject, plural, rng)
    if shape_sentence:
        sentences.append(shape_sentence)
    sentences.append(_pattern_sentence(garment, subject, plural, rng))
    return " ".join(sentences)


def _shape_sentence(garment: Garment, subject: str, plural: bool, rng: random.Random) -> str:
    """Every product attribute but the style (which the noun names), as one sentence."""
    names = [name for name in _product_attributes(garment.category) if name != "style"]
    rng.shuffle(names)
    has_objects, other_phrases = [], []
    for name in names:
        verb, rest = rng.choice(_shape_words(garment, name).clauses)
        if verb == "has":
            has_objects.append(rest)
        else:
            other_phrases.append(f"{_conjugate(verb, plural)} {rest}")
    phrases = ([f"{_conjugate('has', plural)} {_join_and(has_objects)}"] if has_objects else []) + other_phrases
    if not phrases:
        return ""
    separator = ", and " if len(has_objects) > 1 and other_phrases else " and "
    body = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + separator + phrases[-1]
    return f"{subject} {body}."


def _pattern_sentence(garment: Garment, subject: str, plural: bool, rng: random.Random) -> str:
    """The pattern's colour, scale and orientation (or that there is none), as one sentence."""
    has, is_ = _conjugate("has", plural), _conjugate("is", plural)
    obj = "them" if plural else "it"
    colour, other, pattern = garment.colour, garment.pattern_colour, garment.pattern
    size = _size_word(garment) if pattern in _SIZE_WORDS else ""
    way = _orientation_phrase(garment) if pattern in _ORIENTATION_PHRASES else ""
    if pattern == "solid":
        options = (f"{subject} {is_} plain {colour} all over.", f"{subject} {is_} a single solid {colour}.")
    elif pattern == "stripes":
        options = (
            f"{subject} {has} {size} {way} stripes in {other}.",
            f"{_capitalise(size)} {other} stripes run {way}ly across {obj}.",
        )
    elif pattern == "checks":
        options = (
            f"{subject} {is_} covered in {size} {way} {other} checks.",
            f"The checks are {other}, {size} and set {'on the diagonal' if way == 'diagonal' else 'straight'}.",
        )
    elif pattern == "dots":
        options = (
            f"{subject} {is_} covered in {size} {other} polka dots {way}.",
            f"{_capitalise(size)} {other} dots sit {way} all over {obj}.",
        )
    elif pattern == "floral":
        options = (
            f"{subject} {has} {_article(size)} {other} floral print.",
            f"{_capitalise(size)} {other} flowers are printed all over {obj}.",
        )
    elif pattern == "logo":
        reads = f" that reads {_logo_word(garment)}" if garment.logo_text else ""
        options = (f"{subject} {has} {_article(size)} {other} logo{reads} printed on the front.",)
    elif pattern == "gradient":
        options = (
            f"{subject} {_conjugate('shades', plural)} in a gradient between {colour} and {other} {way}.",
            f"A gradient blends {colour} and {other} {way}.",
        )
    else:
        options = (f"{subject} {is_} made of {colour} and {other} colour blocks, {way}.",)
    return rng.choice(options)


# ---------------------------------------------------------------------------------------------
# People and try-on instructions


def describe_person(person: dict, rng: random.Random) -> str:
    """A lower-case description of a person: "a person with long blonde hair and light skin, ...".

    Args:
        person: any of "hair_style" (`HAIR_STYLES`), "hair_colour" (`HAIR_COLOURS`), "skin_tone"
            (index into `SKIN_TONES`, 0 lightest), "build" ("slim", "average", "broad"), "pose"
            (a pose name such as "standing" or "arms crossed") and "view" (`VIEWS`). Missing
            keys are left unsaid.
        rng: source of wording choices.
    """
    with_parts = []
    if "hair_style" in person or "hair_colour" in person:
        with_parts.append(_hair_phrase(person, rng))
    if "skin_tone" in person:
        tone = person["skin_tone"]
        if not isinstance(tone, int) or not 0 <= tone < len(SKIN_TONES):
            raise ValueError(f"skin_tone must be an index into SKIN_TONES (0-{len(SKIN_TONES) - 1}), got {tone!r}")
        with_parts.append(f"{rng.choice(_SKIN_TONE_WORDS[tone])} skin")
    rng.shuffle(with_parts)
    build = person.get("build")
    if build is not None and build not in _BUILD_WORDS:
        raise ValueError(f"unknown build {build!r}; expected one of {tuple(_BUILD_WORDS)}")
    build_as_adjective = build is not None and rng.random() < 0.5
    head = _article(f"{_BUILD_WORDS[build][1]} person") if build_as_adjective else "a person"
    parts = [f"{head} with {_join_and(with_parts)}" if with_parts else head]
    if build is not None and not build_as_adjective:
        parts.append(f"{_BUILD_WORDS[build][0]} build")
    if "pose" in person:
        parts.append(_pose_phrase(person["pose"], rng))
    if "view" in person:
        parts.append(_view_phrase(person["view"], rng))
    return ", ".join(parts)


def _hair_phrase(person: dict, rng: random.Random) -> str:
    style, colour = person.get("hair_style", "short"), person.get("hair_colour", "")
    if style not in HAIR_STYLES:
        raise ValueError(f"unknown hair_style {style!r}; expected one of {HAIR_STYLES}")
    if colour and colour not in HAIR_COLOURS:
        raise ValueError(f"unknown hair_colour {colour!r}; expected one of {tuple(HAIR_COLOURS)}")
    phrase = " ".join(rng.choice(_HAIR_PHRASES[style]).replace("{c}", colour).split())
    return _article(phrase[2:]) if phrase.startswith("a ") else phrase


def _pose_phrase(pose: str, rng: random.Random) -> str:
    if pose in _POSE_PHRASES:
        return rng.choice(_POSE_PHRASES[pose])
    if not pose:
        raise ValueError("pose name must not be empty")
    # An unknown pose is said as named: "-ing" names read as they are, body-part names after "with".
    return pose if pose.split()[0].endswith("ing") else f"with {pose}"


def _view_phrase(view: str, rng: random.Random) -> str:
    if view not in _VIEW_PHRASES:
        raise ValueError(f"unknown view {view!r}; expected one of {VIEWS}")
    return rng.choice(_VIEW_PHRASES[view])


def _check_outfit(garments: Sequence[Garment]) -> None:
    """An outfit holds one garment per category, and never a top together with a dress."""
    categories = [garment.category for garment in garments]
    repeated = sorted({name for name in categories if categories.count(name) > 1})
    if repeated:
        raise ValueError(f"an outfit holds one garment per category; repeated: {repeated}")
    if "top" in categories and "dress" in categories:
        raise ValueError("an outfit never combines a top and a dress")


def _outfit_text(garments: Sequence[Garment], rng: random.Random) -> tuple[str, str]:
    """("the red t-shirt and the navy trousers", layering sentence or "") for an outfit."""
    _check_outfit(garments)
    references = [_short_caption(garment, rng) for garment in garments]
    listed = _join_and([f"the {text}" for text, _ in references])
    nouns = {garment.category: noun for garment, (_, noun) in zip(garments, references, strict=True)}
    return listed, _layering_sentence(garments, nouns, rng)


def _layering_sentence(garments: Sequence[Garment], nouns: dict[str, str], rng: random.Random) -> str:
    """How the coat is worn: open or closed, over the top or dress where there is one."""
    coat = next((garment for garment in garments if garment.category == "coat"), None)
    if coat is None:
        return ""
    coat_noun = nouns["coat"]
    inner = next((nouns[name] for name in ("dress", "top") if name in nouns), None)
    is_open = coat.attribute("closure") == "open"
    if inner is None:
        options = (
            (f"Wear the {coat_noun} open.", f"Leave the {coat_noun} open.")
            if is_open
            else (f"Wear the {coat_noun} closed.", f"Close the {coat_noun}.")
        )
    elif is_open:
        options = (f"Keep the {coat_noun} open, showing the {inner}.", f"Wear the {coat_noun} open over the {inner}.")
    else:
        options = (f"Wear the {coat_noun} closed over the {inner}.", f"Close the {coat_noun} over the {inner}.")
    return rng.choice(options)


def _with_layering(sentence: str, layering: str) -> str:
    return f"{sentence} {layering}" if layering else sentence


def tryon_instruction(
    task: str,
    garments: Sequence[Garment],
    rng: random.Random,
    *,
    person: dict | None = None,
    new_pose: dict | None = None,
) -> str:
    """The instruction for one try-on task of `TASKS` (text edits: `edit_instruction`).

    Args:
        task: "single", "multi", "modelfree", "tryoff", "pose" or "m2m".
        garments: the reference garments: one for single and tryoff (the garment to take
            off), one or more for multi and modelfree, none needed for pose and m2m.
        rng: source of wording choices.
        person: the person to invent, for modelfree (keys as `describe_person`).
        new_pose: {"pose": name, "view": view} to show, for pose.

    Returns:
        One or two sentences.

    Raises:
        ValueError: unknown task, wrong garment count, an outfit repeating a category or
            holding a top and a dress, or a missing `person`/`new_pose`.
    """
    if task == "edit":
        raise ValueError("the edit task's instruction comes from edit_instruction(before, after, rng)")
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {TASKS}")
    if task in ("single", "tryoff") and len(garments) != 1:
        raise ValueError(f"task {task!r} takes exactly one garment, got {len(garments)}")
    if task in ("multi", "modelfree") and not garments:
        raise ValueError(f"task {task!r} needs at least one garment")
    if task == "tryoff":
        return _tryoff_instruction(garments[0], rng)
    if task == "pose":
        return _pose_instruction(new_pose, rng)
    if task == "m2m":
        return _model_to_model_instruction(garments, rng)
    listed, layering = _outfit_text(garments, rng)
    if task == "modelfree":
        if person is None:
            raise ValueError("task 'modelfree' needs the person to generate (person=...)")
        verb = rng.choice(("Generate", "Show", "Create a photo of"))
        return _with_layering(f"{verb} {describe_person(person, rng)}, wearing {listed}.", layering)
    template = rng.choice(
        (
            "Dress the person in {g}.",
            "Put {g} on the person.",
            "Have the person wear {g}.",
            "Try {g} on the person.",
            "Change the person's clothes to {g}." if task == "multi" else "Show the person wearing {g}.",
        )
    )
    return _with_layering(template.format(g=listed), layering)


def _tryoff_instruction(garment: Garment, rng: random.Random) -> str:
    text, noun = _short_caption(garment, rng)
    obj = "them" if _is_plural(noun) else "it"
    template = rng.choice(
        (
            "Take the {g} off the person and show {o} as a product photo.",
            "Remove the {g} from the person and present {o} as a flat product shot.",
            "Show the {g} the person is wearing on its own, as a product photo.",
        )
    )
    return template.format(g=text, o=obj)


def _pose_instruction(new_pose: dict | None, rng: random.Random) -> str:
    if new_pose is None or "pose" not in new_pose or "view" not in new_pose:
        raise ValueError('task \'pose\' needs new_pose={"pose": name, "view": view}')
    pose, view = _pose_phrase(new_pose["pose"], rng), _view_phrase(new_pose["view"], rng)
    template = rng.choice(
        (
            "Show the same person in the same outfit, {p}, {v}.",
            "Keep the person and every garment unchanged, but show them {p}, {v}.",
            "Render this person again in the same clothes, {p}, {v}.",
        )
    )
    return template.format(p=pose, v=view)


def _model_to_model_instruction(garments: Sequence[Garment], rng: random.Random) -> str:
    if garments:
        listed, _ = _outfit_text(garments, rng)
        return rng.choice(
            (
                f"Put the outfit of the second person ({listed}) on the first person.",
                f"Dress the first person in the second person's outfit: {listed}.",
            )
        )
    return rng.choice(
        (
            "Put the outfit of the second person on the first person.",
            "Dress the first person in the second person's outfit.",
            "Move the whole outfit from the second person onto the first person.",
        )
    )


# ---------------------------------------------------------------------------------------------
# Differences: edits and relative captions


@dataclass(frozen=True)
class _Difference:
    """One describable way two garments of a category differ (`attribute` only for "shape")."""

    kind: str  # "colour", "pattern", "pattern_colour", "pattern_scale", "pattern_orientation", "logo_text", "shape"
    attribute: str = ""


def _differences(before: Garment, after: Garment, *, with_wearing: bool) -> list[_Difference]:
    """What differs, most visible first; pattern details only when the pattern stays the same."""
    if before.category != after.category:
        raise ValueError(f"garments differ in category ({before.category} vs {after.category})")
    found = []
    if before.colour != after.colour:
        found.append(_Difference("colour"))
    if before.pattern != after.pattern:
        found.append(_Difference("pattern"))
    elif before.pattern != "solid":
        if before.pattern_colour != after.pattern_colour:
            found.append(_Difference("pattern_colour"))
        if before.pattern in _SIZE_WORDS and scale_word(before.pattern_scale) != scale_word(after.pattern_scale):
            found.append(_Difference("pattern_scale"))
        if before.pattern in _ORIENTATION_PHRASES and _orientation_phrase(before) != _orientation_phrase(after):
            found.append(_Difference("pattern_orientation"))
        if before.pattern == "logo" and before.logo_text != after.logo_text:
            found.append(_Difference("logo_text"))
    for name in SHAPE_ATTRIBUTES[before.category]:
        if name in _WEARING_ATTRIBUTES and not with_wearing:
            continue
        if before.attribute(name) != after.attribute(name):
            found.append(_Difference("shape", name))
    return found


def _bigger(before: Garment, after: Garment) -> str:
    """'bolder'/'finer' or 'larger'/'smaller' for a pattern that changed scale."""
    larger, smaller = _BIGGER_WORDS.get(before.pattern, ("larger", "smaller"))
    return larger if after.pattern_scale > before.pattern_scale else smaller


def edit_instruction(before: Garment, after: Garment, rng: random.Random) -> str:
    """The text-edit instruction that turns `before` into `after` ("Make the top red.").

    Args:
        before: the garment the person wears.
        after: the same garment with one or two attributes changed (colour, pattern,
            pattern colour, scale or orientation, logo word, or a shape attribute).
        rng: source of wording choices.

    Raises:
        ValueError: the garments are of different categories or show no describable difference.
    """
    differences = _differences(before, after, with_wearing=True)
    if not differences:
        raise ValueError("before and after are the same garment: nothing to edit")
    noun = rng.choice(_CATEGORY_NOUNS[before.category])
    pronoun = "them" if _is_plural(noun) else "it"
    named = f"the {noun}"
    phrases: list[str] = []
    for difference in differences:
        # A later phrase says "it" only when the garment was named before (not after "the
        # logo"); the first form of each list reads well with a pronoun.
        if phrases and named in phrases[0]:
            phrases.append(_edit_forms(difference, before, after, pronoun, noun, rng)[0])
        else:
            phrases.append(rng.choice(_edit_forms(difference, before, after, named, noun, rng)))
    return _capitalise(_join_and(phrases)) + "."


def _edit_forms(
    difference: _Difference, before: Garment, after: Garment, ref: str, noun: str, rng: random.Random
) -> list[str]:
    """Ways to ask for one change; `ref` is how the garment is referred to ("the top", "it")."""
    kind = difference.kind
    if kind == "colour":
        return [
            f"make {ref} {after.colour}",
            f"turn {ref} {after.colour}",
            f"change the colour of {ref} to {after.colour}",
        ]
    if kind == "pattern":
        feature = _pattern_feature(after, rng) if after.pattern != "solid" else ""
        if before.pattern == "solid":
            return [f"give {ref} {feature}", f"add {feature} to {ref}"]
        old = _pattern_name(before)
        if after.pattern == "solid":
            return [f"make {ref} plain {after.colour}", f"remove the {old.removeprefix('a ')} from {ref}"]
        return [
            f"change the {old.removeprefix('a ')} on {ref} to {feature}",
            f"replace the {old.removeprefix('a ')} with {feature}",
        ]
    if kind == "shape":
        return _shape_edit_forms(difference.attribute, after, ref, noun)
    name = _pattern_name(before).removeprefix("a ")
    if kind == "pattern_colour":
        if before.pattern == "gradient":
            return [f"make {ref} fade into {after.pattern_colour} instead of {before.pattern_colour}"]
        if before.pattern == "colour-block":
            return [f"change the {before.pattern_colour} block on {ref} to {after.pattern_colour}"]
        return [f"make the {name} on {ref} {after.pattern_colour}", f"make the {name} {after.pattern_colour}"]
    if kind == "pattern_scale":
        return [f"make the {name} on {ref} {_bigger(before, after)}", f"make the {name} {_size_word(after)}"]
    if kind == "pattern_orientation":
        orientation = _orientation_phrase(after)
        if before.pattern == "gradient":
            return [f"make the gradient on {ref} run {orientation}"]
        if before.pattern == "colour-block":
            return [f"arrange the colour blocks on {ref} {orientation}"]
        if before.pattern == "dots":
            return [f"set the dots on {ref} {orientation}"]
        return [f"make the {name} on {ref} {orientation}", f"make the {name} {orientation}"]
    # What is left is a new logo word.
    return [
        f"change the logo on {ref} to {_logo_word(after) or 'a plain logo'}",
        f"make the logo read {_logo_word(after) or 'nothing'}",
    ]


def _shape_edit_forms(attribute: str, after: Garment, ref: str, noun: str) -> list[str]:
    if attribute == "closure":
        if after.attribute("closure") == "open":
            return [f"wear {ref} open", f"open {ref}"]
        return [f"wear {ref} closed", f"close {ref}"]
    words = _shape_words(after, attribute)
    forms = []
    # Only "has"/"is" clauses: they name the value ("mini length"), where "ends well above the
    # knee" would leave an editor guessing.
    for verb, rest in words.clauses:
        if verb == "has":
            forms.append(f"give {ref} {rest}")
        elif verb == "is":
            forms.append(f"make {ref} {rest}")
    for phrase in words.becomes:
        forms.append(f"turn {ref} into {phrase.format(noun=noun)}")
    return forms


def modification_text(reference: Garment, target: Garment, rng: random.Random) -> str:
    """A relative caption for composed retrieval: how `target` differs from `reference`.

    Fashion-IQ style, one to three differences joined with " and ": "is red and has long
    sleeves", "has white dots instead of stripes", "is shorter". Beyond three differences the
    least visible are left unsaid, as a shopper would.

    Raises:
        ValueError: different categories, or the same appearance and shape (how a coat is worn
            is not part of the product, so a closure change alone does not count).
    """
    differences = _differences(reference, target, with_wearing=False)
    if not differences:
        raise ValueError("reference and target look the same: nothing to describe")
    phrases = [rng.choice(_relative_forms(difference, reference, target, rng)) for difference in differences[:3]]
    only_colour = len(differences) == 1 and differences[0].kind == "colour"
    gap = _lightness(target.colour) - _lightness(reference.colour)
    if only_colour and abs(gap) > _LIGHTNESS_GAP and rng.random() < 0.5:
        phrases = [f"is {target.colour} and {'lighter' if gap > 0 else 'darker'}"]
    return " and ".join(phrases)


def _relative_forms(difference: _Difference, reference: Garment, target: Garment, rng: random.Random) -> list[str]:
    kind = difference.kind
    if kind == "colour":
        return [
            f"is {target.colour}",
            f"is {target.colour} instead of {reference.colour}",
            f"comes in {target.colour} rather than {reference.colour}",
        ]
    if kind == "pattern":
        if target.pattern == "solid":
            adjective = _PATTERN_ADJECTIVES[reference.pattern][0]
            return [f"is plain {target.colour}", f"is plain instead of {adjective}"]
        feature = _pattern_feature(target, rng)
        if reference.pattern == "solid":
            return [f"has {feature}", f"has {feature} instead of being plain"]
        return [f"has {feature}", f"has {feature} instead of {_pattern_name(reference)}"]
    if kind == "pattern_colour":
        return [f"has {_pattern_feature(target, rng)}"]
    if kind == "pattern_scale":
        return [
            f"has {_pattern_name(target, _bigger(reference, target))}",
            f"has {_pattern_name(target, _size_word(target))}",
        ]
    if kind == "pattern_orientation":
        orientation = _orientation_phrase(target)
        if target.pattern == "gradient":
            return [f"has a gradient running {orientation}"]
        if target.pattern == "colour-block":
            return [f"has its colour blocks {orientation}"]
        if target.pattern == "dots":
            return [f"has dots {orientation}"]
        return [f"has {orientation} {target.pattern}"]
    if kind == "logo_text":
        return [f"has a {_logo_word(target)} logo".replace("a  logo", "a plain logo")]
    attribute = difference.attribute
    forms = [f"{verb} {rest}" for verb, rest in _shape_words(target, attribute).clauses]
    ordering = _ORDERINGS.get((target.category, attribute))
    if ordering is not None:
        values, smaller, larger = ordering
        old, new = reference.attribute(attribute), target.attribute(attribute)
        if old in values and new in values:
            forms.append(larger if values.index(new) > values.index(old) else smaller)
    return forms


# ---------------------------------------------------------------------------------------------
# Corpus


def _random_person(rng: random.Random) -> dict:
    return {
        "hair_style": rng.choice(HAIR_STYLES),
        "hair_colour": rng.choice(list(HAIR_COLOURS)),
        "skin_tone": rng.randrange(len(SKIN_TONES)),
        "build": rng.choice(list(_BUILD_WORDS)),
        "pose": rng.choice(_CORPUS_POSES),
        "view": rng.choice(VIEWS),
    }


def _random_variant(garment: Garment, rng: random.Random, *, with_wearing: bool) -> Garment:
    """The garment with one attribute changed: colour, pattern, pattern colour or a shape value."""
    changeable = ["colour", "pattern"]
    if garment.pattern != "solid":
        changeable.append("pattern_colour")
    names = [
        name
        for name, values in SHAPE_ATTRIBUTES[garment.category].items()
        if len(values) > 1 and (with_wearing or name not in _WEARING_ATTRIBUTES)
    ]
    changeable += [f"shape:{name}" for name in names]
    choice = rng.choice(changeable)
    if choice == "colour":
        return garment.with_changes(colour=rng.choice([c for c in COLOURS if c != garment.colour]))
    if choice == "pattern":
        pattern = rng.choice([p for p in PATTERNS if p != garment.pattern])
        logo_text = garment.logo_text or rng.choice(LOGO_WORDS)
        return garment.with_changes(pattern=pattern, logo_text=logo_text if pattern == "logo" else garment.logo_text)
    if choice == "pattern_colour":
        return garment.with_changes(pattern_colour=rng.choice([c for c in COLOURS if c != garment.pattern_colour]))
    name = choice.removeprefix("shape:")
    values = [v for v in SHAPE_ATTRIBUTES[garment.category][name] if v != garment.attribute(name)]
    return garment.with_changes(shape={name: rng.choice(values)})


def _an_outfit(garments: Sequence[Garment]) -> list[Garment]:
    """The first garment of each category, with one lower garment and no dress over a top."""
    outfit: dict[str, Garment] = {}
    for garment in garments:
        outfit.setdefault(garment.category, garment)
    if "top" in outfit:
        outfit.pop("dress", None)
    if "pants" in outfit:
        outfit.pop("skirt", None)
    return [outfit[name] for name in CATEGORIES if name in outfit]


def text_corpus_examples(garments: Sequence[Garment], rng: random.Random) -> list[str]:
    """Every kind of text the world writes, for these garments: feeds tokenizer training.

    Per garment: its three captions, a try-off, a single try-on, an edit and a modification
    text. For the set: multi-garment, model-free, pose and model-to-model instructions and
    a person description.
    """
    texts: list[str] = []
    for garment in garments:
        texts.extend(captions(garment, rng).values())
        texts.append(tryon_instruction("tryoff", [garment], rng))
        texts.append(tryon_instruction("single", [garment], rng))
        texts.append(edit_instruction(garment, _random_variant(garment, rng, with_wearing=True), rng))
        texts.append(modification_text(garment, _random_variant(garment, rng, with_wearing=False), rng))
    outfit = _an_outfit(garments)
    person = _random_person(rng)
    texts.append(describe_person(person, rng))
    if outfit:
        texts.append(tryon_instruction("multi", outfit, rng))
        texts.append(tryon_instruction("modelfree", outfit, rng, person=person))
    texts.append(
        tryon_instruction("pose", [], rng, new_pose={"pose": rng.choice(_CORPUS_POSES), "view": rng.choice(VIEWS)})
    )
    texts.append(tryon_instruction("m2m", outfit, rng))
    return texts
