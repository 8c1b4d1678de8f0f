"""Attention focus (UniFit): where the target changes, one head looks at the garments.

The try-on model mostly copies the person photo it is shown: the photo's token at the same
position is the easiest thing to attend to, and the garment images are read little (a blank
garment moves the shipped model's output by a few grey levels). UniFit's attention-focusing
loss supervises attention maps with masks. Atelier's version supervises one head of every
attention layer, the *focus head* (head 0): for each target token it measures the attention
mass that head puts on garment tokens (every condition whose role is in `GARMENT_ROLES`), and
training pulls that mass towards the share of the token that the try-on changes (1 on the new
garment, 0 on the face and background; `atelier.train.attention_focus_loss`). The other heads
stay free. Nothing changes at inference: the probe only runs while a training step opens it.

The probe recomputes the focus head's queries and keys beside diffusers' own attention (the
same projections, norms and rotary embedding, one head and only the target's queries), so
`FluxTransformer2DModel` and its processor stay diffusers' own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from diffusers.models.embeddings import apply_rotary_emb
from diffusers.models.transformers.transformer_flux import FluxAttention, FluxAttnProcessor
from torch import nn

FOCUS_HEAD = 0


@dataclass
class FocusProbe:
    """What one forward's attention layers report to, and where they find the target.

    Attributes:
        text_len: T, text tokens at the start of the joint [text; image] sequence.
        target_len: L_t, target tokens right after the text.
        garment_keys: (B, T + L) bool, the keys whose attention mass is measured.
        masses: per attention layer in forward order, (B, L_t) attention mass of the focus
            head's target queries on `garment_keys`.
    """

    text_len: int
    target_len: int
    garment_keys: torch.Tensor
    masses: list[torch.Tensor] = field(default_factory=list)


class FocusProbeHolder:
    """The probe the processors of one model report to; None between training steps."""

    def __init__(self) -> None:
        self.probe: FocusProbe | None = None


class FocusProbeProcessor(FluxAttnProcessor):
    """diffusers' Flux attention, plus the focus head's garment mass while a probe is open."""

    def __init__(self, holder: FocusProbeHolder):
        super().__init__()
        self.holder = holder

    def __call__(
        self,
        attn: FluxAttention,
        hidden_states: torch.Tensor,
        encoder_hidden_states: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        image_rotary_emb: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        probe = self.holder.probe
        if probe is not None:
            probe.masses.append(
                focus_head_mass(attn, hidden_states, encoder_hidden_states, attention_mask, image_rotary_emb, probe)
            )
        return super().__call__(attn, hidden_states, encoder_hidden_states, attention_mask, image_rotary_emb)


def _head_projection(linear: nn.Linear, norm: nn.Module, tokens: torch.Tensor, head_dim: int) -> torch.Tensor:
    """One head's normalised projection: (B, S, D_model) -> (B, S, 1, head_dim)."""
    rows = slice(FOCUS_HEAD * head_dim, (FOCUS_HEAD + 1) * head_dim)
    bias = None if linear.bias is None else linear.bias[rows]
    return norm(F.linear(tokens, linear.weight[rows], bias)[:, :, None, :])


def focus_head_mass(
    attn: FluxAttention,
    hidden_states: torch.Tensor,
    encoder_hidden_states: torch.Tensor | None,
    attention_mask: torch.Tensor | None,
    image_rotary_emb: tuple[torch.Tensor, torch.Tensor] | None,
    probe: FocusProbe,
) -> torch.Tensor:
    """The focus head's attention mass from each target query onto the probe's garment keys.

    Double-stream layers get the image tokens as `hidden_states` and the text apart; single-
    stream layers get the joint [text; image] sequence. Either way the keys are [text; image].

    Returns:
        (B, L_t) attention mass in [0, 1].
    """
    head_dim = attn.head_dim
    if encoder_hidden_states is not None:
        image_keys = _head_projection(attn.to_k, attn.norm_k, hidden_states, head_dim)
        text_keys = _head_projection(attn.add_k_proj, attn.norm_added_k, encoder_hidden_states, head_dim)
        keys = torch.cat([text_keys, image_keys], dim=1)
        targets = hidden_states[:, : probe.target_len]
    else:
        keys = _head_projection(attn.to_k, attn.norm_k, hidden_states, head_dim)
        targets = hidden_states[:, probe.text_len : probe.text_len + probe.target_len]
    queries = _head_projection(attn.to_q, attn.norm_q, targets, head_dim)
    if image_rotary_emb is not None:
        cos, sin = image_rotary_emb
        target_rows = slice(probe.text_len, probe.text_len + probe.target_len)
        queries = apply_rotary_emb(queries, (cos[target_rows], sin[target_rows]), sequence_dim=1)
        keys = apply_rotary_emb(keys, image_rotary_emb, sequence_dim=1)
    scores = torch.einsum("bqd,bkd->bqk", queries[:, :, 0].float(), keys[:, :, 0].float()) / head_dim**0.5
    if attention_mask is not None:
        scores = scores.masked_fill(~attention_mask.reshape(scores.shape[0], 1, -1), float("-inf"))
    weights = scores.softmax(dim=-1)
    return (weights * probe.garment_keys[:, None, :].to(weights)).sum(dim=-1)


def install_focus_probe(transformer: nn.Module) -> FocusProbeHolder:
    """Give every attention layer of a Flux transformer a probe processor; returns their holder."""
    holder = FocusProbeHolder()
    layers = [module for module in transformer.modules() if isinstance(module, FluxAttention)]
    if not layers:
        raise ValueError("the transformer has no Flux attention layers to probe")
    for layer in layers:
        layer.set_processor(FocusProbeProcessor(holder))
    return holder


@contextmanager
def open_probe(holder: FocusProbeHolder, probe: FocusProbe) -> Iterator[FocusProbe]:
    """Let the layers report into `probe` for the forwards inside the block."""
    holder.probe = probe
    try:
        yield probe
    finally:
        holder.probe = None
