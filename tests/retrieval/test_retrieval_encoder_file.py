"""The weights file: bf16 on disk, rebuilt from the file alone, typed errors for bad files."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file

from atelier.retrieval.encoder_file import (
    ENCODER_FILE,
    UnusableWeights,
    load_encoder,
    read_encoder_metadata,
    save_encoder,
    tied_aliases,
)
from atelier.retrieval.untrained_encoder import untrained_encoder


@pytest.fixture(scope="module")
def encoder():
    torch.manual_seed(0)
    return untrained_encoder("tiny").eval()


def bf16_copy(encoder):
    """The encoder with every weight rounded through bfloat16, as the file stores it."""
    copy = untrained_encoder("tiny")
    copy.load_state_dict({name: tensor.to(torch.bfloat16).float() for name, tensor in encoder.state_dict().items()})
    return copy.eval()


def test_round_trip_rebuilds_the_same_encoder_from_the_file_alone(encoder, tmp_path):
    path = save_encoder(tmp_path / "weights", encoder, {"steps": 3})
    assert path == tmp_path / "weights" / ENCODER_FILE
    loaded = load_encoder(tmp_path / "weights")
    assert loaded.config == encoder.config
    assert loaded.tokenizer.to_str() == encoder.tokenizer.to_str()
    assert next(loaded.parameters()).dtype == torch.float32
    reference = bf16_copy(encoder)
    images = torch.rand(2, 3, 64, 48) * 2 - 1
    with torch.no_grad():
        torch.testing.assert_close(loaded.embed_images(images), reference.embed_images(images))
        torch.testing.assert_close(loaded.embed_texts(["red dress"]), reference.embed_texts(["red dress"]))
    assert loaded.generate_captions(images, "short") == reference.generate_captions(images, "short")
    assert read_encoder_metadata(path)["run"] == {"steps": 3}


def test_file_is_bf16_and_stores_tied_weights_once(encoder, tmp_path):
    path = save_encoder(tmp_path / "encoder.safetensors", encoder)
    with safe_open(str(path), framework="pt") as file:
        names = set(file.keys())
        assert {file.get_tensor(name).dtype for name in names} == {torch.bfloat16}
        assert json.loads(file.metadata()["architecture"]) == encoder.config.to_dict()
    aliases = tied_aliases(encoder)
    assert aliases == {"caption_decoder.token_embedding.weight"}
    assert not aliases & names and "query_transformer.token_embedding.weight" in names
    loaded = load_encoder(path)
    assert loaded.caption_decoder.token_embedding.weight is loaded.query_transformer.token_embedding.weight


def test_missing_and_foreign_files_give_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no retrieval encoder"):
        load_encoder(tmp_path)
    (tmp_path / ENCODER_FILE).write_bytes(b"not safetensors at all")
    with pytest.raises(UnusableWeights, match="not a readable safetensors"):
        load_encoder(tmp_path)
    save_file({"x": torch.zeros(1)}, str(tmp_path / ENCODER_FILE), metadata={"format": "something-else"})
    with pytest.raises(UnusableWeights, match="not a retrieval encoder"):
        load_encoder(tmp_path)


def test_weights_that_do_not_fit_the_architecture_are_refused(encoder, tmp_path):
    path = save_encoder(tmp_path / "encoder.safetensors", encoder)
    with safe_open(str(path), framework="pt") as file:
        metadata = file.metadata()
        tensors = {name: file.get_tensor(name) for name in file.keys() if not name.startswith("matching_head")}  # noqa: SIM118 - safe_open handles are not iterable
    save_file(tensors, str(path), metadata=metadata)
    with pytest.raises(UnusableWeights, match="do not fit"):
        load_encoder(path)
