import json

import pytest
import torch
from safetensors.torch import save_file

from atelier.models import checkpoint as checkpoint_module
from atelier.models.autoencoder import PRESETS as AUTOENCODER_PRESETS
from atelier.models.autoencoder import build_autoencoder
from atelier.models.checkpoint import load_checkpoint, read_checkpoint_configs, save_checkpoint
from atelier.models.conditioning import Condition
from atelier.models.mmdit import PRESETS as MMDIT_PRESETS
from atelier.models.text_encoder import PRESETS as TEXT_PRESETS
from atelier.models.text_encoder import build_text_encoder
from atelier.models.tokenizer import train_tokenizer
from atelier.models.tryon_model import TryOnModel

RUN = {"run": {"steps": 10, "learning_rate": 1e-4, "data": "world:seed=3"}}


@pytest.fixture(scope="module")
def modules():
    torch.manual_seed(0)
    tokenizer = train_tokenizer(["put the red coat on her", "remove the hat"] * 10, vocab_size=300)
    return {
        "tryon_model": TryOnModel(MMDIT_PRESETS["tiny"]).eval(),
        "autoencoder": build_autoencoder(AUTOENCODER_PRESETS["tiny"]).eval(),
        "text_encoder": build_text_encoder(TEXT_PRESETS["tiny"], tokenizer).eval(),
    }


def test_round_trip_rebuilds_identical_modules_from_the_file_alone(modules, tmp_path):
    path = tmp_path / "model.safetensors"
    save_checkpoint(path, modules, RUN)
    loaded = load_checkpoint(path)

    assert loaded.configs["run"] == RUN["run"]
    assert loaded.configs["architecture"]["tryon_model"]["kind"] == "tryon_model"
    for name, module in modules.items():
        original, rebuilt = module.state_dict(), loaded.modules[name].state_dict()
        assert original.keys() == rebuilt.keys()
        for key in original:
            assert torch.equal(original[key], rebuilt[key]), key

    generator = torch.Generator().manual_seed(1)
    inputs = dict(
        noisy_target=torch.randn(1, 4, 4, 4, generator=generator),
        sigma=torch.tensor([0.5]),
        text_embeds=torch.randn(1, 3, 32, generator=generator),
        pooled_text=torch.randn(1, 32, generator=generator),
        conditions=[Condition(torch.randn(1, 4, 2, 4, generator=generator), "shoes")],
    )
    images = torch.rand(1, 3, 8, 8, generator=generator) * 2 - 1
    with torch.no_grad():
        assert torch.equal(loaded.modules["tryon_model"](**inputs), modules["tryon_model"](**inputs))
        assert torch.equal(loaded.modules["autoencoder"].encode(images), modules["autoencoder"].encode(images))
        ours, theirs = (
            m.encode(["remove the red hat"]) for m in (loaded.modules["text_encoder"], modules["text_encoder"])
        )
        assert torch.equal(ours.embeddings, theirs.embeddings)


def test_a_changed_architecture_in_the_file_is_what_gets_built(modules, tmp_path):
    # Different roles than the defaults: the model must come back with the stored ones.
    model = TryOnModel(MMDIT_PRESETS["tiny"], roles=("person", "top", "absent"))
    save_checkpoint(tmp_path / "m.safetensors", {"tryon_model": model})
    assert load_checkpoint(tmp_path / "m.safetensors").modules["tryon_model"].roles == ("person", "top", "absent")


def test_configs_are_readable_without_loading_weights(modules, tmp_path):
    save_checkpoint(tmp_path / "m.safetensors", {"autoencoder": modules["autoencoder"]}, RUN)
    configs = read_checkpoint_configs(tmp_path / "m.safetensors")
    assert configs["run"] == RUN["run"]
    assert configs["architecture"]["autoencoder"]["vae"]["latent_channels"] == 4


def test_writing_is_atomic_and_a_failed_write_keeps_the_old_file(modules, tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    save_checkpoint(path, {"autoencoder": modules["autoencoder"]}, {"run": {"step": 1}})
    before = path.read_bytes()

    def failing_save(tensors, filename, metadata=None):
        with open(filename, "wb") as partial:
            partial.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint_module, "save_file", failing_save)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, {"autoencoder": modules["autoencoder"]}, {"run": {"step": 2}})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


def test_modules_that_cannot_be_rebuilt_are_refused(tmp_path):
    with pytest.raises(TypeError, match="cannot be rebuilt"):
        save_checkpoint(tmp_path / "m.safetensors", {"linear": torch.nn.Linear(2, 2)})
    with pytest.raises(ValueError, match="architecture"):
        save_checkpoint(tmp_path / "m.safetensors", {}, {"architecture": {}})


def test_foreign_safetensors_files_are_rejected(tmp_path):
    save_file({"weight": torch.zeros(2)}, tmp_path / "other.safetensors", metadata={"format": "pt"})
    with pytest.raises(ValueError, match="not an Atelier checkpoint"):
        load_checkpoint(tmp_path / "other.safetensors")


def test_metadata_is_plain_json(modules, tmp_path):
    save_checkpoint(tmp_path / "m.safetensors", {"tryon_model": modules["tryon_model"]}, RUN)
    configs = read_checkpoint_configs(tmp_path / "m.safetensors")
    assert json.loads(json.dumps(configs)) == configs
    assert configs["architecture"]["tryon_model"]["mmdit"] == MMDIT_PRESETS["tiny"].to_dict()
