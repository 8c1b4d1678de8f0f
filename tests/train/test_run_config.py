import dataclasses

import pytest

from atelier.cli.arguments import dotted_setting
from atelier.models.checkpoint import load_checkpoint
from atelier.train.run_config import RunConfigError, from_mapping, load_run_config
from tests.train.conftest import CONFIGS


@pytest.mark.parametrize(
    "name", ["tiny", "autoencoder", "autoencoder_c8", "default", "gpu", "gpu_c8", "garment_finetune", "focus_finetune"]
)
def test_shipped_configs_load_and_round_trip(name):
    config = load_run_config(CONFIGS / f"{name}.yaml")
    assert from_mapping(config.to_dict()) == config


def test_the_default_run_uses_the_autoencoder_run_and_a_cpu_sized_image():
    autoencoder, default = (load_run_config(CONFIGS / f"{name}.yaml") for name in ("autoencoder", "default"))
    assert default.model.autoencoder.checkpoint == autoencoder.output_dir
    assert default.data.image_size == autoencoder.data.image_size == (128, 96)
    assert default.threads == autoencoder.threads == 2  # both cores of the machine they were trained on


def test_the_gpu_run_trains_the_default_model_on_the_same_data():
    default, gpu = (load_run_config(CONFIGS / f"{name}.yaml") for name in ("default", "gpu"))
    assert gpu.model == default.model and gpu.flow_matching == default.flow_matching
    assert gpu.data.kinds == default.data.kinds and gpu.data.image_size == default.data.image_size
    assert gpu.data.workers > 0 and gpu.batch_size > default.batch_size


def test_the_next_gpu_run_changes_only_the_autoencoder_the_model_size_the_noise_shift_and_the_stream_rate():
    gpu, gpu_c8, autoencoder_c8 = (
        load_run_config(CONFIGS / f"{name}.yaml") for name in ("gpu", "gpu_c8", "autoencoder_c8")
    )
    # The 8-channel autoencoder ships, exported from autoencoder_c8's run.
    assert gpu_c8.model.autoencoder.checkpoint == "weights/autoencoder-c8"
    shipped = load_checkpoint(CONFIGS.parent / gpu_c8.model.autoencoder.checkpoint / "model.safetensors")
    assert shipped.modules["autoencoder"].latent_channels == 8
    assert shipped.configs["run"]["output_dir"] == autoencoder_c8.output_dir
    assert autoencoder_c8.model.autoencoder.overrides == {"latent_channels": 8}
    assert (gpu.model.transformer.preset, gpu_c8.model.transformer.preset) == ("default", "medium")
    assert gpu_c8.model.text_encoder == gpu.model.text_encoder
    # Noise levels shifted towards σ = 1, chosen on the 8-channel CPU pilot (README, "Noise levels").
    assert (gpu.flow_matching.sigma_shift, gpu_c8.flow_matching.sigma_shift) == (1.0, 2.0)
    assert dataclasses.replace(gpu_c8.flow_matching, sigma_shift=1.0) == gpu.flow_matching
    assert gpu_c8.data.kinds == gpu.data.kinds and gpu_c8.data.image_size == autoencoder_c8.data.image_size
    assert gpu_c8.data.balance_buffer < gpu_c8.data.balance_patience  # few dropped records


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"batch_sise": 2}, "unknown key"),
        ({"optimizer": {"learning_rte": 1.0}}, "optimizer"),
        ({"steps": "many"}, "steps must be int"),
        ({"steps": 0}, "steps must be at least 1"),
        ({"task": "distill"}, "task must be one of"),
        ({"data": {"source": "world"}}, "data.world is required"),
        ({"data": {"kinds": ["caption"]}}, "data.kinds"),
        ({"data": {"image_size": [64]}}, "2 values"),
        ({"data": {"workers": -1}}, "data.workers must be at least 0"),
        ({"data": {"source": "world", "world": "built", "workers": 2}}, "data.workers renders records ahead"),
        ({"precision": "fp16"}, "precision must be one of"),
        ({"flow_matching": {"text_dropout": 1.5}}, "text_dropout"),
        ({"flow_matching": {"attention_focus": -1.0}}, "flow_matching.attention_focus must be at least 0"),
    ],
)
def test_mistakes_name_the_key(change, message):
    values = load_run_config(CONFIGS / "tiny.yaml").to_dict()
    for key, value in change.items():
        values[key] = {**values[key], **value} if isinstance(value, dict) and key in values else value
    with pytest.raises(RunConfigError, match=message):
        from_mapping(values)


def test_missing_required_keys_and_bad_yaml_are_errors(tmp_path):
    (tmp_path / "partial.yaml").write_text("task: autoencoder\nsteps: 3\n")
    with pytest.raises(RunConfigError, match="missing key"):
        load_run_config(tmp_path / "partial.yaml")
    (tmp_path / "broken.yaml").write_text("task: [unclosed\n")
    with pytest.raises(RunConfigError, match="not valid YAML"):
        load_run_config(tmp_path / "broken.yaml")
    with pytest.raises(FileNotFoundError):
        load_run_config(tmp_path / "absent.yaml")


def test_dotted_settings_change_only_their_keys():
    default = load_run_config(CONFIGS / "default.yaml")
    pilot = default.with_settings(
        [("flow_matching.attention_focus", 2), ("model.autoencoder.checkpoint", "weights/autoencoder-c8"), ("steps", 1500)]
    )
    assert pilot.flow_matching.attention_focus == 2.0
    assert pilot.model.autoencoder.checkpoint == "weights/autoencoder-c8"
    assert pilot.steps == 1500
    assert pilot.model.transformer == default.model.transformer
    assert pilot.optimizer == default.optimizer and pilot.data == default.data
    assert default.with_settings([]) == default


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (("flow_matching.attention_fcous", 2), r"unknown key\(s\) \['attention_fcous'\]"),
        (("steps.every", 2), "steps is not a section"),
        (("flow_matching.attention_focus", -1), "flow_matching.attention_focus must be at least 0"),
        (("steps", "many"), "steps"),
    ],
)
def test_a_bad_dotted_setting_names_its_key(setting, message):
    with pytest.raises(RunConfigError, match=message):
        load_run_config(CONFIGS / "tiny.yaml").with_settings([setting])


@pytest.mark.parametrize("written", ["3e-4", "3.0e-4", "3E-4"])
def test_exponent_numbers_are_numbers_in_files_and_on_the_command_line(written, tmp_path):
    # YAML 1.1 reads 3e-4 as a string; a float field takes it as the number people mean.
    tiny = (CONFIGS / "tiny.yaml").read_text()
    assert "learning_rate:" in tiny
    lines = [f"  learning_rate: {written}" if line.strip().startswith("learning_rate:") else line for line in tiny.splitlines()]
    (tmp_path / "run.yaml").write_text("\n".join(lines) + "\n")
    assert load_run_config(tmp_path / "run.yaml").optimizer.learning_rate == pytest.approx(3e-4)
    from_command_line = load_run_config(CONFIGS / "tiny.yaml").with_settings(
        [dotted_setting(f"optimizer.learning_rate={written}")]
    )
    assert from_command_line.optimizer.learning_rate == pytest.approx(3e-4)
    # Only float fields: a path that looks like a number stays a path, an int field refuses it.
    assert load_run_config(CONFIGS / "tiny.yaml").with_settings([dotted_setting("output_dir=runs/1e3")]).output_dir == "runs/1e3"
    with pytest.raises(RunConfigError, match="steps"):
        load_run_config(CONFIGS / "tiny.yaml").with_settings([dotted_setting("steps=1e3")])
