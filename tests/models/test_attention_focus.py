import pytest
import torch
from diffusers.models.transformers.transformer_flux import FluxAttention, FluxAttnProcessor

from atelier.models.attention_focus import FocusProbe, FocusProbeHolder, FocusProbeProcessor, open_probe
from atelier.models.conditioning import ABSENT_ROLE, Condition, garment_key_mask
from atelier.models.mmdit import PRESETS
from atelier.models.tryon_model import TryOnModel

WIDTH, TEXT_LEN, IMAGE_LEN, TARGET_LEN = 16, 3, 10, 4


def _rotary(length: int) -> tuple[torch.Tensor, torch.Tensor]:
    angles = torch.randn(length, WIDTH // 2, generator=torch.Generator().manual_seed(5))
    return angles.cos().repeat_interleave(2, dim=1), angles.sin().repeat_interleave(2, dim=1)


def _indicator_attention(double_stream: bool) -> FluxAttention:
    """One head whose value and output pass hidden channel 0 through unchanged, so the attention
    output's channel 0 is the attention-weighted mean of the keys' channel 0."""
    torch.manual_seed(0)
    attention = FluxAttention(
        query_dim=WIDTH, heads=1, dim_head=WIDTH, bias=True, added_kv_proj_dim=WIDTH if double_stream else None
    )
    with torch.no_grad():
        for values in [attention.to_v] + ([attention.add_v_proj] if double_stream else []):
            values.weight.zero_()
            values.bias.zero_()
            values.weight[0, 0] = 1.0
        outputs = attention.to_out[0]
        outputs.weight.copy_(torch.eye(WIDTH))
        outputs.bias.zero_()
    return attention


@pytest.mark.parametrize("double_stream", [True, False])
def test_the_focus_mass_is_what_diffusers_attention_gives_the_garment_keys(double_stream):
    # An independent reading of the same attention: with channel 0 of every token set to 1 on
    # garment keys and 0 elsewhere, diffusers' own processor outputs the garment mass there.
    generator = torch.Generator().manual_seed(1)
    garment = torch.zeros(2, TEXT_LEN + IMAGE_LEN, dtype=torch.bool)
    garment[0, TEXT_LEN + 6 :] = True
    garment[1, TEXT_LEN + 5 : TEXT_LEN + 8] = True
    tokens = torch.randn(2, TEXT_LEN + IMAGE_LEN, WIDTH, generator=generator)
    tokens[..., 0] = garment.float()
    mask = torch.ones(2, 1, 1, TEXT_LEN + IMAGE_LEN, dtype=torch.bool)
    mask[1, ..., -1] = False  # a masked key gets no attention
    attention = _indicator_attention(double_stream)
    rotary = _rotary(TEXT_LEN + IMAGE_LEN)
    holder = FocusProbeHolder()
    attention.set_processor(FocusProbeProcessor(holder))
    probe = FocusProbe(text_len=TEXT_LEN, target_len=TARGET_LEN, garment_keys=garment)
    with torch.no_grad(), open_probe(holder, probe):
        if double_stream:
            output, _ = attention(tokens[:, TEXT_LEN:], tokens[:, :TEXT_LEN], attention_mask=mask, image_rotary_emb=rotary)
            seen = output[:, :TARGET_LEN, 0]
        else:
            output = attention(tokens, attention_mask=mask, image_rotary_emb=rotary)
            seen = output[:, TEXT_LEN : TEXT_LEN + TARGET_LEN, 0]
    (mass,) = probe.masses
    assert mass.shape == (2, TARGET_LEN)
    assert 0.05 < float(mass.min()) and float(mass.max()) < 0.95
    torch.testing.assert_close(mass, seen, atol=1e-5, rtol=1e-4)


def test_the_probe_changes_no_output_and_reports_only_while_open():
    torch.manual_seed(0)
    model = TryOnModel(PRESETS["tiny"]).eval()
    generator = torch.Generator().manual_seed(0)
    inputs = {
        "noisy_target": torch.randn(2, 4, 8, 6, generator=generator),
        "sigma": torch.tensor([0.3, 0.8]),
        "text_embeds": torch.randn(2, 5, 32, generator=generator),
        "pooled_text": torch.randn(2, 32, generator=generator),
        "conditions": [
            Condition(torch.randn(2, 4, 8, 6, generator=generator), "person"),
            Condition(torch.randn(2, 4, 4, 4, generator=generator), ["top", ABSENT_ROLE]),
        ],
    }
    with torch.no_grad():
        plain = model(**inputs)
        with model.attention_focus() as masses:
            probed = model(**inputs)
        after = model(**inputs)
    torch.testing.assert_close(probed, plain)
    torch.testing.assert_close(after, plain)
    layers = PRESETS["tiny"].num_layers + PRESETS["tiny"].num_single_layers
    assert len(masses) == layers and all(mass.shape == (2, 12) for mass in masses)
    # The second sample has no garment: nothing to attend to.
    assert all(float(mass[1].abs().max()) == 0 for mass in masses)
    assert all(float(mass[0].min()) > 0 for mass in masses)
    assert isinstance(model.transformer.transformer_blocks[0].attn.processor, FluxAttnProcessor)


def test_garment_keys_follow_the_condition_slots_and_their_roles():
    conditions = [
        Condition(torch.zeros(2, 4, 8, 8), "person"),
        Condition(torch.zeros(2, 4, 4, 4), ["shoes", ABSENT_ROLE]),
        Condition(torch.zeros(2, 4, 8, 8), ["pose", "outfit_source"]),
    ]
    mask = garment_key_mask(conditions, 2, patch_size=2)
    assert mask.shape == (2, 16 + 4 + 16)
    assert mask[0].tolist() == [False] * 16 + [True] * 4 + [False] * 16
    assert mask[1].tolist() == [False] * 20 + [True] * 16
    assert garment_key_mask([], 3).shape == (3, 0)
