import pytest
import torch
from accelerate import Accelerator

from atelier.pipelines.task_inputs import TASKS
from atelier.train.change_weights import change_weights
from atelier.train.loop import preview_records
from atelier.train.task_builder import build_task
from tests.train.conftest import tiny_config


def test_changed_latents_weigh_more_and_their_rim_too():
    person = torch.zeros(4, 8, 6)
    target = person.clone()
    target[:, 3:5, 2:4] = 1.0  # a new garment
    weights = change_weights(target, person, strength=9.0)
    assert weights.shape == (1, 8, 6)
    assert torch.all(weights[0, 3:5, 2:4] == 10) and torch.all(weights[0, 2:6, 1:5] == 10)  # rim widened by one
    assert torch.all(weights[0, :2] == 1) and torch.all(weights[0, 7:] == 1)
    small = change_weights(person + 0.03, person, strength=9.0)  # a tenth of CHANGE_SCALE
    assert torch.allclose(small, torch.full_like(small, 1.9))


def test_no_person_or_no_strength_weighs_every_latent_alike():
    target = torch.randn(4, 8, 6)
    assert torch.equal(change_weights(target, None, strength=9.0), torch.ones(1, 8, 6))
    assert torch.equal(change_weights(target, torch.zeros(4, 8, 6), strength=0.0), torch.ones(1, 8, 6))
    with pytest.raises(ValueError, match="one shape"):
        change_weights(target, torch.zeros(4, 4, 6), strength=1.0)


def test_batches_weigh_the_change_of_person_frame_tasks_only(tmp_path):
    config = tiny_config(tmp_path, flow_matching={"change_weight": 9.0})
    task = build_task(config, Accelerator(cpu=True))
    records = preview_records(config, len(TASKS))
    batch = task.make_batch(records, torch.Generator().manual_seed(0))
    assert batch.loss_weights.shape == (len(TASKS), 1, 32, 24)
    for name, weights in zip(batch.tasks, batch.loss_weights, strict=True):
        if name in ("tryoff", "modelfree"):
            assert torch.all(weights == 1), name
        else:  # each of these records changes something of the photo
            assert weights.max() > 1, name
    # The weighted loss differs from the plain one of the same batch and noise (no dropout).
    task.eval()
    weighted = task(batch, torch.Generator().manual_seed(0))["loss"]
    plain = task(batch.__class__(**{**batch.__dict__, "loss_weights": torch.ones_like(batch.loss_weights)}), torch.Generator().manual_seed(0))["loss"]
    assert not torch.isclose(weighted, plain)


def test_a_negative_change_weight_is_refused(tmp_path):
    with pytest.raises(ValueError, match="change_weight"):
        tiny_config(tmp_path, flow_matching={"change_weight": -1.0})
