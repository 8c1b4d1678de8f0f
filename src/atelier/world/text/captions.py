"""Garment nouns, pattern phrases and captions in three styles (short, professional, detailed)."""

from __future__ import annotations

import random

from atelier.world.garments import Garment
from atelier.world.text.words import (
    ADJECTIVE_ORDER,
    CAPTION_STYLES,
    ORIENTATION_PHRASES,
    PATTERN_ADJECTIVES,
    PATTERN_NOUNS,
    SIZE_WORDS,
    article,
    capitalise,
    conjugate,
    is_plural,
    join_and,
    logo_word,
    orientation_word,
    product_attributes,
    scale_word,
    shape_words,
)
from atelier.world.vocabulary import SHAPE_ATTRIBUTES


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
            words.append(shape_words(garment, "length").adjectives[0])
            said.append("length")
        if category == "skirt":
            words.append(shape_words(garment, "fit").adjectives[0])
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
        return rng.choice(shape_words(garment, "style").becomes), ("style",)
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


def size_word(garment: Garment) -> str:
    return SIZE_WORDS[garment.pattern][scale_word(garment.pattern_scale)]


def orientation_phrase(garment: Garment) -> str:
    return ORIENTATION_PHRASES[garment.pattern][orientation_word(garment.pattern_angle)]


def pattern_feature(garment: Garment, rng: random.Random) -> str:
    """The pattern with its colour, as an object: "white vertical stripes", 'a white "NOVA" logo'."""
    other = garment.pattern_colour
    pattern = garment.pattern
    if pattern == "stripes":
        return f"{other} {orientation_phrase(garment)} stripes"
    if pattern == "checks":
        return rng.choice((f"{other} checks", article(f"{other} check")))
    if pattern == "dots":
        return rng.choice((f"{other} polka dots", f"{other} dots"))
    if pattern == "floral":
        return rng.choice((article(f"{other} floral print"), f"{other} flowers"))
    if pattern == "logo":
        return article(" ".join(filter(None, (other, logo_word(garment), "logo"))))
    if pattern == "gradient":
        return rng.choice((f"a gradient into {other}", f"a gradient fading into {other}"))
    return rng.choice((f"{other} colour blocks", article(f"{other} colour block")))


def pattern_name(garment: Garment, modifier: str = "") -> str:
    """The pattern named on its own, optionally with a modifier: "stripes", "a larger logo"."""
    phrase = PATTERN_NOUNS[garment.pattern].format(m=modifier).replace("  ", " ").strip()
    return article(phrase[2:]) if phrase.startswith("a ") else phrase


def _colour_clause(garment: Garment, rng: random.Random) -> str:
    """The garment's colours as said after "in": "red with white vertical stripes"."""
    if garment.pattern == "solid":
        return garment.colour
    if garment.pattern == "gradient" and rng.random() < 0.5:
        return f"{garment.colour} fading into {garment.pattern_colour}"
    if garment.pattern == "colour-block" and rng.random() < 0.5:
        return f"{garment.colour} and {garment.pattern_colour} colour blocks"
    return f"{garment.colour} with {pattern_feature(garment, rng)}"


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
        return short_caption(garment, rng)[0]
    if style == "professional":
        return _professional_caption(garment, rng)
    if style == "detailed":
        return _detailed_caption(garment, rng)
    raise ValueError(f"unknown caption style {style!r}; expected one of {CAPTION_STYLES}")


def captions(garment: Garment, rng: random.Random) -> dict[str, str]:
    """The garment's caption in every style of `CAPTION_STYLES`."""
    return {style: caption(garment, style, rng) for style in CAPTION_STYLES}


def short_caption(garment: Garment, rng: random.Random) -> tuple[str, str]:
    """A short caption and the noun in it (instructions refer back to the noun)."""
    noun, _ = _noun(garment, rng)
    if garment.pattern == "solid":
        return f"{garment.colour} {noun}", noun
    if rng.random() < 0.7:
        return f"{garment.colour} {rng.choice(PATTERN_ADJECTIVES[garment.pattern])} {noun}", noun
    return f"{garment.colour} {noun} with {pattern_feature(garment, rng)}", noun


def _adjectives(garment: Garment, already_said: tuple[str, ...], rng: random.Random) -> list[str]:
    """Pre-noun modifiers for the attributes the noun does not say; defaults only sometimes."""
    names = [name for name in ADJECTIVE_ORDER if name in product_attributes(garment.category)]
    adjectives = []
    for name in names:
        if name in already_said:
            continue
        is_default = garment.attribute(name) == SHAPE_ATTRIBUTES[garment.category][name][0]
        if is_default and rng.random() < 0.5:
            continue
        adjectives.append(rng.choice(shape_words(garment, name).adjectives))
    return adjectives


def _professional_caption(garment: Garment, rng: random.Random) -> str:
    noun, already_said = _noun(garment, rng)
    described = " ".join([*_adjectives(garment, already_said, rng), noun])
    plural = is_plural(noun)
    template = rng.randrange(4)
    if template == 0:
        lead = f"a pair of {described}" if plural else article(described)
        return capitalise(f"{lead} in {_colour_clause(garment, rng)}.")
    if template == 1:
        return capitalise(f"{described} in {_colour_clause(garment, rng)}.")
    if template == 2:
        these = "These" if plural else "This"
        return f"{these} {described} {'come' if plural else 'comes'} in {_colour_clause(garment, rng)}."
    if garment.pattern == "solid":
        return capitalise(f"{garment.colour} {described}.")
    return capitalise(f"{garment.colour} {described} with {pattern_feature(garment, rng)}.")


def _detailed_caption(garment: Garment, rng: random.Random) -> str:
    noun, _ = _noun(garment, rng)
    plural = is_plural(noun)
    subject = "They" if plural else "It"
    if rng.random() < 0.5:
        lead = f"A pair of {noun}" if plural else capitalise(article(noun))
        sentences = [f"{lead} in {garment.colour}."]
    else:
        lead = f"A pair of {garment.colour} {noun}" if plural else capitalise(article(f"{garment.colour} {noun}"))
        sentences = [f"{lead}."]
    shape_sentence = _shape_sentence(garment, subject, plural, rng)
    if shape_sentence:
        sentences.append(shape_sentence)
    sentences.append(_pattern_sentence(garment, subject, plural, rng))
    return " ".join(sentences)


def _shape_sentence(garment: Garment, subject: str, plural: bool, rng: random.Random) -> str:
    """Every product attribute but the style (which the noun names), as one sentence."""
    names = [name for name in product_attributes(garment.category) if name != "style"]
    rng.shuffle(names)
    has_objects, other_phrases = [], []
    for name in names:
        verb, rest = rng.choice(shape_words(garment, name).clauses)
        if verb == "has":
            has_objects.append(rest)
        else:
            other_phrases.append(f"{conjugate(verb, plural)} {rest}")
    phrases = ([f"{conjugate('has', plural)} {join_and(has_objects)}"] if has_objects else []) + other_phrases
    if not phrases:
        return ""
    separator = ", and " if len(has_objects) > 1 and other_phrases else " and "
    body = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + separator + phrases[-1]
    return f"{subject} {body}."


def _pattern_sentence(garment: Garment, subject: str, plural: bool, rng: random.Random) -> str:
    """The pattern's colour, scale and orientation (or that there is none), as one sentence."""
    has, is_ = conjugate("has", plural), conjugate("is", plural)
    obj = "them" if plural else "it"
    colour, other, pattern = garment.colour, garment.pattern_colour, garment.pattern
    size = size_word(garment) if pattern in SIZE_WORDS else ""
    way = orientation_phrase(garment) if pattern in ORIENTATION_PHRASES else ""
    if pattern == "solid":
        options = (f"{subject} {is_} plain {colour} all over.", f"{subject} {is_} a single solid {colour}.")
    elif pattern == "stripes":
        options = (
            f"{subject} {has} {size} {way} stripes in {other}.",
            f"{capitalise(size)} {other} stripes run {way}ly across {obj}.",
        )
    elif pattern == "checks":
        options = (
            f"{subject} {is_} covered in {size} {way} {other} checks.",
            f"The checks are {other}, {size} and set {'on the diagonal' if way == 'diagonal' else 'straight'}.",
        )
    elif pattern == "dots":
        options = (
            f"{subject} {is_} covered in {size} {other} polka dots {way}.",
            f"{capitalise(size)} {other} dots sit {way} all over {obj}.",
        )
    elif pattern == "floral":
        options = (
            f"{subject} {has} {article(size)} {other} floral print.",
            f"{capitalise(size)} {other} flowers are printed all over {obj}.",
        )
    elif pattern == "logo":
        reads = f" that reads {logo_word(garment)}" if garment.logo_text else ""
        options = (f"{subject} {has} {article(size)} {other} logo{reads} printed on the front.",)
    elif pattern == "gradient":
        options = (
            f"{subject} {conjugate('shades', plural)} in a gradient between {colour} and {other} {way}.",
            f"A gradient blends {colour} and {other} {way}.",
        )
    else:
        options = (f"{subject} {is_} made of {colour} and {other} colour blocks, {way}.",)
    return rng.choice(options)
