"""A global summary of the garment references, added to the pooled vector that modulates every block.

The transformer reads a garment image through attention: a target token must learn to find the
garment's tokens among the person's and the pose map's and copy from them, and a small model
trained from scratch learns that late (README, "Attention focus": early on the target pays a tenth
of its attention to the garments). Try-on systems built on UNets give the garment a second,
global path as well (IP-Adapter's image embedding in IDM-VTON and StableVITON). This is that path
for FLUX's layout: FLUX modulates every block with a pooled vector (CLIP's pooled text in FLUX.1);
here each garment slot's token statistics go through a small MLP and are added to it, so the
garment's colours and the contrast of its pattern reach every target token from the first step.

The attention path stays as it is: where a garment goes and how it looks in detail still come
from the tokens. The MLP's last layer starts at zero, so a model gains the summary as an exact
no-op and learns to use it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from atelier.models.conditioning import GARMENT_ROLES, Condition, RoleEmbedding, pack_latents


class GarmentSummary(nn.Module):
    """Per garment slot: [mean of its role-marked tokens; their std] → MLP; summed over slots.

    The mean carries the garment's colours (and the product shot's backdrop, alike for all); the
    standard deviation carries how much the colour varies across the image, the signature of a
    pattern. The role vector inside the mean tells the MLP which category the statistics belong
    to, so several garments add up in different directions.
    """

    def __init__(self, token_channels: int, hidden_size: int, pooled_size: int):
        """
        Args:
            token_channels: channels of a packed latent token (the transformer's in_channels).
            hidden_size: the MLP's hidden width.
            pooled_size: the transformer's pooled_projection_dim, which this adds to.
        """
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(2 * token_channels, hidden_size),
            nn.SiLU(),
            nn.Linear(hidden_size, pooled_size),
        )
        nn.init.zeros_(self.mlp[-1].weight)
        nn.init.zeros_(self.mlp[-1].bias)

    def forward(self, conditions: Sequence[Condition], role_embedding: RoleEmbedding, patch_size: int) -> torch.Tensor:
        """The summed summary of every present garment slot.

        Args:
            conditions: the batch's condition slots, each (B, C, h, w) latents with roles.
                Slots whose role is not a garment role (person, pose, absent) add nothing, so
                dropping the garments for guidance drops their summary too.
            role_embedding: the model's role vectors, added to the tokens before pooling.
            patch_size: p of the p×p token packing.

        Returns:
            (B, pooled_size); zeros for samples without a garment.
        """
        total = None
        for condition in conditions:
            roles = condition.roles_per_sample()
            latents = condition.latents.to(self.mlp[0].weight.dtype)
            tokens = role_embedding(pack_latents(latents, patch_size), roles)  # (B, L, C)
            # The epsilon keeps the gradient finite where an image is flat (an absent slot's
            # zeros): sqrt's derivative at 0 is infinite, and 0 · inf is NaN even behind a mask.
            spread = torch.sqrt(tokens.var(dim=1, unbiased=False) + 1e-6)
            statistics = torch.cat([tokens.mean(dim=1), spread], dim=-1)  # (B, 2C)
            is_garment = torch.tensor([role in GARMENT_ROLES for role in roles], device=tokens.device)
            summary = self.mlp(statistics) * is_garment[:, None].to(statistics.dtype)
            total = summary if total is None else total + summary
        if total is None:
            raise ValueError("GarmentSummary needs at least one condition slot; callers skip it without any")
        return total
