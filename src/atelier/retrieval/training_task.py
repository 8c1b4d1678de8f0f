"""One training step's losses: the encoder's four objectives on a caption and a composed batch.

- itc: image-text contrastive, image embedding vs caption embedding;
- itm: image-text matching on the true pair, a hard-negative text per image and a
  hard-negative image per text (drawn from the contrastive similarities, as BLIP-2 does);
- caption: the decoder's next-token loss, the style prefix given;
- composed: reference + modification vs target image, contrastive, with the references as
  extra negatives.

Either batch may be None (a Fashion-IQ run has only composed triplets).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from atelier.retrieval.caption_styles import styled_caption
from atelier.retrieval.encoder import RetrievalEncoder
from atelier.retrieval.training_batches import CaptionBatch, ComposedBatch
from atelier.retrieval.training_losses import (
    caption_loss,
    contrastive_loss,
    matching_loss,
    sample_hard_negatives,
)


@dataclass(frozen=True)
class LossWeights:
    """How much each objective counts in the total."""

    itc: float = 1.0
    itm: float = 1.0
    caption: float = 1.0
    composed: float = 1.0


# The matching head only re-ranks; it learns from a slice of the batch so that its joint
# passes (three sequences of queries + text per pair) do not dominate the step's cost.
MATCHING_PAIRS = 24


def retrieval_losses(
    encoder: RetrievalEncoder,
    captions: CaptionBatch | None,
    composed: ComposedBatch | None,
    weights: LossWeights = LossWeights(),
    generator: torch.Generator | None = None,
) -> dict[str, torch.Tensor]:
    """Every objective of one step and their weighted sum.

    Returns:
        {"loss": total, "itc", "itm", "caption", "composed"} (only those whose batch was
        given), each a scalar tensor; "loss" carries the gradient.
    """
    losses: dict[str, torch.Tensor] = {}
    if captions is not None:
        losses.update(_caption_batch_losses(encoder, captions, generator))
    if composed is not None:
        losses["composed"] = _composed_loss(encoder, composed)
    if not losses:
        raise ValueError("a training step needs a caption batch, a composed batch or both")
    losses["loss"] = sum(getattr(weights, name) * value for name, value in losses.items())
    return losses


def _caption_batch_losses(
    encoder: RetrievalEncoder, batch: CaptionBatch, generator: torch.Generator | None
) -> dict[str, torch.Tensor]:
    features = encoder.image_features(batch.images)  # (B, N, D)
    queries = encoder.image_queries(features)  # (B, Q, D)
    image_embeddings = encoder.image_embeddings_from_queries(queries)  # (B, E)
    input_ids, attention_mask = encoder.tokenize(batch.captions)
    text_embeddings = encoder.text_embeddings(input_ids, attention_mask)  # (B, E)
    same_text = _equal_pairs(batch.captions, features.device)
    itc = contrastive_loss(image_embeddings, text_embeddings, encoder.logit_scale, not_negatives=same_text)

    similarity = image_embeddings @ text_embeddings.T
    negative_texts = sample_hard_negatives(similarity, generator, same_text)  # a wrong text per image
    negative_images = sample_hard_negatives(similarity.T, generator, same_text)  # a wrong image per text
    # One joint pass over (true pairs, image + wrong text, wrong image + text) of the slice.
    count = min(MATCHING_PAIRS, len(batch.captions))
    pairs = slice(0, count)
    logits = encoder.match_logits(
        torch.cat([features[pairs], features[pairs], features[negative_images[pairs]]]),
        torch.cat([input_ids[pairs], input_ids[negative_texts[pairs]], input_ids[pairs]]),
        torch.cat([attention_mask[pairs], attention_mask[negative_texts[pairs]], attention_mask[pairs]]),
    )
    itm = matching_loss(logits[:count], logits[count:])

    styled = [styled_caption(style, text) for style, text in zip(batch.styles, batch.captions)]
    caption_ids, caption_mask = encoder.tokenize(styled)
    prefix_lengths = torch.tensor([len(encoder.prefix_ids(style)) for style in batch.styles], device=features.device)
    decoded = encoder.caption_logits(queries, caption_ids)
    return {
        "itc": itc,
        "itm": itm,
        "caption": caption_loss(decoded, caption_ids, caption_mask, prefix_lengths),
    }


def _composed_loss(encoder: RetrievalEncoder, batch: ComposedBatch) -> torch.Tensor:
    count = batch.references.shape[0]
    features = encoder.image_features(torch.cat([batch.references, batch.targets]))  # (2B, N, D)
    reference_features = features[:count]
    image_embeddings = encoder.image_embeddings_from_queries(encoder.image_queries(features))  # (2B, E)
    composed = encoder.composed_embeddings(reference_features, *encoder.tokenize(batch.modifications))
    references, targets = image_embeddings[:count], image_embeddings[count:]
    return contrastive_loss(composed, targets, encoder.logit_scale, extra_negatives=references)


def _equal_pairs(texts: list[str], device: torch.device) -> torch.Tensor:
    """(B, B) bool: True where texts i and j are the same (case-insensitively)."""
    keys = {}
    codes = torch.tensor([keys.setdefault(text.lower(), len(keys)) for text in texts], device=device)
    return codes[:, None] == codes[None, :]
