"""The encoder's training losses: contrastive (ITC), matching with hard negatives (ITM), captioning.

All are plain functions of tensors, so each is tested against a hand-worked value.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def contrastive_loss(
    queries: torch.Tensor,
    gallery: torch.Tensor,
    logit_scale: torch.Tensor | float,
    extra_negatives: torch.Tensor | None = None,
    not_negatives: torch.Tensor | None = None,
) -> torch.Tensor:
    """Symmetric InfoNCE: query i should pick gallery item i, and item i query i.

    Args:
        queries: (B, E) unit embeddings.
        gallery: (B, E) unit embeddings, row i the match of query i.
        logit_scale: inverse temperature.
        extra_negatives: (M, E) more gallery items that match no query (composed retrieval
            adds each query's reference image: the garment before the change is the hardest
            wrong answer). Only the query->gallery direction sees them.
        not_negatives: (B, B) bool, True where query i and item j also match (two garments
            with the same short caption): such pairs are left out instead of pushed apart.

    Returns:
        Scalar: the mean of the two directions' cross-entropies.
    """
    labels = torch.arange(queries.shape[0], device=queries.device)
    logits = logit_scale * queries @ gallery.T  # (B, B)
    if not_negatives is not None:
        own = torch.eye(len(logits), dtype=torch.bool, device=logits.device)
        logits = logits.masked_fill(not_negatives & ~own, float("-inf"))
    gallery_to_query = F.cross_entropy(logits.T, labels)
    if extra_negatives is not None:
        logits = torch.cat([logits, logit_scale * queries @ extra_negatives.T], dim=1)  # (B, B + M)
    return (F.cross_entropy(logits, labels) + gallery_to_query) / 2


def sample_hard_negatives(
    similarity: torch.Tensor, generator: torch.Generator | None = None, not_negatives: torch.Tensor | None = None
) -> torch.Tensor:
    """For each row, one column other than its own, drawn with probability softmax(similarity).

    BLIP's hard-negative mining: a wrong text that the contrastive head already finds close
    is the most useful negative for the matching head, but sampling (not arg-max) keeps the
    occasional false negative (an identical caption of another garment) from dominating.

    Args:
        similarity: (B, B) scores, row i's own column at i.
        generator: random source.
        not_negatives: (B, B) bool, True where a column also matches the row; those are
            drawn only when a row has nothing else.

    Returns:
        (B,) long column indices, never equal to the row index (B >= 2).
    """
    if similarity.shape[0] < 2:
        raise ValueError("hard negatives need a batch of at least two")
    own = torch.eye(len(similarity), dtype=torch.bool, device=similarity.device)
    excluded = own if not_negatives is None else own | not_negatives
    # A row whose every other column also matches falls back to any column but its own.
    excluded = torch.where(excluded.all(dim=1, keepdim=True), own, excluded)
    weights = similarity.detach().float().masked_fill(excluded, float("-inf")).softmax(dim=1)
    return torch.multinomial(weights, 1, generator=generator).squeeze(1)


def matching_loss(positive_logits: torch.Tensor, negative_logits: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of the matching head: positives are class 1, negatives class 0.

    Args:
        positive_logits: (P, 2) logits of matching pairs.
        negative_logits: (M, 2) logits of mismatched pairs.
    """
    logits = torch.cat([positive_logits, negative_logits])
    labels = torch.cat(
        [
            torch.ones(len(positive_logits), dtype=torch.long, device=logits.device),
            torch.zeros(len(negative_logits), dtype=torch.long, device=logits.device),
        ]
    )
    return F.cross_entropy(logits, labels)


def caption_loss(logits: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor, prefix_lengths: torch.Tensor) -> torch.Tensor:
    """Next-token cross-entropy over the caption, not over its style prefix or padding.

    Args:
        logits: (B, T, V) decoder logits; position t scores token t + 1.
        input_ids: (B, T) [CLS], style prefix, caption, [SEP], padding.
        attention_mask: (B, T) 1 for real tokens.
        prefix_lengths: (B,) tokens of [CLS] + prefix, which are given, not predicted.

    Returns:
        Scalar: mean cross-entropy per predicted token.
    """
    targets = input_ids[:, 1:]
    positions = torch.arange(1, input_ids.shape[1], device=input_ids.device)[None, :]
    predicted = attention_mask[:, 1:].bool() & (positions >= prefix_lengths[:, None])
    return F.cross_entropy(logits[:, :-1][predicted], targets[predicted])
