import dataclasses
import re

import numpy as np
import pytest
import torch

from atelier.flow.sigmas import shifted_sigmas
from atelier.models.checkpoint import save_checkpoint
from atelier.models.conditioning import ABSENT_ROLE, GARMENT_ROLES, Condition, drop_conditions
from atelier.models.mmdit import PRESETS as MMDIT_PRESETS
from atelier.models.tryon_model import TryOnModel
from atelier.pipelines import MissingWeightsError, PipelineConfig, TryOnPipeline
from tests.pipelines.conftest import IMAGE_SIZE, random_image, tiny_components

PERSON = random_image(40, 30, seed=1)  # 4:3 like the model, twice its size
TOP, SHOES = random_image(20, 20, seed=2), random_image(10, 30, seed=3)

REQUESTS = {
    "single": {"task": "single", "person": PERSON, "garments": [(TOP, "top")]},
    "multi": {"task": "multi", "person": PERSON, "garments": [(TOP, "top"), (SHOES, "shoes")] * 3, "instruction": "tuck the top in"},
    "modelfree": {"task": "modelfree", "garments": [(TOP, "dress"), (SHOES, "shoes")], "instruction": "a tall woman, walking"},
    "tryoff": {"task": "tryoff", "person": PERSON, "category": "top"},
    "pose": {"task": "pose", "person": PERSON, "pose": random_image(40, 30, seed=4)},
    "m2m": {"task": "m2m", "person": PERSON, "outfit_source": random_image(60, 30, seed=5)},
    "edit": {"task": "edit", "person": PERSON, "instruction": "make the top red"},
}


@pytest.mark.parametrize("task", list(REQUESTS))
def test_every_task_returns_an_image_at_the_person_photos_size(pipeline, task):
    image = pipeline(seed=0, **REQUESTS[task])
    expected = PERSON.shape if task != "modelfree" else (*IMAGE_SIZE, 3)
    assert image.shape == expected and image.dtype == np.uint8


@pytest.mark.parametrize("task", list(REQUESTS))
def test_a_transformer_with_4x4_patches_serves_every_task(task):
    # The tiny ×2 autoencoder under 4×4 patches needs images in multiples of 8: 32×24 is 4×3 tokens.
    components = tiny_components()
    components["transformer"] = TryOnModel(dataclasses.replace(MMDIT_PRESETS["tiny"], in_channels=64, patch_size=4))
    pipeline = TryOnPipeline(**components, config=PipelineConfig(image_size=(32, 24), steps=2))
    image = pipeline(seed=0, **REQUESTS[task])
    assert image.shape == (PERSON.shape if task != "modelfree" else (32, 24, 3))
    with pytest.raises(ValueError, match="divisible by 8"):
        TryOnPipeline(**components, config=PipelineConfig(image_size=IMAGE_SIZE, steps=2))


def test_a_person_of_another_aspect_comes_back_at_its_own_size(pipeline):
    tall = random_image(90, 20, seed=6)
    assert pipeline(person=tall, garments=[(TOP, "hat")], seed=0).shape == (90, 20, 3)


def test_the_same_seed_gives_the_same_image_and_another_seed_another(pipeline):
    first = pipeline(**REQUESTS["single"], seed=7)
    second = pipeline(**REQUESTS["single"], seed=7)
    other = pipeline(**REQUESTS["single"], seed=8)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


def test_a_batch_gives_what_each_request_gives_alone(pipeline):
    requests = [{**request, "seed": index} for index, request in enumerate(REQUESTS.values())]
    batched = pipeline.batch_call(requests)
    for request, image in zip(requests, batched, strict=True):
        alone = pipeline(**request)
        assert np.abs(alone.astype(int) - image.astype(int)).max() <= 1, request["task"]


def test_requests_with_agreeing_conditions_share_one_forward(pipeline):
    checked = [
        pipeline.check_inputs(**REQUESTS["single"], seed=0),
        pipeline.check_inputs(**REQUESTS["multi"], seed=0),
        pipeline.check_inputs(**REQUESTS["tryoff"], seed=0),  # its token cannot share the garment slot
        pipeline.check_inputs(**REQUESTS["single"], seed=0, steps=3),  # other settings
    ]
    assert pipeline._stackable_groups(checked) == [[0, 1], [2], [3]]


def test_garment_guidance_comes_from_the_call_or_else_the_model(pipeline):
    assert pipeline.check_inputs(**REQUESTS["single"], guidance=(2.0, 3.0)).garment_scale == 3.0
    assert pipeline.check_inputs(**REQUESTS["single"], guidance=(2.0, 3.0, 6.0)).garment_scale == 6.0
    shipped = TryOnPipeline(
        pipeline.transformer, pipeline.autoencoder, pipeline.text_encoder,
        config=dataclasses.replace(pipeline.config, garment_guidance=5.0),
    )  # fmt: skip
    assert shipped.check_inputs(**REQUESTS["single"]).garment_scale == 5.0
    assert shipped.check_inputs(**REQUESTS["single"], guidance=(2.0, 3.0)).garment_scale == 5.0
    assert shipped.check_inputs(**REQUESTS["single"], guidance=2.0).garment_scale == 2.0


def test_a_task_of_its_own_garment_scale_keeps_it_and_the_others_keep_the_models(pipeline):
    config = dataclasses.replace(pipeline.config, garment_guidance=3.0, task_garment_guidance={"single": 5.0})
    shipped = TryOnPipeline(pipeline.transformer, pipeline.autoencoder, pipeline.text_encoder, config=config)
    assert shipped.check_inputs(**REQUESTS["single"]).garment_scale == 5.0
    assert shipped.check_inputs(**REQUESTS["single"], guidance=(2.0, 2.5)).garment_scale == 5.0
    assert shipped.check_inputs(**REQUESTS["single"], guidance=(2.0, 2.5, 4.0)).garment_scale == 4.0
    assert shipped.check_inputs(**REQUESTS["multi"]).garment_scale == 3.0
    without_model_scale = dataclasses.replace(config, garment_guidance=None)
    plain = TryOnPipeline(pipeline.transformer, pipeline.autoencoder, pipeline.text_encoder, config=without_model_scale)
    assert plain.check_inputs(**REQUESTS["multi"], guidance=(2.0, 2.5)).garment_scale == 2.5


@pytest.mark.parametrize(
    ("scales", "message"), [({"sinlge": 5.0}, "unknown task(s) ['sinlge']"), ({"single": -1.0}, "non-negative")]
)
def test_task_garment_scales_are_checked(scales, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        PipelineConfig(task_garment_guidance=scales)
    with pytest.raises(ValueError, match=re.escape(message)):
        PipelineConfig.from_dict({"task_garment_guidance": scales})


def test_garment_guidance_changes_a_try_on(pipeline):
    plain = pipeline(**REQUESTS["single"], seed=0, guidance=(2.0, 2.0))
    garment = pipeline(**REQUESTS["single"], seed=0, guidance=(2.0, 2.0, 6.0))
    assert not np.array_equal(plain, garment)


def test_guidance_scales_reach_the_sampler(pipeline):
    plain = pipeline(**REQUESTS["edit"], seed=0, guidance=1.0)
    guided = pipeline(**REQUESTS["edit"], seed=0, guidance=(4.0, 2.0))
    assert not np.array_equal(plain, guided)


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"person": PERSON, "garments": [(TOP, "top")] * 7, "task": "multi"}, "at most 6"),
        ({"person": PERSON, "garments": [(TOP, "cape")]}, "unknown category"),
        ({"garments": [(TOP, "top")]}, "needs a person"),
        ({"person": PERSON, "task": "tryoff"}, "needs the category"),
        ({"person": np.zeros((0, 4, 3), np.uint8), "garments": [(TOP, "top")]}, "zero size"),
        ({"person": PERSON, "garments": [(TOP, "top")], "steps": 0}, "steps"),
        ({"person": PERSON, "garments": [(TOP, "top")], "guidance": "strong"}, "guidance"),
        ({"person": PERSON, "garments": [(TOP, "top")], "seed": -1}, "seed"),
    ],
)
def test_check_inputs_refuses_bad_requests_with_clear_errors(pipeline, request_, message):
    with pytest.raises(ValueError, match=message):
        pipeline(**request_)


def test_mismatched_components_are_refused():
    components = tiny_components()
    with pytest.raises(ValueError, match="divisible"):
        TryOnPipeline(**components, config=PipelineConfig(image_size=(18, 12)))


def test_from_pretrained_rebuilds_the_pipeline_from_a_checkpoint_folder(pipeline, tmp_path):
    save_checkpoint(
        tmp_path / "model.safetensors",
        {"tryon_model": pipeline.transformer, "autoencoder": pipeline.autoencoder, "text_encoder": pipeline.text_encoder},
        {"pipeline": pipeline.config.to_dict()},
    )
    loaded = TryOnPipeline.from_pretrained(tmp_path)
    assert loaded.config == pipeline.config
    np.testing.assert_array_equal(loaded(**REQUESTS["pose"], seed=3), pipeline(**REQUESTS["pose"], seed=3))


def test_from_pretrained_finds_a_training_runs_newest_checkpoint(pipeline, tmp_path):
    folder = tmp_path / "run" / "checkpoints" / "step-00000007"
    modules = {"tryon_model": pipeline.transformer, "autoencoder": pipeline.autoencoder, "text_encoder": pipeline.text_encoder}
    save_checkpoint(folder / "model.safetensors", modules, {"pipeline": pipeline.config.to_dict()})
    (tmp_path / "run" / "checkpoints" / "latest").write_text("step-00000007\n")
    assert TryOnPipeline.from_pretrained(tmp_path / "run").config == pipeline.config


def test_from_pretrained_says_how_to_get_weights_when_there_are_none(tmp_path):
    with pytest.raises(MissingWeightsError, match="atelier train --config configs/default.yaml"):
        TryOnPipeline.from_pretrained(tmp_path / "nowhere")


def test_an_incomplete_checkpoint_is_refused(pipeline, tmp_path):
    save_checkpoint(tmp_path / "model.safetensors", {"autoencoder": pipeline.autoencoder})
    with pytest.raises(ValueError, match="lacks"):
        TryOnPipeline.from_pretrained(tmp_path)


def test_bf16_weights_are_computed_in_fp32(pipeline, tmp_path):
    modules = {
        "tryon_model": pipeline.transformer,
        "autoencoder": pipeline.autoencoder,
        "text_encoder": pipeline.text_encoder,
    }
    halved = {name: type(module).from_architecture(module.architecture()) for name, module in modules.items()}
    for name, module in halved.items():
        module.load_state_dict(modules[name].state_dict())
        module.to(torch.bfloat16)
    save_checkpoint(tmp_path / "model.safetensors", halved, {"pipeline": pipeline.config.to_dict()})
    loaded = TryOnPipeline.from_pretrained(tmp_path)
    assert next(loaded.transformer.parameters()).dtype == torch.float32
    assert loaded(**REQUESTS["single"], seed=0).shape == PERSON.shape


@pytest.mark.parametrize("garment_scale", [3.0, 5.0])
@pytest.mark.parametrize("task", ["single", "multi"])
def test_denoising_equals_guidance_written_out_with_masked_references(pipeline, task, garment_scale):
    # The pipeline saves work (no REFERENCES branch without an instruction; the unconditional
    # branch without reference tokens; no garment-free branch when garment guidance equals
    # reference guidance). Written out in full it must give the same latents.
    text_scale, reference_scale = 2.0, 3.0
    guidance = (text_scale, reference_scale, garment_scale)
    request = pipeline.check_inputs(**REQUESTS[task], seed=0, steps=3, guidance=guidance)
    encoded = pipeline.encode([request])
    start = pipeline.prepare_latents([request])
    fast = pipeline.denoise(start, encoded, request)

    absent = [Condition(condition.latents, ABSENT_ROLE) for condition in encoded.conditions]
    bare = drop_conditions(encoded.conditions, torch.ones(1, dtype=torch.bool), only_roles=GARMENT_ROLES)
    assert [c.roles_per_sample() for c in bare][0] == ["person"]
    text = {"full": slice(0, 1), "empty": slice(1, 2)}

    def velocity(x, sigma, rows, conditions):
        return pipeline.transformer(
            x, sigma, encoded.text_embeds[rows], encoded.pooled_text[rows], conditions, text_mask=encoded.text_mask[rows]
        )

    x = start
    sigmas = shifted_sigmas(request.steps, pipeline.config.sigma_shift)
    with torch.no_grad():
        for sigma, sigma_next in zip(sigmas[:-1], sigmas[1:], strict=True):
            s = sigma.expand(1)
            full = velocity(x, s, text["full"], encoded.conditions)
            references = velocity(x, s, text["empty"], encoded.conditions)
            unconditional = velocity(x, s, text["empty"], absent)
            without_garments = velocity(x, s, text["empty"], bare)
            v = (
                unconditional
                + reference_scale * (without_garments - unconditional)
                + garment_scale * (references - without_garments)
                + text_scale * (full - references)
            )
            x = x + (sigma_next - sigma) * v
    torch.testing.assert_close(fast, x, atol=1e-4, rtol=1e-4)
