import dataclasses

import pytest
import torch

from atelier.models.checkpoint import load_checkpoint, save_checkpoint
from atelier.models.conditioning import ABSENT_ROLE, Condition
from atelier.models.mmdit import PRESETS
from atelier.models.tryon_model import TryOnModel

CHANNELS, TEXT_DIM = 4, 32


def _model(summary: bool, seed: int = 0) -> TryOnModel:
    torch.manual_seed(seed)
    return TryOnModel(dataclasses.replace(PRESETS["tiny"], garment_summary=summary))


def _inputs(batch: int, seed: int = 0) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return {
        "noisy_target": torch.randn(batch, CHANNELS, 8, 6, generator=generator),
        "sigma": torch.rand(batch, generator=generator),
        "text_embeds": torch.randn(batch, 5, TEXT_DIM, generator=generator),
        "pooled_text": torch.randn(batch, TEXT_DIM, generator=generator),
    }


def _conditions(batch: int, garment_roles: str | list[str] = "top", seed: int = 1) -> list[Condition]:
    generator = torch.Generator().manual_seed(seed)
    return [
        Condition(torch.randn(batch, CHANNELS, 8, 6, generator=generator), "person"),
        Condition(torch.randn(batch, CHANNELS, 4, 4, generator=generator), garment_roles),
    ]


def _train_summary(model: TryOnModel) -> None:
    """Give the summary's zero-initialised last layer weights, as training would."""
    with torch.no_grad():
        torch.nn.init.normal_(model.garment_summary.mlp[-1].weight, std=0.5)


def test_a_new_summary_is_an_exact_no_op():
    plain, summarised = _model(summary=False), _model(summary=True)
    summarised.load_state_dict(plain.state_dict(), strict=False)
    with torch.no_grad():
        expected = plain(**_inputs(2), conditions=_conditions(2))
        actual = summarised(**_inputs(2), conditions=_conditions(2))
    torch.testing.assert_close(actual, expected, rtol=0, atol=0)


def test_the_garment_image_reaches_the_output_through_the_summary():
    model = _model(summary=True).eval()
    _train_summary(model)
    other_garment = _conditions(2)
    other_garment[1] = Condition(other_garment[1].latents + 1.0, "top")
    with torch.no_grad():
        before = model(**_inputs(2), conditions=_conditions(2))
        after = model(**_inputs(2), conditions=other_garment)
    assert not torch.allclose(before, after, atol=1e-4)


def test_a_dropped_garment_leaves_no_summary_behind():
    # Guidance's garment-free branch marks garments absent; the output must then equal a
    # forward that never had the garment, or guidance would contrast the wrong things.
    model = _model(summary=True).eval()
    _train_summary(model)
    with torch.no_grad():
        dropped = model(**_inputs(1), conditions=_conditions(1, garment_roles=[ABSENT_ROLE]))
        never_there = model(**_inputs(1), conditions=_conditions(1)[:1])
    torch.testing.assert_close(dropped, never_there, rtol=1e-5, atol=1e-5)


def test_gradients_stay_finite_with_absent_slots_and_reach_the_summary():
    model = _model(summary=True)
    velocity = model(**_inputs(2), conditions=_conditions(2, garment_roles=["top", ABSENT_ROLE]))
    velocity.square().mean().backward()
    gradients = [p.grad for p in model.garment_summary.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in gradients)
    assert model.garment_summary.mlp[-1].weight.grad.abs().sum() > 0


@pytest.mark.parametrize("summary", [False, True])
def test_the_checkpoint_rebuilds_the_model_with_or_without_the_summary(summary, tmp_path):
    model = _model(summary=summary)
    save_checkpoint(tmp_path / "model.safetensors", {"transformer": model})
    loaded = load_checkpoint(tmp_path / "model.safetensors").modules["transformer"]
    assert (loaded.garment_summary is not None) is summary
    with torch.no_grad():
        torch.testing.assert_close(loaded(**_inputs(1), conditions=_conditions(1)), model(**_inputs(1), conditions=_conditions(1)))
