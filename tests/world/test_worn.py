"""Garments seen from behind: a back is whole and plain where the front is open or detailed."""

from __future__ import annotations

import random

import pytest

from atelier.world.body import sample_pose
from atelier.world.flat_layouts import flat_layout
from atelier.world.labels import LABEL_ID
from atelier.world.renderer import render_person
from atelier.world.sampling import sample_garment, sample_identity_for_split
from atelier.world.scenes import sample_scene

SIZE = (256, 192)


def _top_pixels_under_open_coat(view: str, seed: int) -> int:
    rng = random.Random(seed)
    identity, pose, scene = sample_identity_for_split(rng, 0, "train"), sample_pose(rng, "standing"), sample_scene(rng)
    outfit = {
        "top": sample_garment(rng, "top", "train", shape={"neckline": "crew", "length": "regular"}),
        "pants": sample_garment(rng, "pants", "train"),
        "coat": sample_garment(rng, "coat", "train", shape={"closure": "open", "length": "knee"}),
    }
    labels = render_person(identity, pose, view, outfit, scene, SIZE).labels
    return int((labels == LABEL_ID["top"]).sum())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_an_open_coat_shows_the_top_in_front_and_a_whole_back_behind(seed):
    front, back = _top_pixels_under_open_coat("front", seed), _top_pixels_under_open_coat("back", seed)
    assert front > 100
    assert back < 0.05 * front  # a few pixels may peek past the collar, not the front's opening


def test_front_only_seams_and_necklines_are_not_seen_from_behind():
    rng = random.Random(0)
    coat = sample_garment(rng, "coat", "train")
    layout = flat_layout(coat)
    assert len(layout.seams()) == len(layout.seams(from_back=True)) + 3  # two lapels and the opening
    collar_top = sample_garment(rng, "top", "train", shape={"neckline": "collar"})
    assert len(flat_layout(collar_top).seams()) == 2 and flat_layout(collar_top).seams(from_back=True) == []
    v_neck = flat_layout(sample_garment(rng, "top", "train", shape={"neckline": "v-neck"}))
    crew = flat_layout(sample_garment(rng, "top", "train", shape={"neckline": "crew"}))
    deepest = lambda outline: max(v for u, v in outline if 0.4 < u < 0.6)
    assert deepest(v_neck.outline("body")) > deepest(v_neck.outline("body", from_back=True))
    assert deepest(v_neck.outline("body", from_back=True)) == pytest.approx(deepest(crew.outline("body")))
