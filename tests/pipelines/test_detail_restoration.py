import dataclasses

import numpy as np
import pytest

from atelier.data.images import pad_to_aspect
from atelier.pipelines import PipelineConfig, TryOnPipeline
from atelier.pipelines.detail_restoration import DetailRestoration, restore_photo_pixels, unchanged_weights
from tests.pipelines.conftest import IMAGE_SIZE, random_image, tiny_components
from tests.pipelines.test_tryon_pipeline import REQUESTS

SETTINGS = DetailRestoration(agree_below=0.05, differ_above=0.1, radius=1)


def test_an_unchanged_output_is_all_photo_and_a_changed_patch_is_all_model():
    round_trip = np.full((16, 12, 3), 100, np.uint8)
    output = round_trip.copy()
    output[4:12, 3:9] = 200  # a new garment, far more than `differ_above` away
    weights = unchanged_weights(output, round_trip, SETTINGS)
    assert weights.shape == (16, 12) and weights.dtype == np.float32
    assert np.all(weights[5:11, 4:8] == 0)  # inside the patch, beyond the blur radius
    assert np.all(weights[:3] == 1) and np.all(weights[13:] == 1)
    # A small colour error (the model's softness) still counts as unchanged.
    assert np.all(unchanged_weights(round_trip + 5, round_trip, SETTINGS) == 1)


def test_weights_blend_the_photo_into_the_output_at_the_photos_own_size():
    person = random_image(40, 20, seed=1)  # 2:1, padded to the model's 4:3
    _, padding = pad_to_aspect(person, IMAGE_SIZE)
    output = random_image(40, 20, seed=2)
    model_size = IMAGE_SIZE
    np.testing.assert_array_equal(restore_photo_pixels(output, person, np.ones(model_size, np.float32), padding), person)
    np.testing.assert_array_equal(restore_photo_pixels(output, person, np.zeros(model_size, np.float32), padding), output)
    half = restore_photo_pixels(output, person, np.full(model_size, 0.5, np.float32), padding)
    assert np.abs(half.astype(int) - (person.astype(int) + output.astype(int)) / 2).max() <= 1


@pytest.mark.parametrize(
    ("values", "message"),
    [({"agree_below": 0.2, "differ_above": 0.1}, "agree_below < differ_above"), ({"radius": -1}, "radius")],
)
def test_bad_settings_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        DetailRestoration(**values)


def _pipeline(restoration: DetailRestoration) -> TryOnPipeline:
    return TryOnPipeline(**tiny_components(), config=PipelineConfig(image_size=IMAGE_SIZE, steps=2, detail_restoration=restoration))


def test_the_pipeline_restores_only_when_asked_and_only_person_frame_tasks():
    # Thresholds that count every pixel as unchanged: a restored output is the photo itself.
    everything_agrees = _pipeline(DetailRestoration(agree_below=0.99, differ_above=1.0))
    person = REQUESTS["single"]["person"]
    for task in ("single", "multi", "pose", "m2m", "edit"):
        np.testing.assert_array_equal(everything_agrees(seed=0, **REQUESTS[task]), person)
    raw = everything_agrees(seed=0, restore_detail=False, **REQUESTS["single"])
    assert not np.array_equal(raw, person)
    # Try-off shows a product shot, not the photo: never restored.
    tryoff = everything_agrees(seed=0, **REQUESTS["tryoff"])
    np.testing.assert_array_equal(tryoff, everything_agrees(seed=0, restore_detail=False, **REQUESTS["tryoff"]))
    # Thresholds no random output meets: restoration leaves the model's pixels.
    nothing_agrees = _pipeline(DetailRestoration(agree_below=0.0, differ_above=1e-6))
    np.testing.assert_array_equal(nothing_agrees(seed=0, **REQUESTS["single"]), raw)


def test_restoration_can_be_off_by_default_and_asked_for_per_call():
    off = _pipeline(DetailRestoration(enabled=False, agree_below=0.99, differ_above=1.0))
    person = REQUESTS["single"]["person"]
    assert not np.array_equal(off(seed=0, **REQUESTS["single"]), person)
    np.testing.assert_array_equal(off(seed=0, restore_detail=True, **REQUESTS["single"]), person)
    with pytest.raises(ValueError, match="restore_detail"):
        off(seed=0, restore_detail="yes", **REQUESTS["single"])


def test_a_config_without_restoration_settings_gets_the_defaults():
    stored = PipelineConfig(image_size=IMAGE_SIZE).to_dict()
    del stored["detail_restoration"]  # checkpoints written before restoration existed
    assert PipelineConfig.from_dict(stored).detail_restoration == DetailRestoration()
    changed = dataclasses.replace(DetailRestoration(), agree_below=0.1, differ_above=0.3)
    assert PipelineConfig.from_dict(PipelineConfig(detail_restoration=changed).to_dict()).detail_restoration == changed
