"""People descriptions and try-on instructions for every task, with layering sentences."""

from __future__ import annotations

import random
from collections.abc import Sequence

from atelier.world.garments import Garment
from atelier.world.text.captions import short_caption
from atelier.world.text.words import (
    BUILD_WORDS,
    HAIR_PHRASES,
    POSE_PHRASES,
    SKIN_TONE_WORDS,
    VIEW_PHRASES,
    article,
    is_plural,
    join_and,
)
from atelier.world.vocabulary import HAIR_COLOURS, HAIR_STYLES, SKIN_TONES, TASKS, VIEWS


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
        with_parts.append(f"{rng.choice(SKIN_TONE_WORDS[tone])} skin")
    rng.shuffle(with_parts)
    build = person.get("build")
    if build is not None and build not in BUILD_WORDS:
        raise ValueError(f"unknown build {build!r}; expected one of {tuple(BUILD_WORDS)}")
    build_as_adjective = build is not None and rng.random() < 0.5
    head = article(f"{BUILD_WORDS[build][1]} person") if build_as_adjective else "a person"
    parts = [f"{head} with {join_and(with_parts)}" if with_parts else head]
    if build is not None and not build_as_adjective:
        parts.append(f"{BUILD_WORDS[build][0]} build")
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
    phrase = " ".join(rng.choice(HAIR_PHRASES[style]).replace("{c}", colour).split())
    return article(phrase[2:]) if phrase.startswith("a ") else phrase


def _pose_phrase(pose: str, rng: random.Random) -> str:
    if pose in POSE_PHRASES:
        return rng.choice(POSE_PHRASES[pose])
    if not pose:
        raise ValueError("pose name must not be empty")
    # An unknown pose is said as named: "-ing" names read as they are, body-part names after "with".
    return pose if pose.split()[0].endswith("ing") else f"with {pose}"


def _view_phrase(view: str, rng: random.Random) -> str:
    if view not in VIEW_PHRASES:
        raise ValueError(f"unknown view {view!r}; expected one of {VIEWS}")
    return rng.choice(VIEW_PHRASES[view])


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
    references = [short_caption(garment, rng) for garment in garments]
    listed = join_and([f"the {text}" for text, _ in references])
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
    text, noun = short_caption(garment, rng)
    obj = "them" if is_plural(noun) else "it"
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
