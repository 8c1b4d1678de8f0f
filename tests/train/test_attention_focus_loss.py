import pytest
import torch
from diffusers.models.transformers.transformer_flux import FluxAttnProcessor

from atelier.models.conditioning import pack_latents
from atelier.pipelines.task_inputs import TASKS
from atelier.train.attention_focus_loss import attention_focus_loss, token_change_shares
from atelier.train.change_weights import CHANGE_SCALE
from atelier.train.loop import preview_records
from atelier.train.task_builder import build_task
from tests.train.conftest import tiny_config


def test_change_shares_are_per_token_in_packing_order():
    person = torch.zeros(4, 8, 6)
    target = person.clone()
    target[:, 2:4, 4:6] = CHANGE_SCALE  # one whole 2×2 patch: row 1, column 2 of the token grid
    target[:, 0, 0] = CHANGE_SCALE / 2  # a quarter of token 0, half changed
    shares = token_change_shares(target, person, patch_size=2)
    expected = pack_latents(torch.zeros(1, 1, 8, 6), 2)[0, :, 0]
    expected[1 * 3 + 2] = 1.0
    expected[0] = 0.125
    torch.testing.assert_close(shares, expected)
    with pytest.raises(ValueError, match="one shape"):
        token_change_shares(target, person[:, :4], 2)


def test_the_loss_is_zero_on_the_shares_and_counts_only_chosen_samples():
    shares = torch.tensor([[1.0, 0.0, 0.5], [0.0, 0.0, 0.0]])
    chosen = torch.tensor([True, False])
    exact = [shares.clone(), shares.clone()]
    assert float(attention_focus_loss(exact, shares, chosen)) == 0.0
    wrong_second = [shares.clone(), torch.tensor([[1.0, 0.0, 0.5], [1.0, 1.0, 1.0]])]
    assert float(attention_focus_loss(wrong_second, shares, chosen)) == 0.0
    off = [torch.tensor([[0.0, 0.0, 0.5], [0.0, 0.0, 0.0]])] * 2
    assert float(attention_focus_loss(off, shares, chosen)) == pytest.approx(1 / 3)
    assert float(attention_focus_loss(off, shares, torch.tensor([False, False]))) == 0.0
    with pytest.raises(ValueError, match="no attention layer"):
        attention_focus_loss([], shares, chosen)


def test_training_with_attention_focus_teaches_the_focus_head(tmp_path):
    from accelerate import Accelerator

    config = tiny_config(tmp_path, flow_matching={"reference_dropout": 0.0, "text_dropout": 0.0, "attention_focus": 1.0})
    task = build_task(config, Accelerator(cpu=True))
    assert "loss_focus" in task.metric_names
    records = preview_records(config, len(TASKS))
    batch = task.make_batch(records, torch.Generator().manual_seed(0))
    assert batch.focus_shares.shape == (len(TASKS), 16 * 12)
    changed = {task_name: float(shares.max()) for task_name, shares in zip(batch.tasks, batch.focus_shares, strict=True)}
    assert changed["single"] > 0.5 and changed["modelfree"] == 0.0 and changed["tryoff"] == 0.0
    # The whole loss (flow + focus) on one batch: the focus part must fall.
    optimizer = torch.optim.Adam(task.model.parameters(), lr=1e-2)
    focus_losses = []
    for step in range(12):
        losses = task(batch, torch.Generator().manual_seed(step))
        optimizer.zero_grad()
        losses["loss"].backward()
        optimizer.step()
        focus_losses.append(float(losses["loss_focus"]))
    assert focus_losses[-1] < 0.6 * focus_losses[0]


def test_without_attention_focus_no_probe_runs(tmp_path):
    from accelerate import Accelerator

    config = tiny_config(tmp_path)
    task = build_task(config, Accelerator(cpu=True))
    batch = task.make_batch(preview_records(config, len(TASKS)), torch.Generator().manual_seed(0))
    assert batch.focus_shares is None
    assert "loss_focus" not in task(batch, torch.Generator().manual_seed(0))
    processors = {type(module.attn.processor) for module in task.model.transformer.transformer_blocks}
    assert processors == {FluxAttnProcessor}
