"""Differences between two garments: text-edit instructions and Fashion-IQ-style modification texts."""

from __future__ import annotations

import random
from dataclasses import dataclass

from atelier.world.garments import Garment
from atelier.world.text.captions import orientation_phrase, pattern_feature, pattern_name, size_word
from atelier.world.text.words import (
    BIGGER_WORDS,
    CATEGORY_NOUNS,
    LIGHTNESS_GAP,
    ORDERINGS,
    ORIENTATION_PHRASES,
    PATTERN_ADJECTIVES,
    SIZE_WORDS,
    WEARING_ATTRIBUTES,
    capitalise,
    is_plural,
    join_and,
    lightness,
    logo_word,
    scale_word,
    shape_words,
)
from atelier.world.vocabulary import SHAPE_ATTRIBUTES


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
        if before.pattern in SIZE_WORDS and scale_word(before.pattern_scale) != scale_word(after.pattern_scale):
            found.append(_Difference("pattern_scale"))
        if before.pattern in ORIENTATION_PHRASES and orientation_phrase(before) != orientation_phrase(after):
            found.append(_Difference("pattern_orientation"))
        if before.pattern == "logo" and before.logo_text != after.logo_text:
            found.append(_Difference("logo_text"))
    for name in SHAPE_ATTRIBUTES[before.category]:
        if name in WEARING_ATTRIBUTES and not with_wearing:
            continue
        if before.attribute(name) != after.attribute(name):
            found.append(_Difference("shape", name))
    return found


def _bigger(before: Garment, after: Garment) -> str:
    """'bolder'/'finer' or 'larger'/'smaller' for a pattern that changed scale."""
    larger, smaller = BIGGER_WORDS.get(before.pattern, ("larger", "smaller"))
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
    noun = rng.choice(CATEGORY_NOUNS[before.category])
    pronoun = "them" if is_plural(noun) else "it"
    named = f"the {noun}"
    phrases: list[str] = []
    for difference in differences:
        # A later phrase says "it" only when the garment was named before (not after "the
        # logo"); the first form of each list reads well with a pronoun.
        if phrases and named in phrases[0]:
            phrases.append(_edit_forms(difference, before, after, pronoun, noun, rng)[0])
        else:
            phrases.append(rng.choice(_edit_forms(difference, before, after, named, noun, rng)))
    return capitalise(join_and(phrases)) + "."


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
        feature = pattern_feature(after, rng) if after.pattern != "solid" else ""
        if before.pattern == "solid":
            return [f"give {ref} {feature}", f"add {feature} to {ref}"]
        old = pattern_name(before)
        if after.pattern == "solid":
            return [f"make {ref} plain {after.colour}", f"remove the {old.removeprefix('a ')} from {ref}"]
        return [
            f"change the {old.removeprefix('a ')} on {ref} to {feature}",
            f"replace the {old.removeprefix('a ')} with {feature}",
        ]
    if kind == "shape":
        return _shape_edit_forms(difference.attribute, after, ref, noun)
    name = pattern_name(before).removeprefix("a ")
    if kind == "pattern_colour":
        if before.pattern == "gradient":
            return [f"make {ref} fade into {after.pattern_colour} instead of {before.pattern_colour}"]
        if before.pattern == "colour-block":
            return [f"change the {before.pattern_colour} block on {ref} to {after.pattern_colour}"]
        return [f"make the {name} on {ref} {after.pattern_colour}", f"make the {name} {after.pattern_colour}"]
    if kind == "pattern_scale":
        return [f"make the {name} on {ref} {_bigger(before, after)}", f"make the {name} {size_word(after)}"]
    if kind == "pattern_orientation":
        orientation = orientation_phrase(after)
        if before.pattern == "gradient":
            return [f"make the gradient on {ref} run {orientation}"]
        if before.pattern == "colour-block":
            return [f"arrange the colour blocks on {ref} {orientation}"]
        if before.pattern == "dots":
            return [f"set the dots on {ref} {orientation}"]
        return [f"make the {name} on {ref} {orientation}", f"make the {name} {orientation}"]
    # What is left is a new logo word.
    return [
        f"change the logo on {ref} to {logo_word(after) or 'a plain logo'}",
        f"make the logo read {logo_word(after) or 'nothing'}",
    ]


def _shape_edit_forms(attribute: str, after: Garment, ref: str, noun: str) -> list[str]:
    if attribute == "closure":
        if after.attribute("closure") == "open":
            return [f"wear {ref} open", f"open {ref}"]
        return [f"wear {ref} closed", f"close {ref}"]
    words = shape_words(after, attribute)
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
    gap = lightness(target.colour) - lightness(reference.colour)
    if only_colour and abs(gap) > LIGHTNESS_GAP and rng.random() < 0.5:
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
            adjective = PATTERN_ADJECTIVES[reference.pattern][0]
            return [f"is plain {target.colour}", f"is plain instead of {adjective}"]
        feature = pattern_feature(target, rng)
        if reference.pattern == "solid":
            return [f"has {feature}", f"has {feature} instead of being plain"]
        return [f"has {feature}", f"has {feature} instead of {pattern_name(reference)}"]
    if kind == "pattern_colour":
        return [f"has {pattern_feature(target, rng)}"]
    if kind == "pattern_scale":
        return [
            f"has {pattern_name(target, _bigger(reference, target))}",
            f"has {pattern_name(target, size_word(target))}",
        ]
    if kind == "pattern_orientation":
        orientation = orientation_phrase(target)
        if target.pattern == "gradient":
            return [f"has a gradient running {orientation}"]
        if target.pattern == "colour-block":
            return [f"has its colour blocks {orientation}"]
        if target.pattern == "dots":
            return [f"has dots {orientation}"]
        return [f"has {orientation} {target.pattern}"]
    if kind == "logo_text":
        return [f"has a {logo_word(target)} logo".replace("a  logo", "a plain logo")]
    attribute = difference.attribute
    forms = [f"{verb} {rest}" for verb, rest in shape_words(target, attribute).clauses]
    ordering = ORDERINGS.get((target.category, attribute))
    if ordering is not None:
        values, smaller, larger = ordering
        old, new = reference.attribute(attribute), target.attribute(attribute)
        if old in values and new in values:
            forms.append(larger if values.index(new) > values.index(old) else smaller)
    return forms
