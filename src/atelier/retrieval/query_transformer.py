"""The Q-Former: learnable queries that read the image, sharing their layers with the text.

As in BLIP-2, one stack of transformer layers serves three ways, told apart by what is in the
sequence:

- image only: the queries attend to each other and cross-attend to the image features; their
  outputs summarise the image (retrieval embedding, caption decoder memory);
- text only: the text tokens attend to each other (no cross-attention); the [CLS] output is
  the text's embedding;
- joint: queries and text in one sequence attending both ways, the queries also reading the
  image. Used for image-text matching (is this text about this image?) and for composed
  retrieval (a reference image read through its modification text).

Queries and text have separate feed-forward layers (BLIP-2 does the same) because their
tokens carry different kinds of content; attention weights are shared.
"""

from __future__ import annotations

import torch
from torch import nn

from atelier.retrieval.attention_blocks import (
    FeedForward,
    MultiHeadAttention,
    padding_allowed,
)
from atelier.retrieval.encoder_config import RetrievalEncoderConfig


class QueryTransformer(nn.Module):
    """Queries, text embeddings and the shared layer stack.

    Args:
        config: the encoder architecture.
        token_embedding: (V, D) embedding shared with the caption decoder.
    """

    def __init__(self, config: RetrievalEncoderConfig, token_embedding: nn.Embedding):
        super().__init__()
        self.token_embedding = token_embedding
        self.text_position = nn.Parameter(torch.randn(1, config.max_text_length, config.width) * 0.02)
        self.queries = nn.Parameter(torch.randn(1, config.num_queries, config.width) * 0.02)
        self.layers = nn.ModuleList(_QueryLayer(config) for _ in range(config.num_layers))
        self.query_norm = nn.LayerNorm(config.width)
        self.text_norm = nn.LayerNorm(config.width)

    def forward(
        self,
        image_tokens: torch.Tensor | None = None,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """Run the stack on queries (when an image is given), text (when ids are), or both.

        Args:
            image_tokens: (B, N, D) image features, or None for text only.
            input_ids: (B, T) token ids, or None for image only.
            attention_mask: (B, T) 1 for real tokens, 0 for padding (required with input_ids).

        Returns:
            (query outputs (B, Q, D) or None, text outputs (B, T, D) or None).
        """
        if image_tokens is None and input_ids is None:
            raise ValueError("the query transformer needs an image, a text or both")
        queries = None if image_tokens is None else self.queries.expand(image_tokens.shape[0], -1, -1)
        text = None
        if input_ids is not None:
            if attention_mask is None:
                raise ValueError("attention_mask is required with input_ids")
            text = self.token_embedding(input_ids) + self.text_position[:, : input_ids.shape[1]]
        allowed = None if text is None else self._allowed(queries, attention_mask)
        for layer in self.layers:
            queries, text = layer(queries, text, image_tokens, allowed)
        return (
            None if queries is None else self.query_norm(queries),
            None if text is None else self.text_norm(text),
        )

    @staticmethod
    def _allowed(queries: torch.Tensor | None, attention_mask: torch.Tensor) -> torch.Tensor:
        """(B, 1, 1, Q + T): queries are always visible, padding never."""
        if queries is None:
            return padding_allowed(attention_mask)
        visible_queries = attention_mask.new_ones(attention_mask.shape[0], queries.shape[1])
        return padding_allowed(torch.cat([visible_queries, attention_mask], dim=1))


class _QueryLayer(nn.Module):
    """Pre-norm layer: joint self-attention, cross-attention for queries, split feed-forward."""

    def __init__(self, config: RetrievalEncoderConfig):
        super().__init__()
        width = config.width
        self.self_norm = nn.LayerNorm(width)
        self.self_attention = MultiHeadAttention(width, config.num_heads)
        self.cross_norm = nn.LayerNorm(width)
        self.cross_attention = MultiHeadAttention(width, config.num_heads)
        self.query_feedforward_norm = nn.LayerNorm(width)
        self.query_feedforward = FeedForward(width, config.feedforward_ratio)
        self.text_feedforward_norm = nn.LayerNorm(width)
        self.text_feedforward = FeedForward(width, config.feedforward_ratio)

    def forward(
        self,
        queries: torch.Tensor | None,
        text: torch.Tensor | None,
        image_tokens: torch.Tensor | None,
        allowed: torch.Tensor | None,
    ) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        parts = [part for part in (queries, text) if part is not None]
        sequence = torch.cat(parts, dim=1) if len(parts) > 1 else parts[0]
        sequence = sequence + self.self_attention(self.self_norm(sequence), allowed=allowed)
        query_count = 0 if queries is None else queries.shape[1]
        if queries is not None:
            queries = sequence[:, :query_count]
            queries = queries + self.cross_attention(self.cross_norm(queries), image_tokens)
            queries = queries + self.query_feedforward(self.query_feedforward_norm(queries))
        if text is not None:
            text = sequence[:, query_count:]
            text = text + self.text_feedforward(self.text_feedforward_norm(text))
        return queries, text
