"""The placement baselines' geometry: thin-plate splines, silhouettes, pasting, edit instructions."""

import numpy as np
import pytest

from atelier.eval.bench.garment_placement import (
    GarmentPiece,
    estimate_product_mask,
    paste_piece,
    warp_piece,
)
from atelier.eval.bench.placement_baselines import read_edit_instruction
from atelier.eval.bench.thin_plate_spline import ThinPlateSpline, silhouette_landmarks


def test_spline_interpolates_its_control_points_and_reproduces_affine_maps():
    rng = np.random.default_rng(0)
    source = rng.uniform(0, 100, size=(12, 2))
    destination = source + rng.normal(0, 5, size=(12, 2))
    spline = ThinPlateSpline(source, destination, smoothing=0.0)
    assert np.allclose(spline(source), destination, atol=1e-6)
    affine = np.array([[1.2, 0.3], [-0.2, 0.9]])
    exact = ThinPlateSpline(source, source @ affine.T + [4, -7], smoothing=0.0)
    points = rng.uniform(0, 100, size=(50, 2))
    assert np.allclose(exact(points), points @ affine.T + [4, -7], atol=1e-6)


def test_silhouette_landmarks_follow_the_edges():
    mask = np.zeros((40, 30), bool)
    mask[10:30, 5:25] = True
    points = silhouette_landmarks(mask, rows=3)
    assert points.shape == (9, 2)
    assert points[:, 0].min() == 5 and points[:, 0].max() == 24
    assert points[:, 1].min() == 10 and points[:, 1].max() == 29
    assert silhouette_landmarks(np.zeros((5, 5), bool)) is None


def _striped_piece():
    image = np.full((60, 40, 3), 246, np.uint8)
    mask = np.zeros((60, 40), bool)
    mask[10:50, 8:32] = True
    image[mask] = (200, 30, 40)
    image[10:50:4, 8:32] = (30, 60, 220)
    return GarmentPiece(image, mask, "top")


def test_paste_fills_the_region_box_with_the_garment_and_keeps_the_rest():
    canvas = np.zeros((50, 50, 3), np.uint8)
    region = np.zeros((50, 50), bool)
    region[5:25, 10:30] = True
    paste_piece(canvas, _striped_piece(), region)
    assert (canvas[5:25, 10:30].reshape(-1, 3) != 0).any(axis=1).all()
    assert (canvas[30:] == 0).all() and (canvas[:, :10] == 0).all()


@pytest.mark.parametrize("fit", ["affine", "tps"])
def test_warp_paints_exactly_the_region_with_garment_colours(fit):
    canvas = np.zeros((50, 50, 3), np.uint8)
    region = np.zeros((50, 50), bool)
    yy, xx = np.mgrid[:50, :50]
    region[(yy - 25) ** 2 / 400 + (xx - 25) ** 2 / 150 <= 1] = True  # an ellipse
    warp_piece(canvas, _striped_piece(), region, fit)
    painted = (canvas != 0).any(axis=2)
    assert np.array_equal(painted, region)
    colours = {tuple(c) for c in canvas[region]}
    # Bilinear sampling blends the two garment colours, never the product backdrop.
    assert all(c[1] < 200 for c in colours)


def test_product_mask_finds_a_white_garment_inside_its_outline():
    image = np.full((40, 30, 3), 246, np.uint8)
    image[10:30, 8:22] = (240, 240, 236)  # nearly the backdrop's colour
    image[10, 8:22] = image[29, 8:22] = image[10:30, 8] = image[10:30, 21] = (160, 160, 150)
    mask = estimate_product_mask(image)
    assert mask[10:30, 8:22].all() and not mask[:10].any()


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("Make the top red.", ("top", "red")),
        ("Change the beige block on the skirt to pink.", ("skirt", "pink")),
        ("Turn the trousers light blue.", ("pants", "light blue")),
        ("Give the top a crew neck.", ("top", None)),
        ("Make the dots pink.", (None, "pink")),
    ],
)
def test_edit_instructions_are_read_for_category_and_colour(instruction, expected):
    assert read_edit_instruction(instruction) == expected
