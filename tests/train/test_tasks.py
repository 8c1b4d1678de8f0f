import numpy as np
import pytest
import torch

from atelier.models.autoencoder import PRESETS, build_autoencoder
from atelier.models.conditioning import GARMENT_ROLES
from atelier.pipelines.task_inputs import TASKS
from atelier.train.autoencoder_task import AutoencoderTask, image_gradient_l1, record_images
from atelier.train.loop import preview_records
from atelier.train.reconstruction_quality import psnr_uint8, reconstruction_psnr
from atelier.train.run_config import AutoencoderTrainingConfig
from atelier.train.task_builder import build_task
from atelier.train.tryon_examples import record_example
from atelier.world.tasks import make_record
from tests.train.conftest import tiny_config


@pytest.mark.parametrize("kind", TASKS)
def test_each_record_kind_decides_its_target(kind):
    record = make_record(kind, "train", 0, 3, (64, 48))
    example = record_example(record)
    assert example.inputs.task == kind
    assert example.target is record.target.image
    roles = [c.role for c in example.inputs.conditions()]
    garments = [garment.category for garment in record.garments]
    expected = {
        "modelfree": garments,
        "tryoff": ["person", record.extra.get("category")],
        "pose": ["person", "pose"],
        "m2m": ["person", "outfit_source"],
    }.get(kind, ["person", *garments])
    assert roles == expected


def test_retrieval_records_are_not_training_examples():
    with pytest.raises(ValueError, match="not a try-on task"):
        record_example(make_record("caption", "train", 0, 0, (64, 48)))


def test_flow_matching_batches_noise_only_the_target_and_drop_conditions(tmp_path):
    from accelerate import Accelerator

    config = tiny_config(tmp_path, flow_matching={"reference_dropout": 1.0, "text_dropout": 1.0})
    task = build_task(config, Accelerator(cpu=True))
    records = preview_records(config, len(TASKS))
    batch = task.make_batch(records, torch.Generator().manual_seed(0))
    assert batch.target.shape == (len(TASKS), 4, 32, 24)
    assert batch.reference_drop.all()
    assert (batch.attention_mask.sum(1) == 2).all()  # only [CLS] [SEP]: every instruction dropped
    losses = task(batch, torch.Generator().manual_seed(0))
    assert set(losses) == {"loss", *(f"loss_{kind}" for kind in TASKS)}
    assert torch.isfinite(losses["loss"])
    grid = task.sample_grid(task.trainable_modules(), records[:2])
    assert grid.dtype == np.uint8 and grid.shape[0] == 2 * (64 + 2)


def test_garment_dropout_trains_on_the_person_and_pose_without_the_garments(tmp_path):
    from accelerate import Accelerator

    config = tiny_config(tmp_path, flow_matching={"reference_dropout": 0.0, "garment_dropout": 1.0})
    task = build_task(config, Accelerator(cpu=True))
    records = preview_records(config, len(TASKS))
    batch = task.make_batch(records, torch.Generator().manual_seed(0))
    assert batch.garment_drop.all() and not batch.reference_drop.any()
    seen = []
    task.model.register_forward_pre_hook(lambda module, args: seen.append(args[4]))
    task(batch, torch.Generator().manual_seed(0))
    roles = {role for condition in seen[0] for role in condition.roles_per_sample()}
    assert "person" in roles and "pose" in roles
    assert not roles & GARMENT_ROLES


def test_without_garment_dropout_no_sample_loses_its_garments(tmp_path):
    from accelerate import Accelerator

    config = tiny_config(tmp_path, flow_matching={"reference_dropout": 0.0})
    task = build_task(config, Accelerator(cpu=True))
    batch = task.make_batch(preview_records(config, len(TASKS)), torch.Generator().manual_seed(0))
    assert not batch.garment_drop.any()


def test_autoencoder_batches_are_random_crops_of_every_image():
    autoencoder = build_autoencoder(PRESETS["tiny"])
    settings = AutoencoderTrainingConfig(crop=(32, 24), records_per_step=2)
    task = AutoencoderTask(autoencoder, settings, (64, 48), batch_size=5)
    records = [make_record("m2m", "train", 0, index, (64, 48)) for index in range(2)]
    assert len(record_images(records[0])) == 3
    crops = task.make_batch(records, torch.Generator().manual_seed(0))
    assert crops.shape == (5, 3, 32, 24) and crops.min() >= -1 and crops.max() <= 1
    losses = task(crops, torch.Generator().manual_seed(1))
    assert set(losses) == {"loss", "l1", "gradient", "kl"}
    with pytest.raises(ValueError, match="crop"):
        AutoencoderTask(autoencoder, AutoencoderTrainingConfig(crop=(33, 24)), (64, 48), batch_size=1)


def test_the_gradient_loss_sees_edges_that_a_flat_shift_does_not_have():
    image = torch.rand(1, 3, 8, 8)
    assert image_gradient_l1(image + 0.5, image) == pytest.approx(0.0, abs=1e-6)
    assert image_gradient_l1(image.flip(-1), image) > 0.1


def test_psnr_matches_its_definition():
    reference = np.zeros((4, 4, 3), np.uint8)
    noisy = reference.copy()
    noisy[0, 0, 0] = 16  # MSE = 256 / 48
    assert psnr_uint8(reference, noisy) == pytest.approx(10 * np.log10(255**2 * 48 / 256))
    assert psnr_uint8(reference, reference) == float("inf")
    autoencoder = build_autoencoder(PRESETS["tiny"])
    assert reconstruction_psnr(autoencoder, [reference, noisy]) < 40  # an untrained autoencoder is poor
