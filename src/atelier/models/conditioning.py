"""How images become one token sequence: packing, position ids, roles and assembly.

The try-on model sees [text; target; condition 1; …; condition n]. Every image (target,
person, garments, pose map) is an autoencoder latent (B, C, h, w) packed into p×p patch
tokens (p = `MMDiTConfig.patch_size`: 2 as in FLUX, 4 over a ×4 autoencoder so an image
keeps FLUX's token count at twice its latent detail). Two things tell the transformer which
tokens are which:

* Position ids (rotary): axis 0 is the condition index (0 for the target, i for the i-th
  condition), axes 1–2 are the token's row and column inside its own image. This is how
  FLUX Kontext marks its reference image (index 1, same spatial grid). Keeping each image's
  own spatial grid means a person or pose map at the target's size lines up token for token
  with the target, which is what pose-preserving try-on needs; the index axis keeps images
  apart even where their grids overlap. Spatial offsets (placing references beside the
  target) would break that alignment.
* Role embeddings: a learned vector per role (person, pose, top, …) says what a condition
  *is*, independently of its slot.

Samples in one batch may have different numbers of conditions. The batch keeps a fixed list
of condition slots; a sample without a condition in some slot gives it the role "absent":
its tokens are zeroed, get the absent role vector, and are masked out as attention keys, so
they cannot influence any other token (see `SequenceLayout.key_mask`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

ABSENT_ROLE = "absent"

# Order is part of a checkpoint's format (row i of the role table); append, never reorder.
# Checkpoints store their own role list, so a model always reads its rows by name.
ROLES: tuple[str, ...] = (
    "person",
    "pose",
    "top",
    "pants",
    "skirt",
    "dress",
    "coat",
    "shoes",
    "bag",
    "hat",
    "outfit_source",  # the dressed person whose outfit moves to another person (model-to-model)
    ABSENT_ROLE,
)
# The roles that bring something to put on: every garment category and another person's outfit.
# Garment guidance (`atelier.flow.guidance`) contrasts a sample with and without them, keeping
# the person (and pose) it dresses.
GARMENT_ROLES: frozenset[str] = frozenset(ROLES) - {"person", "pose", ABSENT_ROLE}


def pack_latents(latents: torch.Tensor, patch_size: int = 2) -> torch.Tensor:
    """Cut latents into p×p patches, one token each, in row-major patch order.

    The channel layout inside a token is (channel, patch row, patch column), the layout
    FLUX's `x_embedder` was trained on (p = 2), so real FLUX weights read these tokens correctly.

    Args:
        latents: (B, C, H, W) with H and W multiples of p.
        patch_size: p.

    Returns:
        (B, H/p · W/p, p²C) tokens.
    """
    batch, channels, height, width = latents.shape
    p = patch_size
    if height % p or width % p:
        raise ValueError(f"latent height and width must be multiples of {p} for {p}×{p} packing, got {height}×{width}")
    patches = latents.reshape(batch, channels, height // p, p, width // p, p)
    # (B, C, H/p, p, W/p, p) -> (B, H/p, W/p, C, p, p)
    patches = patches.permute(0, 2, 4, 1, 3, 5)
    return patches.reshape(batch, (height // p) * (width // p), channels * p * p)


def unpack_latents(tokens: torch.Tensor, height: int, width: int, patch_size: int = 2) -> torch.Tensor:
    """Inverse of `pack_latents`.

    Args:
        tokens: (B, H/p · W/p, p²C).
        height, width: latent size H, W.
        patch_size: p.

    Returns:
        (B, C, H, W) latents.
    """
    batch, length, token_channels = tokens.shape
    p = patch_size
    if length != (height // p) * (width // p):
        raise ValueError(f"{length} tokens cannot be unpacked to {height}×{width} latents")
    channels = token_channels // (p * p)
    patches = tokens.reshape(batch, height // p, width // p, channels, p, p)
    # (B, H/p, W/p, C, p, p) -> (B, C, H/p, p, W/p, p)
    patches = patches.permute(0, 3, 1, 4, 2, 5)
    return patches.reshape(batch, channels, height, width)


def latent_position_ids(
    height: int, width: int, index: int = 0, device: torch.device | str | None = None, patch_size: int = 2
) -> torch.Tensor:
    """Rotary position ids of one packed image: (index, row, column) per token.

    Args:
        height, width: latent size (the token grid is 1/p of it).
        index: 0 for the target, i ≥ 1 for the i-th condition.
        device: where the ids live.
        patch_size: p.

    Returns:
        (H/p · W/p, 3) float ids, in `pack_latents` token order.
    """
    rows = torch.arange(height // patch_size, device=device)
    columns = torch.arange(width // patch_size, device=device)
    grid_rows, grid_columns = torch.meshgrid(rows, columns, indexing="ij")
    indices = torch.full_like(grid_rows, index)
    return torch.stack([indices, grid_rows, grid_columns], dim=-1).reshape(-1, 3).float()


def text_position_ids(length: int, device: torch.device | str | None = None) -> torch.Tensor:
    """Text tokens carry all-zero ids, as in FLUX (their order is already in the encoder).

    Returns:
        (T, 3) zeros.
    """
    return torch.zeros(length, 3, device=device)


@dataclass(frozen=True)
class Condition:
    """One condition slot of a batch.

    Attributes:
        latents: (B, C, h, w) latents; h, w may differ from the target's.
        roles: one role for the whole batch, or one per sample; `ABSENT_ROLE` marks samples
            that have no condition in this slot (their latents are ignored).
    """

    latents: torch.Tensor
    roles: str | Sequence[str]

    def roles_per_sample(self) -> list[str]:
        """The role of every sample, (B,) names."""
        batch = self.latents.shape[0]
        if isinstance(self.roles, str):
            return [self.roles] * batch
        if len(self.roles) != batch:
            raise ValueError(f"condition has {batch} samples but {len(self.roles)} roles")
        return list(self.roles)


def drop_conditions(
    conditions: Sequence[Condition], drop: torch.Tensor, only_roles: frozenset[str] | None = None
) -> list[Condition]:
    """Mark the conditions of the chosen samples absent: all of them, or those of some roles.

    Used for classifier-free guidance: the reference-free branch at sampling time and
    condition dropout at training time are the same operation, and so are the garment-free
    branch and garment dropout (`only_roles=GARMENT_ROLES`).

    Args:
        conditions: the batch's condition slots.
        drop: (B,) bool, True for samples that lose their conditions.
        only_roles: drop only conditions with one of these roles (None: every condition).

    Returns:
        New conditions with roles replaced by `ABSENT_ROLE` where dropped.
    """
    drop_list = drop.tolist()
    return [
        Condition(
            condition.latents,
            [
                ABSENT_ROLE if dropped and (only_roles is None or role in only_roles) else role
                for role, dropped in zip(condition.roles_per_sample(), drop_list, strict=True)
            ],
        )
        for condition in conditions
    ]


class RoleEmbedding(nn.Module):
    """A learned vector per role, added to a condition's packed tokens.

    The vector lives in the *input* channel space (the packed latent channels), not in the
    transformer's hidden space. `FluxTransformer2DModel.forward` applies `x_embedder` itself,
    and `x_embedder` is linear, so adding r before it equals adding W·r after it: the same
    expressive power for a dozen roles (in_channels ≥ 16 dimensions to tell them apart)
    without forking or hooking the backbone, and real FLUX weights stay untouched.
    """

    def __init__(self, roles: Sequence[str], channels: int, init_std: float = 0.5):
        """
        Args:
            roles: role names; row i of the table belongs to roles[i].
            channels: packed token channels (the transformer's in_channels).
            init_std: initial spread of the vectors. Latent tokens have roughly unit
                variance, so a role starts as a visible but smaller-than-content offset.
        """
        super().__init__()
        if len(set(roles)) != len(roles):
            raise ValueError(f"duplicate roles in {roles}")
        self.roles = tuple(roles)
        self._index = {role: i for i, role in enumerate(self.roles)}
        self.table = nn.Parameter(torch.randn(len(self.roles), channels) * init_std)

    def role_ids(self, roles: Sequence[str], device: torch.device | None = None) -> torch.Tensor:
        """(B,) row indices of role names; unknown names are a clear error."""
        unknown = sorted(set(roles) - set(self._index))
        if unknown:
            raise ValueError(f"unknown roles {unknown}; known roles are {self.roles}")
        return torch.tensor([self._index[role] for role in roles], device=device)

    def forward(self, tokens: torch.Tensor, roles: Sequence[str]) -> torch.Tensor:
        """Add each sample's role vector to all of its tokens.

        Args:
            tokens: (B, L, channels) packed condition tokens.
            roles: (B,) role names.

        Returns:
            (B, L, channels) tokens.
        """
        vectors = self.table[self.role_ids(roles, tokens.device)]  # (B, channels)
        return tokens + vectors[:, None, :].to(tokens.dtype)


@dataclass(frozen=True)
class SequenceLayout:
    """The image part of the model's input sequence, ready for the transformer.

    Attributes:
        hidden_states: (B, L, p²C) packed tokens, target first.
        img_ids: (L, 3) rotary position ids, shared by the batch.
        target_len: number of target tokens at the start of the sequence.
        key_mask: (B, L) bool, False for tokens of absent conditions; None when every
            token is real, so the transformer can keep its mask-free fast attention.
    """

    hidden_states: torch.Tensor
    img_ids: torch.Tensor
    target_len: int
    key_mask: torch.Tensor | None


def assemble_sequence(
    target_tokens: torch.Tensor,
    target_size: tuple[int, int],
    conditions: Sequence[Condition],
    role_embedding: RoleEmbedding,
    patch_size: int = 2,
) -> SequenceLayout:
    """Concatenate the target and every condition into one token sequence.

    Args:
        target_tokens: (B, L_t, p²C) packed noisy target.
        target_size: the target's latent (h, w), for its position ids.
        conditions: condition slots; slot i gets position index i + 1.
        role_embedding: adds each condition's role vector.
        patch_size: p, the side of the latent patch in one token.

    Returns:
        A `SequenceLayout` of length L = L_t + Σ L_i.
    """
    device = target_tokens.device
    tokens = [target_tokens]
    area = patch_size * patch_size
    ids = [latent_position_ids(*target_size, index=0, device=device, patch_size=patch_size)]
    present = [torch.ones(target_tokens.shape[:2], dtype=torch.bool, device=device)]
    for slot, condition in enumerate(conditions, start=1):
        latents = condition.latents.to(device=device, dtype=target_tokens.dtype)
        if latents.shape[0] != target_tokens.shape[0] or latents.shape[1] * area != target_tokens.shape[2]:
            raise ValueError(
                f"condition {slot} latents {tuple(latents.shape)} do not match the target's batch and "
                f"channels ({target_tokens.shape[0]}, {target_tokens.shape[2] // area}, h, w)"
            )
        roles = condition.roles_per_sample()
        is_present = torch.tensor([role != ABSENT_ROLE for role in roles], device=device)
        # Zero absent content so whatever the caller left in the slot cannot leak in.
        condition_tokens = pack_latents(latents, patch_size) * is_present[:, None, None]
        tokens.append(role_embedding(condition_tokens, roles))
        ids.append(latent_position_ids(*latents.shape[2:], index=slot, device=device, patch_size=patch_size))
        present.append(is_present[:, None].expand(-1, condition_tokens.shape[1]))
    key_mask = torch.cat(present, dim=1)
    return SequenceLayout(
        hidden_states=torch.cat(tokens, dim=1),
        img_ids=torch.cat(ids, dim=0),
        target_len=target_tokens.shape[1],
        key_mask=None if bool(key_mask.all()) else key_mask,
    )


def garment_key_mask(conditions: Sequence[Condition], batch: int, patch_size: int = 2) -> torch.Tensor:
    """Which condition tokens bring something to put on, in `assemble_sequence`'s order.

    The attention-focus loss (`atelier.models.attention_focus`) measures how much attention
    the target pays to these tokens.

    Args:
        conditions: the batch's condition slots, B samples each.
        batch: B (a batch may have no condition slot at all).
        patch_size: p, the side of the latent patch in one token.

    Returns:
        (B, Σ L_i) bool on the CPU over the condition tokens (the target's tokens are not
        included): True where the slot's role is one of `GARMENT_ROLES`.
    """
    columns = [torch.zeros(batch, 0, dtype=torch.bool)]
    for condition in conditions:
        height, width = condition.latents.shape[2:]
        is_garment = torch.tensor([role in GARMENT_ROLES for role in condition.roles_per_sample()])
        columns.append(is_garment[:, None].expand(-1, (height // patch_size) * (width // patch_size)))
    return torch.cat(columns, dim=1)
