"""Classifier-free guidance: turn conditional/unconditional calls into one model_fn.

Try-on has two kinds of condition, the instruction text and the reference images (person,
garments, pose). Following InstructPix2Pix, each gets its own scale:

    v = v_uncond + s_ref·(v_ref − v_uncond) + s_text·(v_full − v_ref)

where v_full sees text and references, v_ref sees references but the empty text, and
v_uncond sees neither. Garment guidance splits the reference term in two, so the garments
can be followed harder than the person photo they go on:

    v = v_uncond + s_ref·(v_bare − v_uncond) + s_garment·(v_ref − v_bare) + s_text·(v_full − v_ref)

where v_bare sees the references that are not garments (the person, the pose) and the empty
text; with s_garment = s_ref the v_bare terms cancel and it is the first formula. The caller
supplies a `branch_fn` that knows how to run the model for any list of branches stacked along
the batch; this module only decides which branches
are needed, stacks those with references into one forward (the unconditional one runs apart,
so it can be a shorter sequence), and combines the outputs.
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
    NO_GARMENTS = "no_garments"  # the references that are not garments (person, pose), empty text
    UNCONDITIONAL = "unconditional"  # empty text, no references


BranchFn = Callable[[torch.Tensor, torch.Tensor, Sequence[Branch]], torch.Tensor]
"""(x (k·B, ...), sigma (k·B,), branches (k,)) -> velocity (k·B, ...).

Row block i (rows i·B to (i+1)·B) of the inputs and output belongs to branches[i].
"""


def _branches_needed(text_scale: float, reference_scale: float, garment_scale: float) -> tuple[Branch, ...]:
    # With a scale of exactly 1 a difference term collapses, so its branch need not run:
    # s_ref = 1 leaves v_ref + s_text·(v_full − v_ref); both 1 leaves v_full. Garment guidance
    # equal to reference guidance needs no garment-free branch (its terms cancel).
    if garment_scale != reference_scale:
        with_garments = (Branch.FULL, Branch.REFERENCES, Branch.NO_GARMENTS)
        return with_garments if reference_scale == 1.0 else (*with_garments, Branch.UNCONDITIONAL)
    if reference_scale == 1.0:
        return (Branch.FULL,) if text_scale == 1.0 else (Branch.FULL, Branch.REFERENCES)
    return (Branch.FULL, Branch.REFERENCES, Branch.UNCONDITIONAL)


def _run_branches(
    branch_fn: BranchFn, branches: tuple[Branch, ...], x: torch.Tensor, sigma: torch.Tensor, batched: bool
) -> dict[Branch, torch.Tensor]:
    """Velocity per branch: the branches with references stacked in one forward (or one
    forward each when not `batched`), the unconditional branch always in a forward of its own.

    Keeping the unconditional branch apart lets `branch_fn` leave the references out of its
    sequence instead of carrying them as masked tokens: with six references that is a
    sequence a fifth as long.
    """
    stackable = [branch for branch in branches if branch != Branch.UNCONDITIONAL]
    groups = [tuple(stackable)] if batched else [(branch,) for branch in stackable]
    if Branch.UNCONDITIONAL in branches:
        groups.append((Branch.UNCONDITIONAL,))
    velocities: dict[Branch, torch.Tensor] = {}
    for group in groups:
        count = len(group)
        stacked = branch_fn(x.repeat(count, *[1] * (x.ndim - 1)), sigma.repeat(count), group)
        velocities.update(zip(group, stacked.chunk(count), strict=True))
    return velocities


def dual_guidance(
    branch_fn: BranchFn,
    *,
    text_scale: float,
    reference_scale: float,
    garment_scale: float | None = None,
    batched: bool = True,
) -> ModelFn:
    """A model_fn applying separate text, reference and garment guidance scales.

    Args:
        branch_fn: runs the model for a stack of branches, see `BranchFn`.
        text_scale: s_text, strength of following the instruction text.
        reference_scale: s_ref, strength of following the reference images.
        garment_scale: s_garment, strength of following the garment references over the person
            photo; None (or equal to s_ref) follows them as much as every other reference.
        batched: stack the branches with references in one forward (faster); False runs
            one forward per branch (less peak memory).

    Returns:
        model_fn(x (B, ...), sigma (B,)) -> guided velocity (B, ...).
    """
    garment_scale = reference_scale if garment_scale is None else garment_scale
    branches = _branches_needed(text_scale, reference_scale, garment_scale)

    def model_fn(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        v = _run_branches(branch_fn, branches, x, sigma, batched)
        if len(branches) == 1:
            return v[Branch.FULL]
        text_term = text_scale * (v[Branch.FULL] - v[Branch.REFERENCES])
        if Branch.NO_GARMENTS in v:
            bare = v[Branch.NO_GARMENTS]
            if Branch.UNCONDITIONAL in v:
                bare = v[Branch.UNCONDITIONAL] + reference_scale * (bare - v[Branch.UNCONDITIONAL])
            return bare + garment_scale * (v[Branch.REFERENCES] - v[Branch.NO_GARMENTS]) + text_term
        if len(branches) == 2:
            return v[Branch.REFERENCES] + text_term
        return v[Branch.UNCONDITIONAL] + reference_scale * (v[Branch.REFERENCES] - v[Branch.UNCONDITIONAL]) + text_term

    return model_fn


def classifier_free_guidance(branch_fn: BranchFn, *, scale: float) -> ModelFn:
    """Single-scale guidance, v = v_uncond + s·(v_full − v_uncond).

    The special case of `dual_guidance` where the text term vanishes: with equal scales
    (the v_ref terms cancel), or when every instruction is empty, so that FULL and REFERENCES
    see the same inputs and v_full = v_ref. It runs only the FULL and UNCONDITIONAL branches.

    Args:
        branch_fn: runs the model for a stack of branches, see `BranchFn`.
        scale: guidance scale; 1 disables guidance.

    Returns:
        model_fn(x (B, ...), sigma (B,)) -> guided velocity (B, ...).
    """
    branches = (Branch.FULL,) if scale == 1.0 else (Branch.FULL, Branch.UNCONDITIONAL)

    def model_fn(x: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        v = _run_branches(branch_fn, branches, x, sigma, batched=True)
        if len(branches) == 1:
            return v[Branch.FULL]
        return v[Branch.UNCONDITIONAL] + scale * (v[Branch.FULL] - v[Branch.UNCONDITIONAL])

    return model_fn
