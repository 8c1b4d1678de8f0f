"""`TryOnModel`: the MMDiT over [text; noisy target; conditions] predicting the target's velocity.

Partial diffusion: only the target stream is noisy; conditions (person, garments, pose map,
outfit source) are clean latents read through attention. Which image is the target decides
the task: a dressed person (try-on), a garment (try-off), a person in a new pose.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

import torch
from torch import nn

from atelier.flow.path import sigma_to_timestep
from atelier.models.attention_focus import FocusProbe, FocusProbeHolder, install_focus_probe, open_probe
from atelier.models.conditioning import (
    ROLES,
    Condition,
    RoleEmbedding,
    SequenceLayout,
    assemble_sequence,
    garment_key_mask,
    pack_latents,
    text_position_ids,
    unpack_latents,
)
from atelier.models.mmdit import FLUX_TIMESTEP_SCALE, MMDiTConfig, build_transformer


class TryOnModel(nn.Module):
    """A FLUX-style transformer plus learned role embeddings for condition images.

    Attributes:
        config: the transformer's architecture.
        transformer: diffusers `FluxTransformer2DModel`.
        role_embedding: one learned vector per role in `roles`.
    """

    kind = "tryon_model"

    def __init__(self, config: MMDiTConfig, roles: Sequence[str] = ROLES):
        super().__init__()
        self.config = config
        self.transformer = build_transformer(config)
        self.role_embedding = RoleEmbedding(roles, config.in_channels)
        # Attention focus (training only): the probe's holder once installed, and the list the
        # forwards inside `attention_focus()` report their focus-head masses to.
        self._focus_holder: FocusProbeHolder | None = None
        self._focus_masses: list[torch.Tensor] | None = None

    @property
    def roles(self) -> tuple[str, ...]:
        return self.role_embedding.roles

    def forward(
        self,
        noisy_target: torch.Tensor,
        sigma: torch.Tensor,
        text_embeds: torch.Tensor,
        pooled_text: torch.Tensor,
        conditions: Sequence[Condition] = (),
        *,
        text_mask: torch.Tensor | None = None,
        guidance: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Predict the velocity v = ε − x₀ of the target.

        Args:
            noisy_target: (B, C, h, w) target latents at noise level sigma.
            sigma: (B,) noise levels in [0, 1].
            text_embeds: (B, T, D_text) instruction token embeddings.
            pooled_text: (B, D_pooled) pooled instruction embedding.
            conditions: condition slots, each (B, C, h_i, w_i) latents with roles; a sample
                without a condition in a slot marks it `ABSENT_ROLE`.
            text_mask: (B, T) 1/True for real text tokens, 0/False for padding; None if
                none is padded.
            guidance: (B,) guidance scale, only for guidance-distilled configs.

        Returns:
            (B, C, h, w) predicted velocity of the target.
        """
        height, width = noisy_target.shape[2:]
        if self.config.guidance_embeds and guidance is None:
            raise ValueError("this model was built with guidance_embeds=True and needs a (B,) `guidance` input")
        if not self.config.guidance_embeds:
            guidance = None

        patch = self.config.patch_size
        layout = assemble_sequence(
            pack_latents(noisy_target, patch), (height, width), conditions, self.role_embedding, patch
        )
        attention_mask = _joint_attention_mask(
            text_mask,
            layout.key_mask,
            text_len=text_embeds.shape[1],
            image_len=layout.hidden_states.shape[1],
            batch=noisy_target.shape[0],
            device=noisy_target.device,
        )
        probe = None if self._focus_masses is None else self._focus_probe(conditions, text_embeds.shape[1], layout)
        with nullcontext() if probe is None else open_probe(self._focus_holder, probe):
            output = self._transformer_forward(layout, text_embeds, pooled_text, sigma, attention_mask, guidance)
        if probe is not None:
            self._focus_masses.extend(probe.masses)
        return unpack_latents(output[:, : layout.target_len], height, width, patch)

    def _focus_probe(self, conditions: Sequence[Condition], text_len: int, layout: SequenceLayout) -> FocusProbe:
        """A probe for one forward: garment keys are the condition tokens of garment roles."""
        batch = layout.hidden_states.shape[0]
        image_keys = garment_key_mask(conditions, batch, self.config.patch_size)
        non_garment = torch.zeros(batch, text_len + layout.target_len, dtype=torch.bool)
        keys = torch.cat([non_garment, image_keys], dim=1).to(layout.hidden_states.device)
        return FocusProbe(text_len=text_len, target_len=layout.target_len, garment_keys=keys)

    def _transformer_forward(
        self,
        layout: SequenceLayout,
        text_embeds: torch.Tensor,
        pooled_text: torch.Tensor,
        sigma: torch.Tensor,
        attention_mask: torch.Tensor | None,
        guidance: torch.Tensor | None,
    ) -> torch.Tensor:
        """The backbone over [text; the layout's image tokens]: (B, L, p²C), every image token's output."""
        return self.transformer(
            hidden_states=layout.hidden_states,
            encoder_hidden_states=text_embeds,
            pooled_projections=pooled_text,
            timestep=sigma_to_timestep(sigma, FLUX_TIMESTEP_SCALE),
            img_ids=layout.img_ids,
            txt_ids=text_position_ids(text_embeds.shape[1], device=text_embeds.device),
            guidance=guidance,
            joint_attention_kwargs=None if attention_mask is None else {"attention_mask": attention_mask},
            return_dict=False,
        )[0]

    @contextmanager
    def attention_focus(self) -> Iterator[list[torch.Tensor]]:
        """Collect the focus head's attention mass on garment tokens (`atelier.models.attention_focus`).

        The first use gives every attention layer a probe processor, which computes the same
        attention as diffusers' own and, inside this block only, also reports. Yields a list that
        each forward inside the block extends with one (B, L_t) mass per attention layer.
        """
        if self._focus_holder is None:
            self._focus_holder = install_focus_probe(self.transformer)
        masses: list[torch.Tensor] = []
        self._focus_masses = masses
        try:
            yield masses
        finally:
            self._focus_masses = None

    def architecture(self) -> dict[str, Any]:
        """Everything needed to rebuild this model, JSON-ready (see `atelier.models.checkpoint`)."""
        return {"mmdit": self.config.to_dict(), "roles": list(self.roles)}

    @classmethod
    def from_architecture(cls, architecture: dict[str, Any]) -> TryOnModel:
        """Inverse of `architecture`: a randomly initialised model of the same shape."""
        return cls(MMDiTConfig.from_dict(architecture["mmdit"]), roles=architecture["roles"])


def _joint_attention_mask(
    text_mask: torch.Tensor | None,
    image_key_mask: torch.Tensor | None,
    text_len: int,
    image_len: int,
    batch: int,
    device: torch.device,
) -> torch.Tensor | None:
    """Key mask over the joint [text; image] sequence, as Flux's attention processor reads it.

    Flux's processors pass `attention_mask` straight to scaled-dot-product attention over the
    concatenated [text; image] tokens, so a (B, 1, 1, T + L) boolean mask hides padded keys
    from every query. Masked tokens still compute outputs of their own, which are discarded.
    Returns None when nothing is masked, keeping the mask-free attention kernels.
    """
    if text_mask is not None:
        text_mask = text_mask.to(device=device, dtype=torch.bool)
        if bool(text_mask.all()):
            text_mask = None
    if text_mask is None and image_key_mask is None:
        return None
    if text_mask is None:
        text_mask = torch.ones(batch, text_len, dtype=torch.bool, device=device)
    if image_key_mask is None:
        image_key_mask = torch.ones(batch, image_len, dtype=torch.bool, device=device)
    return torch.cat([text_mask, image_key_mask], dim=1)[:, None, None, :]
