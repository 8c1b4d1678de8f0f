"""The caption decoder: a small causal transformer that reads the image through the queries.

Each layer attends causally to the caption so far and cross-attends to the Q-Former's query
outputs (the image summary), so captioning needs nothing from the image encoder but those
outputs. The caption style is chosen by an instruction prefix in the token sequence itself,
"short:", "professional:" or "detailed:", so one decoder writes all three.

Token embeddings are shared with the Q-Former's text path and tied to the output layer: the
vocabulary is small and a second copy would double the largest matrix for no gain.
"""

from __future__ import annotations

import torch
from torch import nn

from atelier.retrieval.attention_blocks import FeedForward, MultiHeadAttention
from atelier.retrieval.encoder_config import RetrievalEncoderConfig


class CaptionDecoder(nn.Module):
    """Next-token logits of a caption given the image's query outputs.

    Args:
        config: the encoder architecture.
        token_embedding: (V, D) embedding shared with the Q-Former, also the output layer.
    """

    def __init__(self, config: RetrievalEncoderConfig, token_embedding: nn.Embedding):
        super().__init__()
        self.token_embedding = token_embedding
        self.position = nn.Parameter(torch.randn(1, config.max_text_length, config.width) * 0.02)
        self.layers = nn.ModuleList(_DecoderLayer(config) for _ in range(config.decoder_layers))
        self.norm = nn.LayerNorm(config.width)

    def forward(self, memory: torch.Tensor, input_ids: torch.Tensor) -> torch.Tensor:
        """Logits for every next token.

        Padding needs no mask: with causal attention a real token never sees the padding
        after it, and the loss ignores the logits at padded positions.

        Args:
            memory: (B, Q, D) query outputs of the images.
            input_ids: (B, T) tokens so far, starting with [CLS] and the style prefix.

        Returns:
            (B, T, V) logits; position t scores token t + 1.
        """
        length = input_ids.shape[1]
        hidden = self.token_embedding(input_ids) + self.position[:, :length]
        causal = torch.ones(length, length, dtype=torch.bool, device=input_ids.device).tril()
        for layer in self.layers:
            hidden = layer(hidden, memory, causal)
        return self.norm(hidden) @ self.token_embedding.weight.T


class _DecoderLayer(nn.Module):
    def __init__(self, config: RetrievalEncoderConfig):
        super().__init__()
        width = config.width
        self.self_norm = nn.LayerNorm(width)
        self.self_attention = MultiHeadAttention(width, config.num_heads)
        self.cross_norm = nn.LayerNorm(width)
        self.cross_attention = MultiHeadAttention(width, config.num_heads)
        self.feedforward_norm = nn.LayerNorm(width)
        self.feedforward = FeedForward(width, config.feedforward_ratio)

    def forward(self, hidden: torch.Tensor, memory: torch.Tensor, causal: torch.Tensor) -> torch.Tensor:
        hidden = hidden + self.self_attention(self.self_norm(hidden), allowed=causal)
        hidden = hidden + self.cross_attention(self.cross_norm(hidden), memory)
        return hidden + self.feedforward(self.feedforward_norm(hidden))
