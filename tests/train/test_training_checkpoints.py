import pytest
import torch

from atelier.models.autoencoder import PRESETS, build_autoencoder
from atelier.train import training_checkpoints
from atelier.train.training_checkpoints import (
    CheckpointContents,
    latest_checkpoint,
    load_training_checkpoint,
    save_training_checkpoint,
)


def _contents(step: int, module) -> CheckpointContents:
    optimizer = torch.optim.AdamW(module.parameters())
    return CheckpointContents(
        step=step,
        trainable={"autoencoder": module},
        optimizer=optimizer.state_dict(),
        scheduler={"last_epoch": step},
        rng={"cpu": torch.get_rng_state()},
        state={"ema_updates": step, "streams": [{}]},
    )


@pytest.fixture
def autoencoder():
    torch.manual_seed(0)
    return build_autoencoder(PRESETS["tiny"])


def _save(folder, step, module, keep=2):
    return save_training_checkpoint(folder, _contents(step, module), shipped_modules={"autoencoder": module}, configs={}, keep=keep)


def test_latest_names_the_newest_checkpoint_and_old_ones_are_pruned(tmp_path, autoencoder):
    assert latest_checkpoint(tmp_path) is None
    for step in (1, 2, 3):
        _save(tmp_path, step, autoencoder)
    assert latest_checkpoint(tmp_path).name == "step-00000003"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "step-00000002", "step-00000003"]
    fresh = build_autoencoder(PRESETS["tiny"])
    contents = load_training_checkpoint(latest_checkpoint(tmp_path), {"autoencoder": fresh})
    assert contents.step == 3 and contents.state == {"ema_updates": 3, "streams": [{}]}
    for name, value in autoencoder.state_dict().items():
        assert torch.equal(fresh.state_dict()[name], value)


@pytest.mark.parametrize("failing", ["save_checkpoint", "_write_trainable", "save_file"])
def test_a_failed_save_leaves_the_previous_checkpoint_as_latest(tmp_path, autoencoder, monkeypatch, failing):
    _save(tmp_path, 1, autoencoder)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(training_checkpoints, failing, crash)
    with pytest.raises(OSError, match="disk full"):
        _save(tmp_path, 2, autoencoder)
    assert latest_checkpoint(tmp_path).name == "step-00000001"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "step-00000001"]


def test_a_leftover_temporary_folder_is_cleared_by_the_next_save(tmp_path, autoencoder):
    (tmp_path / ".step-00000002.abc.tmp").mkdir()
    _save(tmp_path, 3, autoencoder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "step-00000003"]
