import dataclasses

import pytest
import torch

from atelier.models.autoencoder import PRESETS as AUTOENCODER_PRESETS
from atelier.models.autoencoder import build_autoencoder
from atelier.models.checkpoint import load_checkpoint
from atelier.models.conditioning import Condition, pack_latents, unpack_latents
from atelier.models.mmdit import PRESETS
from atelier.models.tryon_model import TryOnModel
from atelier.train.latent_bridge import LatentBridge, bridge_tryon_model, fit_latent_bridge
from atelier.train.loop import train
from atelier.train.training_checkpoints import MODEL_FILE
from tests.train.conftest import tiny_autoencoder_config, tiny_config

PATCH = PRESETS["tiny"].patch_size


def _map_tokens(latents: torch.Tensor, linear: torch.Tensor, bias: torch.Tensor, channels: int) -> torch.Tensor:
    """Apply a packed-token affine map to (B, C, h, w) latents, giving (B, channels / p², h, w)."""
    height, width = latents.shape[2:]
    tokens = pack_latents(latents, PATCH) @ linear + bias
    return unpack_latents(tokens, height, width, PATCH)


def test_a_bridged_model_is_the_source_model_seen_through_the_maps():
    # An exactly invertible affine map: the bridged model on target latents must equal the
    # source model on the mapped latents, with its velocity mapped back.
    torch.manual_seed(0)
    source = TryOnModel(PRESETS["tiny"]).eval()
    channels = source.config.in_channels
    to_source = torch.randn(channels, channels) / channels**0.5 + torch.eye(channels)
    to_source_bias = torch.randn(channels) * 0.3
    to_target = torch.linalg.inv(to_source)
    bridge = LatentBridge(to_source, to_source_bias, to_target, -to_source_bias @ to_target, 1.0, 1.0)
    bridged = bridge_tryon_model(source, bridge).eval()

    target_latents, person = torch.randn(2, 4, 8, 6), torch.randn(2, 4, 8, 6)
    text, pooled, sigma = torch.randn(2, 5, 32), torch.randn(2, 32), torch.tensor([0.3, 0.8])
    with torch.no_grad():
        seen_by_source = source(
            _map_tokens(target_latents, to_source, to_source_bias, channels),
            sigma,
            text,
            pooled,
            [Condition(_map_tokens(person, to_source, to_source_bias, channels), "person")],
        )
        expected = _map_tokens(seen_by_source, bridge.to_target, -bridge.to_target_bias, channels)
        got = bridged(target_latents, sigma, text, pooled, [Condition(person, "person")])
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=1e-4)
    assert not torch.equal(bridged.transformer.x_embedder.weight, source.transformer.x_embedder.weight)


def test_the_bridge_between_an_autoencoder_and_itself_is_the_identity():
    torch.manual_seed(0)
    autoencoder = build_autoencoder(AUTOENCODER_PRESETS["tiny"]).eval()
    images = torch.rand(4, 3, 32, 24) * 2 - 1
    bridge = fit_latent_bridge(autoencoder, autoencoder, images, PATCH)
    assert bridge.r2_to_source > 0.999 and bridge.r2_to_target > 0.999
    torch.testing.assert_close(bridge.to_source, torch.eye(bridge.to_source.shape[0]), atol=1e-3, rtol=0)


def test_autoencoders_of_different_downsampling_cannot_be_bridged():
    tiny = AUTOENCODER_PRESETS["tiny"]
    deeper = dataclasses.replace(tiny, block_out_channels=(8, 16, 16))
    images = torch.zeros(1, 3, 32, 24)
    with pytest.raises(ValueError, match="downsample"):
        fit_latent_bridge(build_autoencoder(tiny), build_autoencoder(deeper), images, PATCH)


def test_a_bridge_needs_the_models_token_width():
    model = TryOnModel(PRESETS["tiny"])
    wrong = LatentBridge(torch.zeros(8, 8), torch.zeros(8), torch.zeros(8, 8), torch.zeros(8), 1.0, 1.0)
    with pytest.raises(ValueError, match="16-channel tokens"):
        bridge_tryon_model(model, wrong)


def test_a_run_carries_a_trained_model_over_to_an_autoencoder_with_more_channels(tmp_path):
    trained = train(tiny_config(tmp_path / "tryon", steps=1, logging={"sample_every": 0})).checkpoint
    wider = {"autoencoder": {"preset": "tiny", "overrides": {"latent_channels": 8}}}
    autoencoder = train(tiny_autoencoder_config(tmp_path / "autoencoder", steps=1, model=wider)).checkpoint

    model = {
        "transformer": {"preset": "tiny", "checkpoint": str(trained)},
        "autoencoder": {"checkpoint": str(autoencoder)},
    }
    result = train(tiny_config(tmp_path / "carried", steps=2, model=model, logging={"sample_every": 0}))

    modules = load_checkpoint(result.checkpoint / MODEL_FILE).modules
    assert modules["autoencoder"].latent_channels == 8
    assert modules["tryon_model"].config.in_channels == 8 * PATCH**2
    source = load_checkpoint(trained / MODEL_FILE).modules["tryon_model"]
    # The middle of the transformer starts from the trained weights, not from a fresh draw.
    block = "transformer.transformer_blocks.0.attn.to_q.weight"
    moved = (modules["tryon_model"].state_dict()[block] - source.state_dict()[block]).abs().max()
    assert moved < 0.05
    assert all(torch.isfinite(torch.tensor(loss)) for loss in result.losses)
