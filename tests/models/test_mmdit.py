import dataclasses

import pytest
import torch

from atelier.models.mmdit import PRESETS, MMDiTConfig, build_transformer


def _parameter_count(module: torch.nn.Module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_is_a_consistent_config(name):
    config = PRESETS[name]
    assert sum(config.axes_dims_rope) == config.attention_head_dim
    assert MMDiTConfig.from_dict(config.to_dict()) == config


def test_default_preset_is_small_enough_to_ship(capsys):
    model = build_transformer(PRESETS["default"])
    count = _parameter_count(model)
    megabytes = count * 4 / 1e6
    with capsys.disabled():
        print(f"\nMMDiT default preset: {count:,} parameters, {megabytes:.1f} MB in fp32")
    assert 4_000_000 <= count <= 6_000_000
    assert megabytes < 30


def test_medium_preset_fits_the_shipped_weights_budget_in_bf16():
    # Over the 8-channel autoencoder a 4×4 patch carries 128 channels, as configs/gpu_c8.yaml has it.
    model = build_transformer(
        dataclasses.replace(PRESETS["medium"], in_channels=128, joint_attention_dim=128, pooled_projection_dim=128)
    )
    count = _parameter_count(model)
    assert 12_000_000 <= count <= 15_000_000
    assert count * 2 / 1e6 < 30  # bf16 export; weights/ holds 50 MB in all


def test_flux_presets_have_the_published_flux1_size():
    # FLUX.1 [dev] has 11.9B transformer parameters; build on the meta device to count without memory.
    with torch.device("meta"):
        model = build_transformer(PRESETS["flux-dev"])
    assert 11.8e9 < _parameter_count(model) < 12.0e9
    assert model.config.guidance_embeds and model.config.in_channels == 64
    assert PRESETS["flux-kontext"] == PRESETS["flux-dev"]


def test_builder_passes_every_field_to_the_transformer():
    config = PRESETS["tiny"]
    model = build_transformer(config)
    assert len(model.transformer_blocks) == config.num_layers
    assert len(model.single_transformer_blocks) == config.num_single_layers
    assert model.inner_dim == config.width
    assert model.x_embedder.in_features == config.in_channels
    assert model.context_embedder.in_features == config.joint_attention_dim
    assert tuple(model.config.axes_dims_rope) == config.axes_dims_rope


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"axes_dims_rope": (4, 6, 8)}, "sum to attention_head_dim"),
        ({"axes_dims_rope": (3, 7, 6)}, "even"),
        ({"in_channels": 18}, "in_channels"),
    ],
)
def test_inconsistent_configs_are_rejected(change, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(PRESETS["tiny"], **change)


def test_unknown_fields_in_a_stored_config_fail_loudly():
    with pytest.raises(ValueError, match=r"unknown key\(s\) \[.num_experts.\] in MMDiTConfig"):
        MMDiTConfig.from_dict({**PRESETS["tiny"].to_dict(), "num_experts": 4})


def test_patch_size_sets_how_many_latent_channels_a_token_carries():
    config = dataclasses.replace(PRESETS["tiny"], in_channels=64, patch_size=4)
    assert config.latent_channels == 4
    assert MMDiTConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="16 × latent channels"):
        dataclasses.replace(PRESETS["tiny"], in_channels=40, patch_size=4)
    with pytest.raises(ValueError, match="patch_size must be at least 1"):
        dataclasses.replace(PRESETS["tiny"], patch_size=0)
