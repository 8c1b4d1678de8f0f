"""The two primitives every transformer of the retrieval encoder is built from."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class MultiHeadAttention(nn.Module):
    """Multi-head attention; self-attention when no context is given.

    Args:
        width: D, the width of inputs and outputs.
        num_heads: heads; D must be a multiple of it.
    """

    def __init__(self, width: int, num_heads: int):
        super().__init__()
        self.num_heads = num_heads
        self.query = nn.Linear(width, width)
        self.key_value = nn.Linear(width, 2 * width)
        self.output = nn.Linear(width, width)

    def forward(
        self,
        inputs: torch.Tensor,
        context: torch.Tensor | None = None,
        allowed: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Attend from `inputs` to `context` (or to `inputs` itself).

        Args:
            inputs: (B, L, D) the positions that ask.
            context: (B, S, D) the positions attended to; None for self-attention (S = L).
            allowed: bool, broadcastable to (B, 1, L, S): True where position l may attend
                to position s; None lets every position attend to every other.

        Returns:
            (B, L, D).
        """
        context = inputs if context is None else context
        batch, length, width = inputs.shape
        heads = self.num_heads
        query = self.query(inputs).view(batch, length, heads, -1).transpose(1, 2)  # (B, h, L, D/h)
        key, value = self.key_value(context).view(batch, context.shape[1], 2, heads, -1).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(query, key, value, attn_mask=allowed)  # (B, h, L, D/h)
        return self.output(attended.transpose(1, 2).reshape(batch, length, width))


class FeedForward(nn.Sequential):
    """Position-wise two-layer MLP with GELU: (B, L, D) -> (B, L, D)."""

    def __init__(self, width: int, ratio: int):
        super().__init__(nn.Linear(width, ratio * width), nn.GELU(), nn.Linear(ratio * width, width))


def padding_allowed(key_mask: torch.Tensor) -> torch.Tensor:
    """Turn a (B, S) key mask (1 = real token) into an attention mask (B, 1, 1, S) of bools."""
    return key_mask.bool()[:, None, None, :]
