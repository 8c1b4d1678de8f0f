"""Colour difference: Lab against scikit-image, agreement anchors, colour transport distance."""

import numpy as np
import pytest
from skimage.color import rgb2lab

from atelier.eval.metrics.colour_difference import (
    DELTA_E_MATCH,
    DELTA_E_MISMATCH,
    colour_agreement,
    colour_transport_distance,
    lab_to_rgb,
    rgb_to_lab,
)


def test_lab_matches_scikit_image_and_round_trips():
    rgb = np.random.default_rng(0).integers(0, 256, size=(200, 3), dtype=np.uint8)
    assert np.allclose(rgb_to_lab(rgb), rgb2lab(rgb[None])[0], atol=1e-8)
    assert np.array_equal(lab_to_rgb(rgb_to_lab(rgb)), rgb)


def test_agreement_is_one_within_a_jnd_zero_beyond_ten_and_linear_between():
    assert colour_agreement(0.0) == 1.0
    assert colour_agreement(DELTA_E_MATCH) == 1.0
    assert colour_agreement(DELTA_E_MISMATCH) == 0.0
    assert colour_agreement(100.0) == 0.0
    middle = (DELTA_E_MATCH + DELTA_E_MISMATCH) / 2
    assert colour_agreement(middle) == pytest.approx(0.5)


def test_transport_distance_ignores_order_and_measures_colour_shift():
    rng = np.random.default_rng(1)
    lab = rng.uniform([20, -40, -40], [80, 40, 40], size=(100, 3))  # within one matching's 128 points
    assert colour_transport_distance(lab, rng.permutation(lab)) == pytest.approx(0.0, abs=1e-9)
    shifted = lab + np.array([0.0, 6.0, 8.0])  # every colour moved by ΔE 10
    assert colour_transport_distance(lab, shifted) == pytest.approx(10.0, rel=1e-6)


def test_transport_distance_sees_a_wrong_share_of_colours():
    red, white = rgb_to_lab(np.array([200, 32, 40], np.uint8)), rgb_to_lab(np.array([240, 240, 236], np.uint8))
    half = np.array([red] * 100 + [white] * 100)
    mostly_red = np.array([red] * 180 + [white] * 20)
    distance = colour_transport_distance(half, mostly_red)
    # 40% of the pixels must change from white to red.
    assert distance == pytest.approx(0.4 * np.linalg.norm(red - white), rel=0.05)
