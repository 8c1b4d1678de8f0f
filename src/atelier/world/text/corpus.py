"""Every kind of world text for a list of garments: the corpus a tokenizer is trained on."""

from __future__ import annotations

import random
from collections.abc import Sequence

from atelier.world.garments import Garment
from atelier.world.text.captions import captions
from atelier.world.text.differences import edit_instruction, modification_text
from atelier.world.text.instructions import describe_person, tryon_instruction
from atelier.world.text.words import BUILD_WORDS, CORPUS_POSES, WEARING_ATTRIBUTES
from atelier.world.vocabulary import (
    CATEGORIES,
    COLOURS,
    HAIR_COLOURS,
    HAIR_STYLES,
    LOGO_WORDS,
    PATTERNS,
    SHAPE_ATTRIBUTES,
    SKIN_TONES,
    VIEWS,
)


def _random_person(rng: random.Random) -> dict:
    return {
        "hair_style": rng.choice(HAIR_STYLES),
        "hair_colour": rng.choice(list(HAIR_COLOURS)),
        "skin_tone": rng.randrange(len(SKIN_TONES)),
        "build": rng.choice(list(BUILD_WORDS)),
        "pose": rng.choice(CORPUS_POSES),
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
        if len(values) > 1 and (with_wearing or name not in WEARING_ATTRIBUTES)
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
        tryon_instruction("pose", [], rng, new_pose={"pose": rng.choice(CORPUS_POSES), "view": rng.choice(VIEWS)})
    )
    texts.append(tryon_instruction("m2m", outfit, rng))
    return texts
