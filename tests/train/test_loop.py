import csv

import pytest
import torch
from safetensors.torch import load_file

from atelier.models.checkpoint import load_checkpoint
from atelier.train import training_checkpoints
from atelier.train.loop import preview_records, train
from atelier.train.training_checkpoints import MODEL_FILE, latest_checkpoint
from tests.train.conftest import tiny_autoencoder_config, tiny_config


def _final_weights(result) -> dict[str, torch.Tensor]:
    return load_file(str(result.checkpoint / MODEL_FILE))


@pytest.mark.parametrize("make_config", [tiny_config, tiny_autoencoder_config], ids=["flow_matching", "autoencoder"])
def test_k_steps_then_resume_for_k_steps_equals_2k_steps(tmp_path, make_config):
    whole = train(make_config(tmp_path / "whole", steps=6))
    first = train(make_config(tmp_path / "split", steps=6), stop_after=3)
    rest = train(make_config(tmp_path / "split", steps=6), resume=True)
    assert first.step == 3 and rest.step == 6
    assert first.losses + rest.losses == whole.losses
    expected, resumed = _final_weights(whole), _final_weights(rest)
    assert expected.keys() == resumed.keys()
    assert all(torch.equal(expected[key], resumed[key]) for key in expected)
    with open(tmp_path / "split" / "metrics.csv") as file:
        assert [int(row["step"]) for row in csv.DictReader(file)] == [1, 2, 3, 4, 5, 6]


def test_a_run_killed_while_checkpointing_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    reference = train(tiny_config(tmp_path / "reference", steps=4))
    calls = []
    write_trainable = training_checkpoints._write_trainable

    def killed_on_second_save(path, modules):
        calls.append(path)
        if len(calls) == 2:
            path.write_bytes(b"half a file")
            raise KeyboardInterrupt  # what a kill looks like from inside
        write_trainable(path, modules)

    monkeypatch.setattr(training_checkpoints, "_write_trainable", killed_on_second_save)
    with pytest.raises(KeyboardInterrupt):
        train(tiny_config(tmp_path / "killed", steps=4))
    monkeypatch.undo()

    checkpoints = tmp_path / "killed" / "checkpoints"
    assert latest_checkpoint(checkpoints).name == "step-00000002"
    assert sorted(path.name for path in checkpoints.iterdir()) == ["latest", "step-00000002"]
    load_checkpoint(checkpoints / "step-00000002" / MODEL_FILE)  # intact
    resumed = train(tiny_config(tmp_path / "killed", steps=4), resume=True)
    assert resumed.losses == reference.losses[2:]


def test_an_existing_run_is_never_overwritten_and_resume_needs_a_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        train(tiny_config(tmp_path / "run", steps=2), resume=True)
    train(tiny_config(tmp_path / "run", steps=2))
    with pytest.raises(ValueError, match="--resume"):
        train(tiny_config(tmp_path / "run", steps=2))


def test_a_run_writes_logs_sample_grids_and_keeps_the_newest_checkpoints(tmp_path):
    config = tiny_config(tmp_path, steps=4, logging={"sample_every": 2, "tensorboard": True}, checkpoint={"every": 1, "keep": 2})
    result = train(config)
    assert sorted(path.name for path in (tmp_path / "checkpoints").iterdir()) == ["latest", "step-00000003", "step-00000004"]
    assert result.checkpoint == tmp_path / "checkpoints" / "step-00000004"
    assert sorted(path.name for path in (tmp_path / "samples").iterdir()) == ["step-00000002.png", "step-00000004.png"]
    assert any((tmp_path / "tensorboard").iterdir())
    with open(tmp_path / "metrics.csv") as file:
        rows = list(csv.DictReader(file))
    assert [row["step"] for row in rows] == ["1", "2", "3", "4"]
    assert all(float(row["loss"]) > 0 and float(row["samples_per_second"]) > 0 for row in rows)
    checkpoint = load_checkpoint(result.checkpoint / MODEL_FILE)
    assert set(checkpoint.modules) == {"tryon_model", "autoencoder", "text_encoder"}
    assert checkpoint.configs["run"] == config.to_dict()
    assert checkpoint.configs["pipeline"]["image_size"] == [64, 48]


def test_a_transformer_with_4x4_patches_trains_and_its_checkpoint_loads(tmp_path):
    # configs/default.yaml sets patch_size through the preset's overrides, as here.
    model = {"transformer": {"preset": "tiny", "overrides": {"patch_size": 4}}}
    result = train(tiny_config(tmp_path, steps=2, model=model, logging={"sample_every": 2, "tensorboard": False}))
    transformer = load_checkpoint(result.checkpoint / MODEL_FILE).modules["tryon_model"]
    assert transformer.config.patch_size == 4 and transformer.config.in_channels == 16 * 4
    assert all(torch.isfinite(torch.tensor(loss)) for loss in result.losses)


def test_training_lowers_the_loss_on_a_repeated_batch(tmp_path):
    # One record over and over: a working loop must fit it.
    config = tiny_autoencoder_config(tmp_path, steps=30, data={"kinds": ["tryoff"]}, optimizer={"learning_rate": 3e-3, "warmup_steps": 1})
    losses = train(config).losses
    assert sum(losses[-5:]) / 5 < 0.7 * sum(losses[:5]) / 5


def test_the_autoencoder_ships_with_fitted_latent_normalisation(tmp_path):
    config = tiny_autoencoder_config(tmp_path, steps=2)
    result = train(config)
    autoencoder = load_checkpoint(result.checkpoint / MODEL_FILE).modules["autoencoder"]
    assert autoencoder.vae.config.scaling_factor != 1.0
    from atelier.train.autoencoder_task import AutoencoderTask

    task = AutoencoderTask(autoencoder, config.autoencoder, config.data.image_size, config.batch_size)
    images = task.preview_images(preview_records(config, task.preview_record_count), config.autoencoder.latent_fit_images)
    with torch.no_grad():
        latents = autoencoder.encode(images)
    assert abs(latents.mean().item()) < 1e-3 and abs(latents.std().item() - 1) < 1e-3


def test_a_run_streams_a_built_world_and_refuses_a_missing_one(tmp_path):
    from atelier.train.record_sources import WorldNotBuiltError
    from atelier.world.shards import BuildPlan, build_world

    with pytest.raises(WorldNotBuiltError, match="atelier world build"):
        train(tiny_config(tmp_path / "nothing", steps=1, data={"source": "world", "world": str(tmp_path / "world")}))
    build_world(BuildPlan("train", 9, 0, (64, 48), shard_size=5), tmp_path / "world")
    config = tiny_config(tmp_path / "run", steps=2, data={"source": "world", "world": str(tmp_path / "world")})
    assert len(train(config).losses) == 2
