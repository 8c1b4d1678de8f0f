import dataclasses

import pytest
import torch

from atelier.models.conditioning import ABSENT_ROLE, Condition
from atelier.models.mmdit import PRESETS
from atelier.models.tryon_model import TryOnModel

CHANNELS, TEXT_LEN, TEXT_DIM = 4, 5, 32


@pytest.fixture(scope="module")
def model() -> TryOnModel:
    torch.manual_seed(0)
    return TryOnModel(PRESETS["tiny"]).eval()


def _inputs(batch: int, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    return {
        "noisy_target": torch.randn(batch, CHANNELS, 8, 6, generator=generator),
        "sigma": torch.rand(batch, generator=generator),
        "text_embeds": torch.randn(batch, TEXT_LEN, TEXT_DIM, generator=generator),
        "pooled_text": torch.randn(batch, TEXT_DIM, generator=generator),
    }


def _latents(batch: int, height: int, width: int, seed: int) -> torch.Tensor:
    return torch.randn(batch, CHANNELS, height, width, generator=torch.Generator().manual_seed(seed))


# Person at the target's size, garments smaller and of differing shapes, a pose map.
MIXED = [("person", 8, 6), ("top", 4, 4), ("pants", 6, 4), ("shoes", 2, 4), ("hat", 2, 2), ("pose", 8, 6)]


@pytest.mark.parametrize("count", [0, 1, 3, 6])
def test_velocity_has_the_target_shape_for_any_number_of_mixed_size_conditions(model, count):
    conditions = [Condition(_latents(2, h, w, seed=i), role) for i, (role, h, w) in enumerate(MIXED[:count])]
    with torch.no_grad():
        velocity = model(**_inputs(2), conditions=conditions)
    assert velocity.shape == (2, CHANNELS, 8, 6)
    assert torch.isfinite(velocity).all()


def test_samples_with_different_condition_counts_batch_exactly_like_separate_runs(model):
    person, top, shoes = _latents(2, 8, 6, 1), _latents(2, 4, 4, 2), _latents(2, 2, 4, 3)
    inputs = _inputs(2)
    batch_conditions = [
        Condition(person, "person"),
        Condition(top, ["top", ABSENT_ROLE]),  # sample 1 has only the person
        Condition(shoes, ["shoes", ABSENT_ROLE]),
    ]
    with torch.no_grad():
        batched = model(**inputs, conditions=batch_conditions)
        first = model(
            **{k: v[:1] for k, v in inputs.items()},
            conditions=[Condition(person[:1], "person"), Condition(top[:1], "top"), Condition(shoes[:1], "shoes")],
        )
        second = model(**{k: v[1:] for k, v in inputs.items()}, conditions=[Condition(person[1:], "person")])
    torch.testing.assert_close(batched[:1], first, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(batched[1:], second, atol=1e-5, rtol=1e-5)


def test_absent_conditions_ignore_whatever_latents_they_hold(model):
    inputs = _inputs(1)
    with torch.no_grad():
        one = model(**inputs, conditions=[Condition(_latents(1, 4, 4, 5), ABSENT_ROLE)])
        other = model(**inputs, conditions=[Condition(_latents(1, 4, 4, 6) * 100, ABSENT_ROLE)])
    torch.testing.assert_close(one, other)


def test_absent_conditions_give_what_no_conditions_give(model):
    # The guidance's unconditional branch leaves references out of the sequence instead of
    # masking them; the two must agree.
    inputs = _inputs(2)
    absent = [Condition(_latents(2, h, w, seed=i), ABSENT_ROLE) for i, (_, h, w) in enumerate(MIXED)]
    with torch.no_grad():
        masked = model(**inputs, conditions=absent)
        left_out = model(**inputs, conditions=[])
    torch.testing.assert_close(masked, left_out, atol=1e-5, rtol=1e-5)


def test_the_role_changes_the_output(model):
    inputs, garment = _inputs(1), _latents(1, 4, 4, 7)
    with torch.no_grad():
        as_top = model(**inputs, conditions=[Condition(garment, "top")])
        as_pants = model(**inputs, conditions=[Condition(garment, "pants")])
    assert (as_top - as_pants).abs().max() > 1e-4


def test_conditions_and_text_change_the_output(model):
    inputs = _inputs(1)
    with torch.no_grad():
        plain = model(**inputs)
        with_person = model(**inputs, conditions=[Condition(_latents(1, 8, 6, 8), "person")])
        other_text = model(**{**inputs, "text_embeds": inputs["text_embeds"] + 1})
    assert (plain - with_person).abs().max() > 1e-4
    assert (plain - other_text).abs().max() > 1e-4


def test_padded_text_tokens_are_ignored_under_the_text_mask(model):
    inputs = _inputs(1)
    padded = torch.cat([inputs["text_embeds"], torch.randn(1, 3, TEXT_DIM)], dim=1)
    mask = torch.tensor([[1] * TEXT_LEN + [0] * 3])
    with torch.no_grad():
        short = model(**inputs)
        long = model(**{**inputs, "text_embeds": padded}, text_mask=mask)
    torch.testing.assert_close(short, long, atol=1e-5, rtol=1e-5)


def test_gradients_reach_the_role_table_and_the_transformer():
    torch.manual_seed(0)
    model = TryOnModel(PRESETS["tiny"])
    velocity = model(**_inputs(2), conditions=[Condition(_latents(2, 4, 4, 9), ["top", "coat"])])
    velocity.square().mean().backward()
    table_grad = model.role_embedding.table.grad
    used = [model.roles.index("top"), model.roles.index("coat")]
    assert table_grad[used].abs().sum() > 0
    assert table_grad[model.roles.index("hat")].abs().sum() == 0
    assert model.transformer.x_embedder.weight.grad.abs().sum() > 0


def test_guidance_distilled_configs_demand_a_guidance_value():
    config = dataclasses.replace(PRESETS["tiny"], guidance_embeds=True)
    model = TryOnModel(config).eval()
    with pytest.raises(ValueError, match="guidance"):
        model(**_inputs(1))
    with torch.no_grad():
        assert model(**_inputs(1), guidance=torch.tensor([3.5])).shape == (1, CHANNELS, 8, 6)
