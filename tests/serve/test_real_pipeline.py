"""The service with the real TryOnPipeline: tiny random-weight components saved as a
checkpoint, loaded as `atelier serve --weights DIR` would, and requests served end to end.
Also holds the service's form rules to the pipeline's own input rules."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from fastapi.testclient import TestClient

pipelines = pytest.importorskip("atelier.pipelines", reason="the try-on pipeline is not available")
torch = pytest.importorskip("torch")

from atelier.models.autoencoder import PRESETS as AUTOENCODER_PRESETS  # noqa: E402
from atelier.models.autoencoder import build_autoencoder  # noqa: E402
from atelier.models.checkpoint import save_checkpoint  # noqa: E402
from atelier.models.mmdit import PRESETS as TRANSFORMER_PRESETS  # noqa: E402
from atelier.models.text_encoder import PRESETS as TEXT_PRESETS  # noqa: E402
from atelier.models.text_encoder import build_text_encoder  # noqa: E402
from atelier.models.tokenizer import train_tokenizer  # noqa: E402
from atelier.models.tryon_model import TryOnModel  # noqa: E402
from atelier.pipelines.task_inputs import check_task_inputs  # noqa: E402
from atelier.serve import ServeSettings, create_app  # noqa: E402
from atelier.serve.batch_pipeline import UnavailablePipeline  # noqa: E402
from atelier.serve.errors import InvalidRequest  # noqa: E402
from atelier.serve.multipart_form import FormPart, UploadedForm  # noqa: E402
from atelier.serve.task_inputs import MAX_GARMENTS  # noqa: E402
from atelier.serve.tryon_adapter import TryOnPipelineAdapter, load_tryon_pipeline  # noqa: E402
from atelier.serve.tryon_form import parse_tryon_form  # noqa: E402
from atelier.world.vocabulary import TASKS  # noqa: E402
from tests.serve.conftest import (  # noqa: E402
    HEIGHT,
    WIDTH,
    assert_error,
    decode_response_image,
    png,
    tryon_form,
)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    """A complete try-on checkpoint of tiny random components: 16x12 images, one step."""
    torch.manual_seed(0)
    tokenizer = train_tokenizer(["tuck the top in", "a red top", "leave the coat open"], 512)
    folder = tmp_path_factory.mktemp("weights")
    save_checkpoint(
        folder / "model.safetensors",
        {
            "tryon_model": TryOnModel(TRANSFORMER_PRESETS["tiny"]),
            "autoencoder": build_autoencoder(AUTOENCODER_PRESETS["tiny"]),
            "text_encoder": build_text_encoder(TEXT_PRESETS["tiny"], tokenizer),
        },
        {"pipeline": pipelines.PipelineConfig(image_size=(16, 12), steps=1).to_dict()},
    )
    return folder


def test_checkpoint_folder_is_loaded_and_served(weights):
    pipeline = load_tryon_pipeline(weights)
    assert isinstance(pipeline, TryOnPipelineAdapter)
    with TestClient(create_app(ServeSettings(weights=weights))) as client:
        assert client.get("/readyz").json()["status"] == "ready"
        single = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")], seed="3"))
        assert single.status_code == 200, single.text
        assert decode_response_image(single.content).shape == (HEIGHT, WIDTH, 3)  # back at the photo's size
        again = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")], seed="3"))
        assert again.content == single.content  # a seed gives the same image
        multi = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top"), (png(3), "hat")]))
        assert multi.status_code == 200, multi.text
        tryoff = client.post("/v1/tryoff", files=tryon_form(png(1), category="coat"))
        assert tryoff.status_code == 200, tryoff.text
        # Restoration reaches the pipeline: the model's own pixels are another picture.
        raw = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")], seed="3", restore_detail="false"))
        assert raw.status_code == 200, raw.text
        assert raw.content != single.content
        assert client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")], seed="3", restore_detail="true")).content == single.content
        # So do guidance scales, one number or text,reference[,garment].
        plain = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")], seed="3", guidance="3,2.5,2.5"))
        garment = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")], seed="3", guidance="3,2.5,6"))
        assert plain.status_code == garment.status_code == 200, garment.text
        assert plain.content != garment.content
        same = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")], seed="3", guidance="2.5"))
        assert same.content == client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")], seed="3", guidance="2.5,2.5,2.5")).content


def test_a_batch_runs_through_batch_call_with_one_image_per_request(weights):
    adapter = load_tryon_pipeline(weights)
    from atelier.serve.tryon_request import TryOnRequest

    person = np.random.default_rng(0).integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    requests = [
        TryOnRequest(task="single", person=person, garments=((person, "top"),), seed=1),
        TryOnRequest(task="tryoff", person=person, garments=((None, "coat"),), seed=2),
    ]
    images = adapter(requests)
    assert [image.shape for image in images] == [(HEIGHT, WIDTH, 3)] * 2
    assert all(image.dtype == np.uint8 for image in images)


def test_a_folder_without_a_checkpoint_is_not_ready_naming_it(tmp_path):
    pipeline = load_tryon_pipeline(tmp_path)
    assert isinstance(pipeline, UnavailablePipeline)
    assert str(tmp_path) in pipeline.reason
    with TestClient(create_app(ServeSettings(weights=tmp_path))) as client:
        assert_error(client.get("/readyz"), 503, "not_ready", str(tmp_path))


def test_the_garment_limit_is_the_models_reference_limit():
    assert MAX_GARMENTS == pipelines.MAX_REFERENCES
    assert set(pipelines.TASKS) == set(TASKS)


def form_accepts(task, has_person, garment_count, category_count, pose, outfit, instruction) -> bool:
    parts = [FormPart("task", task.encode(), False)]
    if has_person:
        parts.append(FormPart("person", b"photo", True))
    parts += [FormPart("garment", b"garment", True) for _ in range(garment_count)]
    parts += [FormPart("category", b"top", False) for _ in range(category_count)]
    if pose:
        parts.append(FormPart("pose", b"pose", True))
    if outfit:
        parts.append(FormPart("outfit_source", b"outfit", True))
    if instruction:
        parts.append(FormPart("instruction", b"make it red", False))
    try:
        parse_tryon_form(UploadedForm(parts), max_steps=100)
    except InvalidRequest:
        return False
    return True


def pipeline_accepts(task, has_person, garment_count, category_count, pose, outfit, instruction) -> bool:
    image = np.zeros((8, 6, 3), dtype=np.uint8)
    if task == "tryoff":
        garments = [(None, "top")] * category_count if garment_count == 0 else [(image, "top")] * garment_count
    else:
        garments = [(image, "top")] * garment_count
    try:
        check_task_inputs(
            task,
            person=image if has_person else None,
            garments=garments,
            instruction="make it red" if instruction else "",
            pose=image if pose else None,
            outfit_source=image if outfit else None,
        )
    except ValueError:
        return False
    return True


def test_the_forms_rules_agree_with_the_pipelines_for_every_task():
    disagreements = []
    for task, has_person, count, pose, outfit, instruction in itertools.product(
        TASKS, (True, False), range(MAX_GARMENTS + 2), (False, True), (False, True), (False, True)
    ):
        category_counts = (0, 1, 2) if task == "tryoff" and count == 0 else (count,)
        for categories in category_counts:
            case = (task, has_person, count, categories, pose, outfit, instruction)
            if form_accepts(*case) != pipeline_accepts(*case):
                disagreements.append(case)
    assert disagreements == []
