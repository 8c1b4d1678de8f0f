"""Texture signatures tell patterns apart, whatever their colours and angle."""

import numpy as np
import pytest
from scipy import ndimage

from atelier.eval.metrics.colour_difference import rgb_to_lab
from atelier.eval.metrics.texture_signature import signature_agreement, texture_signature

RED, BLUE, WHITE, GREEN = (200, 32, 40), (44, 96, 200), (240, 240, 236), (40, 140, 64)


def _garment(pattern: str, first=RED, second=WHITE, angle=0.0, size=80) -> np.ndarray:
    yy, xx = np.mgrid[:size, :size].astype(float)
    u = xx * np.cos(np.radians(angle)) + yy * np.sin(np.radians(angle))
    v = -xx * np.sin(np.radians(angle)) + yy * np.cos(np.radians(angle))
    if pattern == "solid":
        on = np.zeros((size, size), bool)
    elif pattern == "stripes":
        on = (u // 6) % 2 == 0
    elif pattern == "checks":
        on = ((u // 8) + (v // 8)) % 2 == 0
    else:  # dots
        on = ((u % 12 - 6) ** 2 + (v % 12 - 6) ** 2) < 9
    image = np.where(on[..., None], np.array(second, np.uint8), np.array(first, np.uint8))
    return rgb_to_lab(image.astype(np.uint8))


MASK = np.zeros((80, 80), bool)
MASK[5:75, 5:75] = True


def _agreement(a, b):
    return signature_agreement(texture_signature(a, MASK), texture_signature(b, MASK))


def test_the_same_pattern_agrees_in_other_colours_and_at_other_angles():
    assert _agreement(_garment("solid"), _garment("solid", BLUE)) == pytest.approx(1.0)
    assert _agreement(_garment("stripes"), _garment("stripes", BLUE, GREEN)) > 0.9
    assert _agreement(_garment("stripes", angle=0), _garment("stripes", angle=60)) > 0.7


@pytest.mark.parametrize(("a", "b"), [("solid", "stripes"), ("solid", "dots"), ("stripes", "checks"), ("stripes", "dots")])
def test_different_patterns_agree_less_than_the_same_one(a, b):
    same = min(_agreement(_garment(a), _garment(a, BLUE, GREEN)), _agreement(_garment(b), _garment(b, BLUE, GREEN)))
    assert _agreement(_garment(a), _garment(b)) < same - 0.2


def test_the_outline_is_not_pattern_and_empty_regions_have_no_signature():
    solid = _garment("solid")
    signature = texture_signature(solid, ndimage.binary_erosion(MASK, iterations=1))
    assert signature[0] == pytest.approx(1.0)  # all flat inside
    assert texture_signature(solid, np.zeros((80, 80), bool)) is None
    assert texture_signature(solid, MASK).sum() == pytest.approx(1.0)
