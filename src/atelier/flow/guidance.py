"""Classifier-free guidance: turn conditional/unconditional calls into one model_fn.

Try-on has two kinds of condition, the instruction text and the reference images (person,
garments, pose). Following InstructPix2Pix, each gets its own scale:

    v = v_uncond + s_ref·(v_ref − v_uncond) + s_text·(v_full − v_ref)

where v_full sees text and references, v_ref sees references but the empty text, and
v_uncond sees neither. The caller supplies a `branch_fn` that knows how to run the model
for any list of branches stacked along the batch; this module only decides which branches
are needed, stacks them into one forward, and combines the outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

import torch

from atelier.flow.samplers import ModelFn


class Branch(StrEnum):
    """Which conditions a guidance branch keeps."""

    FULL = "full"  # text and references
    REFERENCES = "references"  # references, empty text
    UNCONDITIONAL = "unconditional"  # empty text, no references


BranchFn = Callable[[torch.Tensor, torch.Tensor, Sequence[Branch]], torch.Tensor]
"""(x (k·B, ...), sigma (k·B,), branches (k,)) -> velocity (k·B, ...).

Row block i (rows i·B to (i+1)·B) of the inputs and output belongs to branches[i].
"""


def _branches_needed(text_scale: float, reference_scale: float) -> tuple[Branch, ...]:
    # With a scale of exactly 1 a difference term collapses, so its branch need not run:
    # s_ref = 1 leaves v_ref + s_text·(v_full − v_ref); both 1 leaves v_full.
    if reference_scale == 1.0:
        return (Branch.FULL,) if text_scale == 1.0 else (Branch.FULL, Branch.REFERENCES)
    return (Branch.FULL, Branch.REFERENCES, Branch.UNCONDITIONAL)


def _run_branches(
    branch_fn: BranchFn, branches: tuple[Branch, ...], x: torch.Tensor, sigma: torch.Tensor, batched: bool
) -> dict[Branch, torch.Tensor]:
    """Velocity per branch, from one stacked forward or one forward per branch."""
    if not batched:
        return {branch: branch_fn(x, sigma, (branch,)) for branch in branches}
    count = len(branches)
    stacked = branch_fn(x.repeat(count, *[1] * (x.ndim - 1)), sigma.repeat(count), branches)
    return dict(zip(branches, stacked.chunk(count), strict=True))


def dual_guidance(
    branch_fn: BranchFn,
    *,
    text_scale: float,
    reference_scale: float,
    batched: bool = True,
) -> ModelFn:
    """A model_fn applying separate text and reference guidance scales.

    Args:
        branch_fn: runs the model for a stack of branches, see `BranchFn`.
        text_scale: s_text, strength of following the instruction text.
        reference_scale: s_ref, strength of following the reference images.
        batched: stack all branches in one forward (faster); False runs one forward per
            branch (less peak memory).

    Returns:
        model_fn(x (B, ...), sigma (B,)) -> guided velocity (B, ...).
    """
    branches = _branches_needed(text_scale, reference_scale)

    def model_fn(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        v = _run_branches(branch_fn, branches, x, sigma, batched)
        if len(branches) == 1:
            return v[Branch.FULL]
        if len(branches) == 2:
            return v[Branch.REFERENCES] + text_scale * (v[Branch.FULL] - v[Branch.REFERENCES])
        return (
            v[Branch.UNCONDITIONAL]
            + reference_scale * (v[Branch.REFERENCES] - v[Branch.UNCONDITIONAL])
            + text_scale * (v[Branch.FULL] - v[Branch.REFERENCES])
        )

    return model_fn


def classifier_free_guidance(branch_fn: BranchFn, *, scale: float, batched: bool = True) -> ModelFn:
    """Single-scale guidance, v = v_uncond + s·(v_full − v_uncond).

    The special case s_text = s_ref = s of `dual_guidance` (the v_ref terms cancel), so it
    runs only the FULL and UNCONDITIONAL branches.

    Args:
        branch_fn: runs the model for a stack of branches, see `BranchFn`.
        scale: guidance scale; 1 disables guidance.
        batched: stack both branches in one forward.

    Returns:
        model_fn(x (B, ...), sigma (B,)) -> guided velocity (B, ...).
    """
    branches = (Branch.FULL,) if scale == 1.0 else (Branch.FULL, Branch.UNCONDITIONAL)

    def model_fn(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        v = _run_branches(branch_fn, branches, x, sigma, batched)
        if len(branches) == 1:
            return v[Branch.FULL]
        return v[Branch.UNCONDITIONAL] + scale * (v[Branch.FULL] - v[Branch.UNCONDITIONAL])

    return model_fn
