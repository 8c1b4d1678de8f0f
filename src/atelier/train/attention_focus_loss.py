"""The attention-focus loss: the focus head looks at the garments where the try-on changes the photo.

`atelier.models.attention_focus` measures, per target token and attention layer, how much of
the focus head's attention goes to garment tokens. This module says how much it *should*: the
share of the token's latents that differ from the person photo's (the new garment: 1; the face,
the background, the garments nobody asked to change: 0), known in training from the two clean
latents, as `atelier.train.change_weights` knows it. The loss is the mean squared difference,
as UniFit's attention-focusing loss compares attention maps with masks.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from atelier.train.change_weights import CHANGE_SCALE


def token_change_shares(target: torch.Tensor, person: torch.Tensor, patch_size: int) -> torch.Tensor:
    """How much of each target token the try-on changes.

    Args:
        target: (C, h, w) clean target latents.
        person: (C, h, w) clean latents of the person photo in the same frame.
        patch_size: p, the side of the latent patch in one token.

    Returns:
        (h/p · w/p,) shares in [0, 1], in `pack_latents` token order: the mean over the token's
        latents of their change, each latent counting fully from a mean absolute difference of
        `CHANGE_SCALE`.
    """
    if person.shape != target.shape:
        raise ValueError(f"person latents {tuple(person.shape)} and target latents {tuple(target.shape)} must have one shape")
    change = ((target.float() - person.float()).abs().mean(dim=0) / CHANGE_SCALE).clamp(max=1)
    return F.avg_pool2d(change[None, None], patch_size)[0, 0].flatten()


def attention_focus_loss(masses: Sequence[torch.Tensor], shares: torch.Tensor, samples: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between the focus head's garment mass and the change shares.

    Args:
        masses: per attention layer, (B, L_t) attention mass on garment tokens.
        shares: (B, L_t) change share of each target token (`token_change_shares`).
        samples: (B,) bool, the samples the loss applies to: a person photo changed by
            garments that the sample was given (not dropped).

    Returns:
        Scalar loss, the mean over layers, chosen samples and tokens; 0 (still part of the
        graph) when no sample is chosen.
    """
    if not masses:
        raise ValueError("no attention layer reported a focus mass; was the forward run inside attention_focus()?")
    weights = samples.to(shares)[:, None]
    count = weights.sum() * shares.shape[1]
    per_layer = [((mass - shares).square() * weights).sum() for mass in masses]
    return torch.stack(per_layer).mean() / count.clamp(min=1)
