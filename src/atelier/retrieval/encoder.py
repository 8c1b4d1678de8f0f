"""The retrieval encoder: image encoder, Q-Former, text path and caption decoder in one module.

UniFashion's shape at a small size (BLIP-2's Q-Former without the LLM). Everything the
retrieval side does goes through one of these methods:

- `embed_images`: image -> (E,) unit vector: the mean of the query outputs, projected. A single
  vector per image (rather than BLIP-2's max over 32 query vectors) is what a vector index
  holds, so catalogue search is one inner product per item.
- `embed_texts`: text -> (E,) unit vector from the [CLS] output, in the same space.
- `embed_composed`: reference image + modification text -> (E,) unit vector in the image space:
  the queries read the reference image and the text together (joint mode), so the query is
  "this garment, changed like so", matched against target images.
- `match_logits`: image-text matching, (B, 2) logits of (no match, match).
- `caption_logits` / `generate_captions`: the caption decoder over the image's query outputs.

Images arrive as (B, 3, H, W) tensors in [-1, 1] at `config.image_size`
(`atelier.retrieval.image_preprocessing` makes them from any picture).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from tokenizers import Tokenizer
from torch import nn

from atelier.models.tokenizer import PAD_TOKEN, SEP_TOKEN
from atelier.retrieval.caption_decoder import CaptionDecoder
from atelier.retrieval.caption_decoding import (
    beam_decode,
    greedy_decode,
    without_repeated_ngrams,
)
from atelier.retrieval.caption_styles import style_prefix
from atelier.retrieval.encoder_config import RetrievalEncoderConfig
from atelier.retrieval.image_encoder import ConvImageEncoder
from atelier.retrieval.query_transformer import QueryTransformer

INITIAL_TEMPERATURE = 0.07  # CLIP's and BLIP-2's starting contrastive temperature
NO_REPEAT_NGRAM = 0


class RetrievalEncoder(nn.Module):
    """Embeds images, texts and (image, modification) pairs; matches and captions images.

    Args:
        config: the architecture.
        tokenizer: byte-level BPE tokenizer (`atelier.models.tokenizer.train_tokenizer`);
            its vocabulary must fit `config.vocab_size`.
    """

    def __init__(self, config: RetrievalEncoderConfig, tokenizer: Tokenizer):
        super().__init__()
        if tokenizer.get_vocab_size() > config.vocab_size:
            raise ValueError(
                f"tokenizer has {tokenizer.get_vocab_size()} tokens but the encoder only {config.vocab_size} embeddings"
            )
        self.config = config
        self.tokenizer = tokenizer
        self.pad_id = tokenizer.token_to_id(PAD_TOKEN)
        # The encoder owns its tokenizer's limits: never longer than the position table.
        self.tokenizer.enable_truncation(config.max_text_length)
        self.tokenizer.enable_padding(pad_id=self.pad_id, pad_token=PAD_TOKEN)
        self.end_id = tokenizer.token_to_id(SEP_TOKEN)
        width, embed_dim = config.width, config.embed_dim
        token_embedding = nn.Embedding(config.vocab_size, width)
        nn.init.normal_(token_embedding.weight, std=0.02)
        self.image_encoder = ConvImageEncoder(config)
        self.query_transformer = QueryTransformer(config, token_embedding)
        self.caption_decoder = CaptionDecoder(config, token_embedding)
        self.image_projection = nn.Linear(width, embed_dim)
        self.text_projection = nn.Linear(width, embed_dim)
        self.composed_projection = nn.Linear(width, embed_dim)
        self.matching_head = nn.Linear(width, 2)
        self.log_logit_scale = nn.Parameter(torch.tensor(math.log(1 / INITIAL_TEMPERATURE)))

    @property
    def device(self) -> torch.device:
        return self.log_logit_scale.device

    @property
    def logit_scale(self) -> torch.Tensor:
        """The contrastive inverse temperature, capped at 100 as CLIP does."""
        return self.log_logit_scale.exp().clamp(max=100.0)

    # --- text ---------------------------------------------------------------------------

    def tokenize(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Token ids and padding mask, padded to the longest text.

        Returns:
            input_ids (B, T) and attention_mask (B, T), T <= max_text_length.
        """
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = torch.tensor([encoding.ids for encoding in encodings], dtype=torch.long, device=self.device)
        mask = torch.tensor([encoding.attention_mask for encoding in encodings], dtype=torch.long, device=self.device)
        return ids, mask

    def text_embeddings(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(B, T) tokens -> (B, E) unit text embeddings."""
        _, text = self.query_transformer(input_ids=input_ids, attention_mask=attention_mask)
        return F.normalize(self.text_projection(text[:, 0]), dim=-1)

    def embed_texts(self, texts: Sequence[str]) -> torch.Tensor:
        """Texts -> (B, E) unit embeddings."""
        return self.text_embeddings(*self.tokenize(texts))

    # --- images -------------------------------------------------------------------------

    def image_features(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) images -> (B, N, D) feature tokens."""
        return self.image_encoder(images)

    def image_queries(self, features: torch.Tensor) -> torch.Tensor:
        """(B, N, D) image features -> (B, Q, D) query outputs (the image summary)."""
        queries, _ = self.query_transformer(image_tokens=features)
        return queries

    def image_embeddings_from_queries(self, queries: torch.Tensor) -> torch.Tensor:
        """(B, Q, D) query outputs -> (B, E) unit image embeddings."""
        return F.normalize(self.image_projection(queries.mean(dim=1)), dim=-1)

    def embed_images(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) images -> (B, E) unit embeddings."""
        return self.image_embeddings_from_queries(self.image_queries(self.image_features(images)))

    # --- image and text together ----------------------------------------------------------

    def joint_queries(self, features: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Queries reading image features and text together: (B, N, D), (B, T) -> (B, Q, D)."""
        queries, _ = self.query_transformer(image_tokens=features, input_ids=input_ids, attention_mask=attention_mask)
        return queries

    def composed_embeddings(self, features: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Reference features (B, N, D) + modification tokens (B, T) -> (B, E) unit embeddings."""
        queries = self.joint_queries(features, input_ids, attention_mask)
        return F.normalize(self.composed_projection(queries.mean(dim=1)), dim=-1)

    def embed_composed(self, images: torch.Tensor, texts: Sequence[str]) -> torch.Tensor:
        """Reference images (B, 3, H, W) + modification texts -> (B, E), comparable to images."""
        return self.composed_embeddings(self.image_features(images), *self.tokenize(texts))

    def match_logits(self, features: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Image-text matching: (B, N, D), (B, T) -> (B, 2) logits of (no match, match)."""
        return self.matching_head(self.joint_queries(features, input_ids, attention_mask).mean(dim=1))

    # --- captions -----------------------------------------------------------------------

    def caption_logits(self, queries: torch.Tensor, input_ids: torch.Tensor) -> torch.Tensor:
        """(B, Q, D) query outputs, (B, T) caption tokens -> (B, T, V) next-token logits."""
        return self.caption_decoder(queries, input_ids)

    def prefix_ids(self, style: str) -> list[int]:
        """Tokens a caption of `style` starts with: [CLS] and the style prefix (no [SEP])."""
        return self.tokenizer.encode(style_prefix(style)).ids[:-1]

    @torch.no_grad()
    def generate_captions(self, images: torch.Tensor, style: str, beams: int = 1, no_repeat_ngram: int = NO_REPEAT_NGRAM) -> list[str]:
        """Captions of images in a style.

        Args:
            images: (B, 3, H, W) in [-1, 1].
            style: "short", "professional" or "detailed".
            beams: 1 for greedy decoding, more for beam search.
            no_repeat_ngram: forbid repeating an n-gram of this many tokens (0: allow).

        Returns:
            B captions.
        """
        prefix_ids = self.prefix_ids(style)
        queries = self.image_queries(self.image_features(images))
        prefix = torch.tensor([prefix_ids], device=self.device).expand(images.shape[0], -1)

        def model_logits(tokens: torch.Tensor) -> torch.Tensor:
            memory = queries.repeat_interleave(tokens.shape[0] // queries.shape[0], dim=0)
            return self.caption_logits(memory, tokens)[:, -1]

        next_logits = without_repeated_ngrams(model_logits, no_repeat_ngram, start=len(prefix_ids))

        limit = self.config.max_text_length
        if beams > 1:
            tokens = beam_decode(next_logits, prefix, self.end_id, limit, beams)
        else:
            tokens = greedy_decode(next_logits, prefix, self.end_id, limit)
        return [self._caption_text(row[len(prefix_ids) :].tolist()) for row in tokens]

    def _caption_text(self, ids: list[int]) -> str:
        if self.end_id in ids:
            ids = ids[: ids.index(self.end_id)]
        return self.tokenizer.decode(ids, skip_special_tokens=True).strip()
