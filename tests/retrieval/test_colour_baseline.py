"""The colour baseline's shared space: palette histograms of images, colour words of texts."""

from __future__ import annotations

import numpy as np

from atelier.retrieval.colour_baseline import (
    COLOUR_NAMES,
    ColourBaseline,
    colour_histograms,
    colour_word_vectors,
)
from atelier.world.renderer import PRODUCT_BACKGROUND
from atelier.world.vocabulary import COLOURS


def flat_image(colour: str, share: float = 0.5) -> np.ndarray:
    """Backdrop with a block of one palette colour covering `share` of the rows."""
    image = np.empty((64, 48, 3), np.uint8)
    image[:] = PRODUCT_BACKGROUND
    image[: int(64 * share)] = COLOURS[colour]
    return image


def test_histogram_counts_garment_pixels_only():
    histogram = colour_histograms(flat_image("red")[None])[0]
    assert COLOUR_NAMES[histogram.argmax()] == "red"
    np.testing.assert_allclose(histogram[COLOUR_NAMES.index("red")], 1.0)  # the backdrop is not white
    two = flat_image("navy")
    two[40:] = COLOURS["yellow"]
    histogram = colour_histograms(two[None])[0]
    assert set(np.flatnonzero(histogram).tolist()) == {COLOUR_NAMES.index("navy"), COLOUR_NAMES.index("yellow")}


def test_colour_words_read_longest_names_first():
    vectors = colour_word_vectors(["light blue shirt", "blue and red dress", "a plain dress"])
    assert np.flatnonzero(vectors[0]).tolist() == [COLOUR_NAMES.index("light blue")]
    assert set(np.flatnonzero(vectors[1]).tolist()) == {COLOUR_NAMES.index("blue"), COLOUR_NAMES.index("red")}
    assert not vectors[2].any()


def test_text_search_finds_the_named_colour_and_composed_moves_towards_it():
    images = np.stack([flat_image(colour) for colour in ("red", "blue", "green")])
    baseline = ColourBaseline(images, [{}] * 3)
    scores = colour_word_vectors(["a green top"]) @ baseline.embed_images(images).T
    assert scores.argmax() == 2
    composed = baseline.embed_composed(images[:1], ["is blue"]) @ baseline.embed_images(images).T
    assert composed[0, 1] > composed[0, 2]


def test_nearest_neighbour_captions_come_from_the_closest_training_garment():
    garment = {
        "category": "dress", "shape": {"sleeve": "short", "neckline": "crew", "length": "knee", "fit": "a-line"},
        "colour": "green", "pattern": "solid", "pattern_colour": "white", "pattern_scale": 0.5,
        "pattern_angle": 0.0, "logo_text": "", "garment_id": "g1",
    }
    other = {**garment, "colour": "red", "garment_id": "g2"}
    baseline = ColourBaseline(np.stack([flat_image("green"), flat_image("red")]), [garment, other])
    (caption,) = baseline.caption(flat_image("red", 0.3)[None], "short")
    assert "red" in caption and "dress" in caption
