"""The world's text must be grounded in the garment, varied by the seed and never crash."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from atelier.world.garments import Garment
from atelier.world.text import (
    CAPTION_STYLES,
    caption,
    captions,
    describe_person,
    edit_instruction,
    modification_text,
    orientation_word,
    scale_word,
    text_corpus_examples,
    tryon_instruction,
)
from atelier.world.textures import paint_texture
from atelier.world.vocabulary import CATEGORIES, COLOURS, PATTERNS, SHAPE_ATTRIBUTES, SKIN_TONES, TASKS, VIEWS

SEEDS = range(20)

# Words that give a pattern away; a solid garment's text must say none of them.
PATTERN_WORDS = {
    "stripes": ("stripe",),
    "checks": ("check",),
    "dots": ("dot", "spot"),
    "floral": ("floral", "flower"),
    "logo": ("logo",),
    "gradient": ("gradient", "ombre", "fading"),
    "colour-block": ("colour-block", "colour block"),
}
ALL_PATTERN_WORDS = tuple(word for words in PATTERN_WORDS.values() for word in words)

# What a detailed caption must say for each shape value (any one of these, lower case).
# Written independently of the module's own word tables so the two can catch each other out.
SHAPE_EVIDENCE: dict[tuple[str, str, str], tuple[str, ...]] = {
    **{(c, "sleeve", "short"): ("short sleeve", "short-sleeve") for c in ("top", "dress")},
    **{(c, "sleeve", "long"): ("long sleeve", "long-sleeve") for c in ("top", "dress", "coat")},
    **{(c, "sleeve", "sleeveless"): ("sleeveless", "no sleeves") for c in ("top", "dress")},
    ("top", "sleeve", "three-quarter"): ("three-quarter sleeve",),
    **{(c, "neckline", "crew"): ("crew neck",) for c in ("top", "dress")},
    **{(c, "neckline", "v-neck"): ("v-neck",) for c in ("top", "dress")},
    ("top", "neckline", "collar"): ("collar",),
    ("top", "neckline", "turtleneck"): ("turtleneck",),
    ("dress", "neckline", "square"): ("square neckline",),
    ("top", "fit", "regular"): ("regular fit",),
    ("top", "fit", "loose"): ("loose fit",),
    ("top", "fit", "tight"): ("tight",),
    ("top", "length", "regular"): ("regular length", "ends at the hip"),
    ("top", "length", "cropped"): ("cropped",),
    ("top", "length", "long"): ("longline", "cut long"),
    ("pants", "length", "full"): ("full-length", "reach the ankles"),
    ("pants", "length", "cropped"): ("cropped",),
    ("pants", "length", "shorts"): ("shorts",),
    ("pants", "fit", "regular"): ("regular fit", "straight legs"),
    ("pants", "fit", "wide"): ("wide",),
    ("pants", "fit", "skinny"): ("skinny",),
    **{(c, "length", "knee"): ("knee-length", "to the knee") for c in ("skirt", "dress")},
    **{(c, "length", "mini"): ("mini",) for c in ("skirt", "dress")},
    **{(c, "length", "midi"): ("midi", "mid-calf") for c in ("skirt", "dress")},
    **{(c, "length", "maxi"): ("maxi", "to the ankle") for c in ("skirt", "dress")},
    **{(c, "fit", "a-line"): ("a-line",) for c in ("skirt", "dress")},
    **{(c, "fit", "flared"): ("flared",) for c in ("skirt", "dress")},
    ("skirt", "fit", "pencil"): ("pencil",),
    ("dress", "fit", "bodycon"): ("bodycon", "figure-hugging"),
    ("coat", "length", "hip"): ("hip",),
    ("coat", "length", "thigh"): ("thigh",),
    ("coat", "length", "knee"): ("knee",),
    ("coat", "fit", "regular"): ("regular fit",),
    ("coat", "fit", "oversized"): ("oversized",),
    ("shoes", "style", "sneakers"): ("sneakers", "trainers"),
    ("shoes", "style", "boots"): ("boots",),
    ("shoes", "style", "heels"): ("heels",),
    ("shoes", "style", "loafers"): ("loafers",),
    ("bag", "style", "tote"): ("tote",),
    ("bag", "style", "crossbody"): ("crossbody",),
    ("bag", "style", "clutch"): ("clutch",),
    ("bag", "size", "medium"): ("medium",),
    ("bag", "size", "small"): ("small",),
    ("bag", "size", "large"): ("large",),
    ("hat", "style", "cap"): ("cap",),
    ("hat", "style", "beanie"): ("beanie",),
    ("hat", "style", "brimmed"): ("brimmed",),
    ("hat", "style", "bucket"): ("bucket",),
}

PERSON = {
    "hair_style": "long",
    "hair_colour": "blonde",
    "skin_tone": 1,
    "build": "slim",
    "view": "front",
    "pose": "standing",
}


def striped_top(**changes) -> Garment:
    garment = Garment("top", colour="red", pattern="stripes", pattern_colour="white", pattern_scale=0.8)
    return garment.with_changes(**changes) if changes else garment


def every_garment():
    """Each category x pattern x shape value (other attributes at their defaults)."""
    for category in CATEGORIES:
        for attribute, values in SHAPE_ATTRIBUTES[category].items():
            for value in values:
                for pattern in PATTERNS:
                    yield Garment(
                        category,
                        shape={attribute: value},
                        colour="navy",
                        pattern=pattern,
                        pattern_colour="yellow",
                        pattern_scale=0.5,
                        pattern_angle=30.0,
                        logo_text="KITE" if pattern == "logo" else "",
                    )


def colours_named(text: str) -> set[str]:
    """Palette colours a text names as whole words ("light blue" is not also "blue")."""
    found = set()
    for name in sorted(COLOURS, key=len, reverse=True):
        pattern = rf"\b{re.escape(name)}\b"
        if re.search(pattern, text):
            found.add(name)
            text = re.sub(pattern, " ", text)
    return found


# ---------------------------------------------------------------------------------------------
# Captions


@pytest.mark.parametrize("pattern", [p for p in PATTERNS if p != "solid"])
def test_short_caption_says_colour_and_pattern(pattern):
    garment = Garment("top", colour="green", pattern=pattern, pattern_colour="white", logo_text="ECHO")
    for seed in SEEDS:
        text = caption(garment, "short", random.Random(seed))
        assert "green" in text
        assert any(word in text for word in PATTERN_WORDS[pattern]), text


@pytest.mark.parametrize("category", CATEGORIES)
def test_solid_garment_text_never_mentions_a_pattern(category):
    garment = Garment(category, colour="burgundy", pattern="solid", pattern_colour="teal")
    for seed in SEEDS:
        for text in captions(garment, random.Random(seed)).values():
            lowered = text.lower()
            assert not any(word in lowered for word in ALL_PATTERN_WORDS), text
            assert colours_named(lowered) == {"burgundy"}, text


def test_captions_name_only_the_garments_own_colours():
    rng = random.Random(0)
    for garment in every_garment():
        own = {garment.colour} | ({garment.pattern_colour} if garment.pattern != "solid" else set())
        for text in captions(garment, rng).values():
            assert colours_named(text.lower()) <= own, text
            assert garment.colour in text.lower()


@pytest.mark.parametrize(
    ("garment", "must_say"),
    [
        (striped_top(pattern_scale=0.9, pattern_angle=0.0), ("bold", "vertical", "stripes", "white")),
        (striped_top(pattern_scale=0.1, pattern_angle=90.0), ("fine", "horizontal", "stripes", "white")),
        (striped_top(pattern="checks", pattern_scale=0.5, pattern_angle=45.0), ("medium", "diagonal", "check")),
        (striped_top(pattern="dots", pattern_scale=0.1, pattern_angle=45.0), ("small", "dot", "diagonal rows")),
        (striped_top(pattern="floral", pattern_scale=0.9), ("large", ("floral print", "flowers"))),
        (striped_top(pattern="logo", logo_text="ORBIT", pattern_scale=0.9), ('"ORBIT"', "logo", "large")),
        (striped_top(pattern="gradient", pattern_angle=90.0), ("gradient", "from side to side", "red", "white")),
        (striped_top(pattern="colour-block", pattern_angle=0.0), ("colour blocks", "one above the other", "white")),
    ],
    ids=lambda value: value.pattern if isinstance(value, Garment) else None,
)
def test_detailed_caption_describes_the_pattern(garment, must_say):
    for seed in SEEDS:
        text = caption(garment, "detailed", random.Random(seed)).lower()
        for words in must_say:
            alternatives = (words,) if isinstance(words, str) else words
            assert any(word.lower() in text for word in alternatives), (words, text)


def test_detailed_caption_is_two_or_three_sentences():
    rng = random.Random(3)
    for garment in every_garment():
        text = caption(garment, "detailed", rng)
        assert 2 <= text.count(". ") + 1 <= 3, text
        assert text.endswith(".")


@pytest.mark.parametrize(("category", "attribute", "value"), sorted(SHAPE_EVIDENCE))
def test_detailed_caption_says_every_shape_attribute(category, attribute, value):
    # Every other attribute at a non-default value too, so each must be said at once.
    shape = {name: values[-1] for name, values in SHAPE_ATTRIBUTES[category].items()}
    shape[attribute] = value
    garment = Garment(category, shape=shape, colour="black")
    for seed in SEEDS:
        text = caption(garment, "detailed", random.Random(seed)).lower()
        for name, said in shape.items():
            if name == "closure":
                continue
            assert any(word in text for word in SHAPE_EVIDENCE[(category, name, said)]), (name, said, text)


@pytest.mark.parametrize(
    ("shape", "category", "expected", "never"),
    [
        ({"sleeve": "sleeveless"}, "top", ("tank top", "sleeveless top"), ("t-shirt", "polo")),
        ({"sleeve": "short", "neckline": "collar"}, "top", ("polo",), ("tank",)),
        ({"sleeve": "long", "neckline": "collar"}, "top", ("shirt",), ("polo", "tank")),
        ({"sleeve": "long"}, "top", ("long-sleeve",), ("t-shirt", "tank")),
        ({"sleeve": "short"}, "top", ("t-shirt", "tee"), ("tank", "long")),
        ({"length": "cropped"}, "top", ("cropped",), ()),
        ({"length": "shorts"}, "pants", ("shorts",), ("trousers", "pants")),
        ({"fit": "wide"}, "pants", ("wide-leg",), ("shorts", "skinny")),
        ({"length": "mini"}, "skirt", ("mini",), ("maxi", "midi")),
        ({"length": "maxi"}, "dress", ("maxi dress",), ("mini", "midi")),
        ({"length": "hip"}, "coat", ("jacket",), ()),
        ({"style": "boots"}, "shoes", ("boots",), ("sneakers",)),
        ({"style": "sneakers"}, "shoes", ("sneakers", "trainers"), ("boots",)),
        ({"style": "clutch"}, "bag", ("clutch",), ("tote",)),
        ({"style": "bucket"}, "hat", ("bucket hat",), ("beanie",)),
    ],
)
def test_short_caption_picks_the_noun_from_the_shape(shape, category, expected, never):
    garment = Garment(category, shape=shape, colour="grey")
    for seed in SEEDS:
        text = caption(garment, "short", random.Random(seed))
        assert any(word in text for word in expected), text
        assert not any(word in text for word in never), text
        assert len(text.split()) <= 8


def test_captions_never_say_how_a_coat_is_worn():
    for closure in ("open", "closed"):
        garment = Garment("coat", shape={"closure": closure}, colour="camel")
        for seed in SEEDS:
            for text in captions(garment, random.Random(seed)).values():
                assert not re.search(r"\b(open|closed|close)\b", text.lower()), text


def test_captions_are_a_pure_function_of_the_seed():
    garment = striped_top(shape={"fit": "loose"})
    assert captions(garment, random.Random(7)) == captions(garment, random.Random(7))
    assert len({caption(garment, "detailed", random.Random(seed)) for seed in SEEDS}) > 1


def test_professional_captions_vary_over_seeds():
    garment = striped_top()
    texts = {caption(garment, "professional", random.Random(seed)) for seed in range(50)}
    assert len(texts) >= 3
    assert len({text.split()[0] for text in texts}) >= 2  # sentence shapes vary, not only words


def test_unknown_caption_style_is_refused():
    with pytest.raises(ValueError, match="caption style"):
        caption(striped_top(), "poetic", random.Random(0))
    assert tuple(captions(striped_top(), random.Random(0))) == CAPTION_STYLES


# ---------------------------------------------------------------------------------------------
# Pattern words agree with the painted texture


def test_scale_and_orientation_bins():
    assert [scale_word(s) for s in (0.05, 0.3, 0.4, 0.6, 0.7, 1.0)] == [
        "fine",
        "fine",
        "medium",
        "medium",
        "bold",
        "bold",
    ]
    angles = (0.0, 10.0, 180.0, -170.0, 90.0, -90.0, 100.0, 45.0, 135.0, -45.0)
    assert [orientation_word(a) for a in angles] == ["vertical"] * 4 + ["horizontal"] * 3 + ["diagonal"] * 3


@pytest.mark.parametrize(("angle", "varies_along"), [(0.0, "columns"), (90.0, "rows")])
def test_stripes_said_vertical_are_painted_vertical(angle, varies_along):
    garment = striped_top(pattern_angle=angle, pattern_scale=0.9)
    pixels = np.asarray(paint_texture(garment, size=64)).astype(int)
    # Vertical stripes: every column is one colour and the colour changes from column to column.
    column_spread = np.abs(np.diff(pixels, axis=0)).sum()
    row_spread = np.abs(np.diff(pixels, axis=1)).sum()
    said = orientation_word(angle)
    if varies_along == "columns":
        assert column_spread == 0 < row_spread and said == "vertical"
    else:
        assert row_spread == 0 < column_spread and said == "horizontal"


def test_gradient_said_top_to_bottom_is_painted_top_to_bottom():
    garment = striped_top(pattern="gradient", pattern_angle=0.0)
    pixels = np.asarray(paint_texture(garment, size=64)).astype(int)
    assert np.abs(np.diff(pixels, axis=1)).sum() == 0 < np.abs(np.diff(pixels, axis=0)).sum()
    assert "from top to bottom" in caption(garment, "detailed", random.Random(0))


# ---------------------------------------------------------------------------------------------
# People and try-on instructions


def test_describe_person_says_every_given_attribute():
    for seed in SEEDS:
        text = describe_person(PERSON, random.Random(seed))
        assert text.startswith("a ")
        for words in ("long blonde hair", "slim", "standing", "front"):
            assert words in text, text
        assert "light skin" in text or "fair skin" in text, text
    assert describe_person({}, random.Random(0)) == "a person"


def test_describe_person_covers_every_skin_tone_and_refuses_bad_values():
    tones = {describe_person({"skin_tone": index}, random.Random(0)) for index in range(len(SKIN_TONES))}
    assert len(tones) == len(SKIN_TONES)
    for bad in ({"skin_tone": len(SKIN_TONES)}, {"view": "above"}, {"build": "tall"}, {"hair_colour": "green"}):
        with pytest.raises(ValueError):
            describe_person(bad, random.Random(0))


def instruction(task, garments=(), seed=0, **kwargs):
    return tryon_instruction(task, list(garments), random.Random(seed), **kwargs)


@pytest.mark.parametrize("task", [task for task in TASKS if task != "edit"])
def test_every_task_has_an_instruction(task):
    garments = {"single": [striped_top()], "tryoff": [striped_top()], "m2m": []}.get(
        task, [striped_top(), Garment("pants", colour="navy")]
    )
    for seed in SEEDS:
        text = instruction(task, garments, seed, person=PERSON, new_pose={"pose": "arms crossed", "view": "side"})
        assert text.strip() and text[0].isupper() and text.endswith("."), text
        if task in ("single", "multi", "modelfree", "tryoff"):
            assert "red" in text and "stripe" in text
        if task == "multi":
            assert "navy" in text
        if task == "modelfree":
            assert "blonde" in text
        if task == "pose":
            assert "arms crossed" in text and "side" in text


def test_edit_task_points_to_edit_instruction():
    with pytest.raises(ValueError, match="edit_instruction"):
        instruction("edit", [striped_top()])
    with pytest.raises(ValueError, match="unknown task"):
        instruction("dance", [striped_top()])


@pytest.mark.parametrize(
    ("closure", "inner", "expected"),
    [
        ("open", "top", r"(keep the .+ open, showing the|wear the .+ open over the)"),
        ("closed", "top", r"(wear the .+ closed over the|close the .+ over the)"),
        ("open", "dress", r"(keep the .+ open, showing the|wear the .+ open over the) .*dress"),
        ("open", None, r"(wear|leave) the .+ open\."),
        ("closed", None, r"(wear the .+ closed|close the .+)\."),
    ],
)
def test_layering_says_how_the_coat_is_worn(closure, inner, expected):
    coat = Garment("coat", shape={"closure": closure}, colour="camel")
    garments = [coat] if inner is None else [Garment(inner, colour="white"), coat]
    task = "single" if inner is None else "multi"
    for seed in SEEDS:
        assert re.search(expected, instruction(task, garments, seed).lower()), instruction(task, garments, seed)


def test_no_layering_sentence_without_a_coat():
    for seed in SEEDS:
        text = instruction("multi", [striped_top(), Garment("skirt", colour="black")], seed)
        assert text.count(".") == 1 and "open" not in text and "closed" not in text


def test_outfits_that_the_world_never_makes_are_refused():
    top, dress = striped_top(), Garment("dress", colour="blue")
    with pytest.raises(ValueError, match="top and a dress"):
        instruction("multi", [top, dress])
    with pytest.raises(ValueError, match="top and a dress"):
        instruction("modelfree", [dress, top], person=PERSON)
    with pytest.raises(ValueError, match="one garment per category"):
        instruction("multi", [top, striped_top(colour="blue")])
    with pytest.raises(ValueError, match="exactly one"):
        instruction("single", [top, Garment("pants")])
    with pytest.raises(ValueError, match="person"):
        instruction("modelfree", [top])
    with pytest.raises(ValueError, match="new_pose"):
        instruction("pose", [])


def test_tryoff_refers_to_plural_garments_as_them():
    for seed in SEEDS:
        text = instruction("tryoff", [Garment("pants", colour="olive")], seed)
        assert "olive" in text and " it " not in text


# ---------------------------------------------------------------------------------------------
# Edits and modification texts


@pytest.mark.parametrize(
    ("before", "after", "evidence"),
    [
        (striped_top(), striped_top(colour="navy"), ("navy",)),
        (striped_top(), striped_top(pattern="dots"), ("dots",)),
        (striped_top(), striped_top(pattern="solid"), ("plain", "remove the stripes")),
        (striped_top(), striped_top(pattern_colour="yellow"), ("yellow",)),
        (striped_top(), striped_top(pattern_angle=90.0), ("horizontal",)),
        (Garment("dress"), Garment("dress", shape={"sleeve": "long"}), ("long sleeves",)),
        (Garment("skirt"), Garment("skirt", shape={"length": "mini"}), ("mini",)),
        (Garment("pants"), Garment("pants", shape={"length": "shorts"}), ("shorts",)),
        (Garment("shoes"), Garment("shoes", shape={"style": "boots"}), ("boots",)),
        (Garment("coat"), Garment("coat", shape={"closure": "open"}), ("open",)),
        (
            Garment("top", pattern="logo", logo_text="NOVA"),
            Garment("top", pattern="logo", logo_text="ECHO"),
            ('"ECHO"',),
        ),
    ],
)
def test_edit_instruction_says_the_new_value(before, after, evidence):
    for seed in SEEDS:
        text = edit_instruction(before, after, random.Random(seed))
        assert any(words in text.lower() for words in (e.lower() for e in evidence)), text
        assert text[0].isupper() and text.endswith(".")


def test_edit_instruction_with_two_changes_says_both():
    before = Garment("dress", colour="black")
    after = before.with_changes(colour="pink", shape={"length": "maxi"})
    for seed in SEEDS:
        text = edit_instruction(before, after, random.Random(seed)).lower()
        assert "pink" in text and ("maxi" in text or "ankle" in text), text


def test_edit_instruction_says_it_only_after_naming_the_garment():
    before = striped_top()
    after = before.with_changes(pattern_colour="yellow", shape={"sleeve": "long"})
    for seed in SEEDS:
        text = edit_instruction(before, after, random.Random(seed))
        assert " it " not in text or text.index("the top") < text.index(" it "), text


def test_edit_instruction_refuses_no_change_or_another_category():
    garment = striped_top()
    with pytest.raises(ValueError, match="same garment"):
        edit_instruction(garment, garment.with_changes(garment_id="other"), random.Random(0))
    with pytest.raises(ValueError, match="category"):
        edit_instruction(garment, Garment("dress", colour="red"), random.Random(0))


@pytest.mark.parametrize(
    ("reference", "target", "evidence", "never"),
    [
        (striped_top(), striped_top(colour="navy"), ("navy", "darker"), ()),
        (striped_top(), striped_top(pattern="dots"), ("dots",), ()),
        (
            Garment("skirt"),
            Garment("skirt", shape={"length": "mini"}),
            ("mini", "shorter", "above the knee"),
            ("longer",),
        ),
        (Garment("coat"), Garment("coat", shape={"length": "knee"}), ("knee", "longer"), ("shorter",)),
        (Garment("top"), Garment("top", shape={"sleeve": "long"}), ("long sleeves", "longer sleeves"), ("shorter",)),
        (Garment("bag"), Garment("bag", shape={"size": "small"}), ("small", "smaller"), ("bigger",)),
    ],
)
def test_modification_text_says_the_difference(reference, target, evidence, never):
    for seed in SEEDS:
        text = modification_text(reference, target, random.Random(seed))
        assert any(words in text for words in evidence), text
        assert not any(words in text for words in never), text


def test_modification_text_joins_at_most_three_differences():
    reference = Garment("top", colour="white")
    target = Garment(
        "top",
        shape={"sleeve": "long", "neckline": "v-neck", "fit": "loose", "length": "cropped"},
        colour="black",
        pattern="checks",
        pattern_colour="red",
    )
    for seed in SEEDS:
        text = modification_text(reference, target, random.Random(seed))
        assert 1 <= text.count(" and ") + 1 <= 3, text
        assert text.startswith(("is black", "comes in black")), text


def test_modification_text_refuses_the_same_look():
    coat = Garment("coat", colour="camel")
    with pytest.raises(ValueError, match="look the same"):
        modification_text(coat, coat.with_changes(shape={"closure": "open"}), random.Random(0))
    with pytest.raises(ValueError, match="category"):
        modification_text(coat, Garment("dress", colour="camel"), random.Random(0))


# ---------------------------------------------------------------------------------------------
# Everything at once


def test_every_category_pattern_and_shape_value_yields_clean_text():
    rng = random.Random(11)
    for garment in every_garment():
        texts = list(captions(garment, rng).values())
        texts.append(tryon_instruction("single", [garment], rng))
        texts.append(tryon_instruction("tryoff", [garment], rng))
        other = garment.with_changes(colour="white", pattern="solid" if garment.pattern != "solid" else "dots")
        texts.append(edit_instruction(garment, other, rng))
        texts.append(modification_text(garment, other, rng))
        texts.append(modification_text(other, garment, rng))
        for text in texts:
            assert text and "{" not in text and "  " not in text and " ," not in text, text


def test_text_corpus_covers_every_kind_of_text_and_is_seeded():
    garments = [striped_top(), Garment("pants", colour="navy"), Garment("coat", colour="camel"), Garment("dress")]
    corpus = text_corpus_examples(garments, random.Random(5))
    assert corpus == text_corpus_examples(garments, random.Random(5))
    assert all(isinstance(text, str) and text for text in corpus)
    # 7 texts per garment, then a person, multi, model-free, pose and model-to-model.
    assert len(corpus) == 7 * len(garments) + 5
    joined = " ".join(corpus)
    assert "Generate" in joined or "Show a" in joined or "Create a photo" in joined
    assert any(view in joined for view in VIEWS)
