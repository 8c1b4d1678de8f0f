"""End to end through `atelier`: train a tiny model for a few steps, then run every command on its checkpoint."""

import json

import numpy as np
import pytest
import yaml

from atelier import cli
from atelier.cli import train_commands, tryon_commands
from atelier.data.images import load_image, save_image_atomic
from atelier.pipelines import TryOnPipeline
from atelier.train.loop import train
from atelier.world.tasks import make_record
from tests.train.conftest import tiny_autoencoder_config, tiny_config


@pytest.fixture
def main(monkeypatch):
    groups = tuple(group for group in (train_commands, tryon_commands) if group not in cli.COMMAND_GROUPS)
    monkeypatch.setattr(cli, "COMMAND_GROUPS", (*cli.COMMAND_GROUPS, *groups))
    return cli.main


@pytest.fixture
def images(tmp_path):
    record = make_record("single", "test", 0, 0, (64, 48))
    paths = {}
    for name, image in {"person": record.person.image[:60], "top": record.garments[0].image}.items():
        paths[name] = tmp_path / f"{name}.png"
        save_image_atomic(image, paths[name])
    return paths


def test_train_then_every_command_on_the_checkpoint(main, tmp_path, images, capsys):
    config = tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(tiny_config(tmp_path / "unused", steps=2).to_dict()))
    assert main(["train", "--config", str(config), "--output-dir", str(tmp_path / "run")]) == 0
    assert "checkpoint:" in capsys.readouterr().out
    weights = str(tmp_path / "run" / "checkpoints" / "step-00000002")

    common = ["--weights", weights, "--steps", "2", "--seed", "1"]
    commands = {
        "tryon": ["tryon", "--person", str(images["person"]), "--garment", f"top={images['top']}", "--garment", f"hat={images['top']}"],
        "tryoff": ["tryoff", "--person", str(images["person"]), "--category", "top"],
        "pose": ["transfer", "--person", str(images["person"]), "--pose", str(images["person"])],
        "m2m": ["transfer", "--person", str(images["person"]), "--outfit-from", str(images["top"])],
        "generate": ["generate", "--garment", f"dress={images['top']}", "--instruction", "a woman walking"],
        "edit": ["edit", "--person", str(images["person"]), "--instruction", "make the top red"],
    }
    for name, arguments in commands.items():
        out = tmp_path / f"{name}.png"
        assert main([*arguments, *common, "-o", str(out)]) == 0, name
        assert f"wrote {out}" in capsys.readouterr().out
        expected = (64, 48, 3) if name == "generate" else (60, 48, 3)  # back at the photo's size
        assert load_image(out).shape == expected, name
    # Without restoration the model's own pixels come back: another picture from the same seed.
    raw = tmp_path / "raw.png"
    assert main([*commands["edit"], *common, "--no-restore-detail", "-o", str(raw)]) == 0
    assert not np.array_equal(load_image(raw), load_image(tmp_path / "edit.png"))

    assert main(["train", "--config", str(config), "--output-dir", str(tmp_path / "run"), "--resume", "--steps", "3"]) == 0
    assert "3 steps" in capsys.readouterr().out
    # --set reaches the config: a misspelt key is refused, naming it, before anything runs.
    assert main(["train", "--config", str(config), "--set", "flow_matching.attention_fcous=2"]) == 2
    assert "attention_fcous" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--config", str(config), "--set", "steps"])
    assert "KEY=VALUE" in capsys.readouterr().err

    assert main(["export-weights", "--from", str(tmp_path / "run"), "--to", str(tmp_path / "weights")]) == 0
    assert "model.safetensors" in capsys.readouterr().out
    shipped = json.loads((tmp_path / "weights" / "config.json").read_text())
    assert _stored_float_dtypes(tmp_path / "weights") == {"BF16"}  # half the bytes of the run's fp32
    assert main(["export-weights", "--from", str(tmp_path / "run"), "--to", str(tmp_path / "fp32"), "--dtype", "float32"]) == 0
    capsys.readouterr()
    assert _stored_float_dtypes(tmp_path / "fp32") == {"F32"}
    # Guidance chosen after training ships as the pipeline's default, in the file the pipeline reads.
    assert main(["export-weights", "--from", str(tmp_path / "run"), "--to", str(tmp_path / "tuned"), "--guidance", "3", "2.5"]) == 0
    capsys.readouterr()
    tuned = TryOnPipeline.from_pretrained(tmp_path / "tuned").config
    assert (tuned.text_guidance, tuned.reference_guidance) == (3.0, 2.5)
    assert TryOnPipeline.from_pretrained(tmp_path / "weights").config.text_guidance == shipped["pipeline"]["text_guidance"] != 3.0
    garment = ["export-weights", "--from", str(tmp_path / "run"), "--to", str(tmp_path / "garment"), "--guidance", "3", "2.5"]
    assert main([*garment, "5"]) == 0
    capsys.readouterr()
    assert TryOnPipeline.from_pretrained(tmp_path / "garment").config.garment_guidance == 5.0
    assert tuned.garment_guidance is None
    assert main([*garment[:-2], "3"]) == 2
    assert "(text, reference, garment)" in capsys.readouterr().err
    # A task's own garment scale ships beside the model's; a misspelt task is refused.
    per_task = ["export-weights", "--from", str(tmp_path / "run"), "--to", str(tmp_path / "per-task"), "--task-garment-guidance"]
    assert main([*per_task, "single=6"]) == 0
    capsys.readouterr()
    assert TryOnPipeline.from_pretrained(tmp_path / "per-task").config.task_garment_guidance == {"single": 6.0}
    assert main([*per_task, "sinlge=6"]) == 2
    assert "unknown task(s) ['sinlge']" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*per_task, "single"])
    assert "TASK=SCALE" in capsys.readouterr().err
    # So do detail-restoration thresholds; impossible ones are refused before anything is written.
    restored = ["export-weights", "--from", str(tmp_path / "run"), "--to", str(tmp_path / "restored"), "--restoration"]
    assert main([*restored, "0.1", "0.3"]) == 0
    capsys.readouterr()
    restoration = TryOnPipeline.from_pretrained(tmp_path / "restored").config.detail_restoration
    assert (restoration.agree_below, restoration.differ_above) == (0.1, 0.3)
    assert main([*restored[:4], str(tmp_path / "refused"), "--restoration", "0.3", "0.1"]) == 2
    assert "agree_below < differ_above" in capsys.readouterr().err and not (tmp_path / "refused").exists()
    assert shipped["training"]["step"] == 3 and shipped["pipeline"]["image_size"] == [64, 48]
    assert main(["autoencoder-psnr", "--checkpoint", str(tmp_path / "weights"), "--n", "2", "--size", "64x48"]) == 0
    assert "dB" in capsys.readouterr().out
    out = tmp_path / "shipped.png"
    assert main(["tryoff", "--person", str(images["person"]), "--category", "hat", "--weights", str(tmp_path / "weights"), "-o", str(out)]) == 0
    dress = ["tryon", "--person", str(images["person"]), "--garment", f"top={images['top']}", "--weights", str(tmp_path / "weights")]
    assert main([*dress, "--guidance", "2", "2", "5", "-o", str(tmp_path / "garment.png")]) == 0
    assert main([*dress, "--guidance", "2", "2", "5", "1", "-o", str(tmp_path / "refused.png")]) == 2
    assert "guidance must be" in capsys.readouterr().err and not (tmp_path / "refused.png").exists()
    # The README's main job on these weights: a page, and the table beside the model's own pixels.
    assert main(["demo", "--weights", str(tmp_path / "weights"), "--n", "1", "--out", str(tmp_path / "demo")]) == 0
    printed = capsys.readouterr().out
    assert "own pixels" in printed and (tmp_path / "demo" / "index.html").exists()
    assert (tmp_path / "demo" / "own-pixels" / "report.html").exists()


def test_user_mistakes_are_one_line_errors(main, tmp_path, images, capsys):
    missing = ["tryon", "--person", str(images["person"]), "--garment", f"top={images['top']}", "-o", str(tmp_path / "o.png")]
    assert main([*missing, "--weights", str(tmp_path / "none")]) == 2
    assert "atelier train --config configs/default.yaml" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["tryon", "--person", "p.png", "--garment", "scarf=s.png", "-o", "o.png"])
    assert "unknown category 'scarf'" in capsys.readouterr().err
    assert main(["train", "--config", str(tmp_path / "absent.yaml")]) == 2
    assert "no run config" in capsys.readouterr().err


def _stored_float_dtypes(weights_dir) -> set[str]:
    header_length = int.from_bytes((weights_dir / "model.safetensors").read_bytes()[:8], "little")
    header = json.loads((weights_dir / "model.safetensors").read_bytes()[8 : 8 + header_length])
    return {entry["dtype"] for name, entry in header.items() if name != "__metadata__" and entry["dtype"].startswith(("F", "BF"))}


def test_an_autoencoder_run_exports_but_takes_no_sampling_settings(main, tmp_path, capsys):
    train(tiny_autoencoder_config(tmp_path / "run", steps=1))
    assert main(["export-weights", "--from", str(tmp_path / "run"), "--to", str(tmp_path / "weights")]) == 0
    assert "model.safetensors" in capsys.readouterr().out
    assert main(["export-weights", "--from", str(tmp_path / "run"), "--to", str(tmp_path / "tuned"), "--guidance", "3", "2"]) == 2
    assert "not a try-on model" in capsys.readouterr().err and not (tmp_path / "tuned").exists()
