"""The judge networks: parser shapes and files, attribute heads, mIoU, and resumable training."""

import json

import numpy as np
import pytest
import torch

from atelier.eval.judges import judge_training
from atelier.eval.judges.attribute_heads import AttributeHeads, bhattacharyya_coefficient
from atelier.eval.judges.feature_network import PRESETS as FEATURE_PRESETS
from atelier.eval.judges.feature_network import FeatureNetwork
from atelier.eval.judges.judge_training import JudgeTrainingConfig, train_judges
from atelier.eval.judges.parser_network import PRESETS, ParserNetwork
from atelier.eval.metrics.segmentation_metrics import confusion_matrix, iou_per_class, mean_iou
from atelier.world.labels import NUM_LABELS


def test_parser_parses_any_photo_size_into_label_ids():
    torch.manual_seed(0)
    parser = ParserNetwork(PRESETS["tiny"])
    photos = np.random.default_rng(0).integers(0, 256, size=(3, 70, 50, 3), dtype=np.uint8)
    maps = parser.parse(photos)
    assert maps.shape == (3, 70, 50) and maps.dtype == np.uint8 and maps.max() < NUM_LABELS
    # GroupNorm: a photo's label map does not depend on its batch.
    assert np.array_equal(parser.parse(photos[1:2])[0], maps[1])


def test_default_parser_is_compact():
    parameters = sum(p.numel() for p in ParserNetwork().parameters())
    assert 400_000 <= parameters <= 2_000_000


def test_parser_file_describes_itself(tmp_path):
    parser = ParserNetwork(PRESETS["tiny"])
    parser.save(tmp_path / "parser.safetensors")
    loaded = ParserNetwork.load(tmp_path / "parser.safetensors")
    assert loaded.config == parser.config
    photos = np.random.default_rng(1).integers(0, 256, size=(2, 32, 24, 3), dtype=np.uint8)
    assert np.array_equal(loaded.parse(photos), parser.parse(photos))
    FeatureNetwork(FEATURE_PRESETS["tiny"]).save(tmp_path / "features.safetensors")
    with pytest.raises(ValueError, match="not a saved ParserNetwork"):
        ParserNetwork.load(tmp_path / "features.safetensors")
    with pytest.raises(FileNotFoundError, match="train-judges"):
        ParserNetwork.load(tmp_path / "absent.safetensors")


def test_attribute_heads_round_trip(tmp_path):
    heads = AttributeHeads(8, {"colour": ("red", "blue"), "pattern": ("solid", "dots", "stripes")})
    heads.save(tmp_path / "heads.safetensors")
    loaded = AttributeHeads.load(tmp_path / "heads.safetensors")
    embeddings = torch.nn.functional.normalize(torch.randn(4, 8), dim=-1)
    assert loaded.attributes == heads.attributes
    for name, logits in heads(embeddings).items():
        assert torch.equal(loaded(embeddings)[name], logits)


def test_bhattacharyya_coefficient_bounds():
    p = torch.tensor([0.2, 0.3, 0.5])
    assert float(bhattacharyya_coefficient(p, p)) == pytest.approx(1.0)
    assert float(bhattacharyya_coefficient(torch.tensor([1.0, 0, 0]), torch.tensor([0, 1.0, 0]))) == 0.0


def test_mean_iou_matches_a_hand_count():
    truth = np.array([[0, 0, 1], [1, 2, 2]])
    predicted = np.array([[0, 1, 1], [1, 2, 0]])
    confusion = confusion_matrix(predicted, truth, 4)
    # label 0: 1 / 3, label 1: 2 / 3, label 2: 1 / 2, label 3: absent from both.
    assert np.allclose(iou_per_class(confusion)[:3], [1 / 3, 2 / 3, 1 / 2])
    assert np.isnan(iou_per_class(confusion)[3])
    assert mean_iou(confusion) == pytest.approx((1 / 3 + 2 / 3 + 1 / 2) / 3)


def _tiny_config(**changes):
    settings = {
        "parser_steps": 2, "feature_steps": 2, "train_records": 3, "test_records": 2, "parser_batch": 2,
        "feature_batch": 4, "checkpoint_every": 1, "parser": PRESETS["tiny"], "features": FEATURE_PRESETS["tiny"],
    }  # fmt: skip
    settings.update(changes)
    return JudgeTrainingConfig(**settings)


def test_train_judges_ships_loadable_networks_and_a_report(tmp_path):
    report = train_judges(tmp_path, _tiny_config(), show_progress=False)
    assert ParserNetwork.load(tmp_path / "parser.safetensors").config == PRESETS["tiny"]
    assert FeatureNetwork.load(tmp_path / "features.safetensors").config == FEATURE_PRESETS["tiny"]
    AttributeHeads.load(tmp_path / "attribute_heads.safetensors")
    written = json.loads((tmp_path / "judges.json").read_text())
    assert written["test"]["parser"]["photos"] > 0 and 0 <= report["test"]["parser"]["miou"] <= 1
    assert not (tmp_path / ".train-judges-state.pt").exists()


def test_interrupted_training_resumes_without_repeating_steps(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(judge_training, "evaluate_judges", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train_judges(tmp_path, _tiny_config(), show_progress=False)
    assert (tmp_path / ".train-judges-state.pt").is_file()
    assert not (tmp_path / "parser.safetensors").exists()
    monkeypatch.undo()

    def no_more_steps(*args, **kwargs):
        raise AssertionError("a finished phase was trained again")

    monkeypatch.setattr(judge_training, "parser_batch", no_more_steps)
    monkeypatch.setattr(judge_training, "feature_batch", no_more_steps)
    train_judges(tmp_path, _tiny_config(), show_progress=False)
    assert (tmp_path / "parser.safetensors").is_file()


def test_resuming_with_other_settings_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(judge_training, "evaluate_judges", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        train_judges(tmp_path, _tiny_config(), show_progress=False)
    monkeypatch.undo()
    with pytest.raises(ValueError, match="other settings"):
        train_judges(tmp_path, _tiny_config(seed=5), show_progress=False)


def test_training_one_network_alone_keeps_the_other(tmp_path):
    train_judges(tmp_path, _tiny_config(), show_progress=False)
    features_before = (tmp_path / "features.safetensors").read_bytes()
    parser_before = (tmp_path / "parser.safetensors").read_bytes()
    report = train_judges(tmp_path, _tiny_config(parser_steps=3), show_progress=False, networks=("parser",))
    assert report["trained_this_run"] == ["parser"]
    assert (tmp_path / "features.safetensors").read_bytes() == features_before
    assert (tmp_path / "parser.safetensors").read_bytes() != parser_before
    with pytest.raises(ValueError, match="networks must be"):
        train_judges(tmp_path, _tiny_config(), show_progress=False, networks=("judge",))


def test_train_judges_command(tmp_path, capsys):
    import argparse

    from atelier.cli import bench_commands

    parser = argparse.ArgumentParser(prog="atelier")
    bench_commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["bench", "train-judges", "--out", str(tmp_path), "--steps", "1", "--records", "2", "--test-records", "1"])
    assert args.run(args) == 0
    assert "parser mIoU" in capsys.readouterr().out
    written = json.loads((tmp_path / "judges.json").read_text())
    assert written["config"]["parser_steps"] == 1 and written["config"]["features"]["norm_groups"] == 1
