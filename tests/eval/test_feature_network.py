"""FeatureNetwork: shapes, presets, and self-describing save/load."""

import pytest
import torch

from atelier.eval.judges.feature_network import PRESETS, FeatureNetwork, FeatureNetworkConfig


def test_default_preset_is_small_and_gives_multiscale_features():
    network = FeatureNetwork()
    parameters = sum(p.numel() for p in network.parameters())
    assert 1_000_000 <= parameters <= 3_000_000
    features = network.forward_stages(torch.rand(2, 3, 32, 48))
    assert [f.shape[1] for f in features] == list(PRESETS["default"].stage_channels)
    assert [tuple(f.shape[-2:]) for f in features] == [(32, 48), (16, 24), (8, 12), (4, 6), (2, 3)]
    assert all((f >= 0).all() for f in features)


def test_embedding_is_unit_length_and_independent_of_batch():
    torch.manual_seed(0)
    network = FeatureNetwork(PRESETS["tiny"]).eval()
    images = torch.rand(3, 3, 24, 24)
    embeddings = network.embed(images)
    assert embeddings.shape == (3, PRESETS["tiny"].embed_dim)
    assert torch.allclose(embeddings.norm(dim=-1), torch.ones(3), atol=1e-5)
    assert torch.allclose(network.embed(images[1:2]), embeddings[1:2], atol=1e-5)


def test_save_load_round_trip_needs_only_the_file(tmp_path):
    torch.manual_seed(0)
    config = FeatureNetworkConfig(stage_channels=(8, 16, 24), convs_per_stage=2, embed_dim=12)
    network = FeatureNetwork(config)
    path = tmp_path / "features.safetensors"
    network.save(path)
    loaded = FeatureNetwork.load(path)
    assert loaded.config == config
    images = torch.rand(2, 3, 16, 16)
    assert torch.equal(loaded.embed(images), network.embed(images))


def test_load_rejects_other_files(tmp_path):
    from safetensors.torch import save_file

    path = tmp_path / "other.safetensors"
    save_file({"w": torch.zeros(1)}, str(path))
    with pytest.raises(ValueError, match="not a saved FeatureNetwork"):
        FeatureNetwork.load(path)
