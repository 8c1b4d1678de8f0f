import numpy as np
import pytest

from atelier.data import label_sets
from atelier.world.labels import LABEL_ID, LABELS, NUM_LABELS

SHARED_WITH_BOTH = ("background", "hair", "face", "left_arm", "right_arm", "left_leg", "right_leg",
                    "top", "pants", "skirt", "dress", "shoes", "hat")  # fmt: skip


def test_tables_cover_every_id_of_their_sets():
    assert label_sets.VITONHD_TO_INTERNAL.shape == (20,)
    assert label_sets.DRESSCODE_TO_INTERNAL.shape == (18,)
    assert label_sets.INTERNAL_TO_VITONHD.shape == (NUM_LABELS,)
    assert label_sets.INTERNAL_TO_DRESSCODE.shape == (NUM_LABELS,)
    assert label_sets.VITONHD_TO_INTERNAL.max() < NUM_LABELS
    assert label_sets.INTERNAL_TO_VITONHD.max() < 20
    assert label_sets.INTERNAL_TO_DRESSCODE.max() < 18


@pytest.mark.parametrize("name", SHARED_WITH_BOTH)
def test_classes_both_sets_have_survive_the_round_trip(name):
    labels = np.full((2, 3), LABEL_ID[name], dtype=np.uint8)
    via_vitonhd = label_sets.vitonhd_to_internal(label_sets.internal_to_vitonhd(labels))
    via_dresscode = label_sets.dresscode_to_internal(label_sets.internal_to_dresscode(labels))
    np.testing.assert_array_equal(via_vitonhd, labels)
    np.testing.assert_array_equal(via_dresscode, labels)


def test_documented_lossy_choices():
    internal = np.array([[LABEL_ID[name] for name in LABELS]], dtype=np.uint8)
    via_vitonhd = dict(
        zip(
            LABELS,
            label_sets.vitonhd_to_internal(label_sets.internal_to_vitonhd(internal))[0],
            strict=True,
        )
    )
    via_dresscode = dict(
        zip(
            LABELS,
            label_sets.dresscode_to_internal(label_sets.internal_to_dresscode(internal))[0],
            strict=True,
        )
    )
    assert via_vitonhd["bag"] == LABEL_ID["background"]
    assert via_vitonhd["torso"] == LABEL_ID["neck"]
    assert via_vitonhd["coat"] == LABEL_ID["coat"]
    assert via_dresscode["coat"] == LABEL_ID["top"]
    assert via_dresscode["neck"] == LABEL_ID["face"]
    assert via_dresscode["bag"] == LABEL_ID["bag"]
    assert via_dresscode["occluder"] == LABEL_ID["background"]


def test_dataset_ids_map_as_their_names_say():
    vitonhd = label_sets.VITONHD_TO_INTERNAL
    assert vitonhd[label_sets.VITONHD_LABEL_ID["upper_clothes"]] == LABEL_ID["top"]
    assert vitonhd[label_sets.VITONHD_LABEL_ID["right_shoe"]] == LABEL_ID["shoes"]
    assert vitonhd[10] == LABEL_ID["neck"]
    dresscode = label_sets.DRESSCODE_TO_INTERNAL
    assert dresscode[label_sets.DRESSCODE_LABEL_ID["head"]] == LABEL_ID["face"]
    assert dresscode[label_sets.DRESSCODE_LABEL_ID["belt"]] == LABEL_ID["occluder"]
    assert dresscode[16] == LABEL_ID["bag"]


def test_unknown_ids_are_refused():
    with pytest.raises(ValueError, match=r"\[20, 200\].*VITON-HD"):
        label_sets.vitonhd_to_internal(np.array([[0, 20, 200]], dtype=np.uint8))
    with pytest.raises(ValueError, match="DressCode"):
        label_sets.dresscode_to_internal(np.array([[18]], dtype=np.uint8))


def test_palette_gives_distinct_colours():
    palette = np.array(label_sets.label_palette(20)).reshape(256, 3)
    assert len({tuple(colour) for colour in palette[:20]}) == 20
    assert tuple(palette[1]) == (128, 0, 0) and tuple(palette[2]) == (0, 128, 0)
