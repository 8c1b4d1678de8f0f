"""Retrieval scores: Recall@K, chunked top-k search, and the FashionGen and Fashion-IQ protocols.

Recalls are fractions in [0, 1] (papers print them ×100). A query counts as a hit at K when a
positive ranks among the first K; ties with negatives are resolved against the query (a negative
scoring exactly as high as the best positive ranks above it), so a constant scorer earns nothing.
Scores are dot products; pass L2-normalised embeddings for cosine similarity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch

FASHIONIQ_CATEGORIES = ("dress", "shirt", "toptee")


def recall_at_k(scores: torch.Tensor, positives: torch.Tensor, ks: Sequence[int] = (1, 5, 10)) -> dict[str, float]:
    """Fraction of queries with a positive among their top K gallery items.

    Args:
        scores: (Q, G) similarity of each query to each gallery item.
        positives: (Q, G) bool, True where the gallery item is a correct answer; every query
            needs at least one.
        ks: the cut-offs.

    Returns:
        {"R@k": recall} for each k.
    """
    if scores.shape != positives.shape or scores.ndim != 2:
        raise ValueError(f"scores {tuple(scores.shape)} and positives {tuple(positives.shape)} must be equal (Q, G)")
    positives = positives.to(device=scores.device, dtype=torch.bool)
    if not positives.any(dim=1).all():
        raise ValueError("every query needs at least one positive gallery item")
    best_positive = scores.masked_fill(~positives, float("-inf")).max(dim=1, keepdim=True).values
    negatives_above = ((scores >= best_positive) & ~positives).sum(dim=1)
    return {f"R@{k}": (negatives_above < k).double().mean().item() for k in ks}


def topk_chunked(
    query: torch.Tensor, gallery: torch.Tensor, k: int, chunk: int = 65536
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k gallery items by dot product without building the full (Q, G) score matrix.

    The gallery is scored `chunk` items at a time and each chunk's best k are merged with the
    running best k, so memory is O(Q · (k + chunk)).

    Args:
        query: (Q, D) embeddings.
        gallery: (G, D) embeddings.
        k: how many items per query (at most G).
        chunk: gallery items scored at once.

    Returns:
        (values, indices), each (Q, k), best first; equal to `(query @ gallery.T).topk(k)`.
    """
    if not 0 < k <= gallery.shape[0]:
        raise ValueError(f"k must be in [1, {gallery.shape[0]}], got {k}")
    best_values = query.new_empty(query.shape[0], 0)
    best_indices = torch.empty(query.shape[0], 0, dtype=torch.long, device=query.device)
    for start in range(0, gallery.shape[0], chunk):
        scores = query @ gallery[start : start + chunk].T
        values, indices = scores.topk(min(k, scores.shape[1]), dim=1)
        merged_values = torch.cat([best_values, values], dim=1)
        merged_indices = torch.cat([best_indices, indices + start], dim=1)
        best_values, order = merged_values.topk(min(k, merged_values.shape[1]), dim=1)
        best_indices = merged_indices.gather(1, order)
    return best_values, best_indices


def random_candidates_recall(
    query_emb: torch.Tensor,
    gallery_emb: torch.Tensor,
    categories: Sequence,
    ks: Sequence[int] = (1, 5, 10),
    n_candidates: int = 100,
    seed: int = 0,
) -> dict[str, float]:
    """FashionGen's protocol: rank each query's match among 99 random items of its category.

    Query i matches gallery item i (paired text and image). Its candidates are that item plus
    `n_candidates - 1` others drawn without replacement from the same category (all of them when
    the category is smaller).

    Args:
        query_emb: (Q, D) embeddings.
        gallery_emb: (Q, D) embeddings, row i paired with query i.
        categories: Q category labels of the pairs.
        ks: the cut-offs.
        n_candidates: candidates per query, the positive included.
        seed: seeds the draw of negatives.

    Returns:
        {"R@k": recall} for each k.
    """
    count = query_emb.shape[0]
    # Tensor elements hash by identity, so labels become plain Python values first.
    categories = categories.tolist() if isinstance(categories, torch.Tensor | np.ndarray) else list(categories)
    if gallery_emb.shape[0] != count or len(categories) != count:
        raise ValueError("query_emb, gallery_emb and categories must have one row per pair")
    grouped: dict[object, list[int]] = {}
    for index, category in enumerate(categories):
        grouped.setdefault(category, []).append(index)
    members = {category: np.asarray(indices) for category, indices in grouped.items()}
    rng = np.random.default_rng(seed)
    negatives_above = np.empty(count, dtype=np.int64)
    for index, category in enumerate(categories):
        pool = members[category]
        pool = pool[pool != index]
        drawn = rng.choice(pool, size=min(n_candidates - 1, pool.size), replace=False)
        query = query_emb[index]
        positive_score = query @ gallery_emb[index]
        negative_scores = gallery_emb[torch.as_tensor(drawn, dtype=torch.long)] @ query
        negatives_above[index] = int((negative_scores >= positive_score).sum())
    return {f"R@{k}": float((negatives_above < k).mean()) for k in ks}


def fashioniq_recall(
    scores_by_category: Mapping[str, torch.Tensor],
    targets_by_category: Mapping[str, torch.Tensor],
    ks: Sequence[int] = (10, 50),
    excluded_by_category: Mapping[str, torch.Tensor] | None = None,
) -> dict[str, float]:
    """Fashion-IQ composed retrieval: R@10 and R@50 per category, their means, and the average.

    Args:
        scores_by_category: category -> (Q, G) scores of (reference image + modification text)
            queries against that category's gallery.
        targets_by_category: category -> (Q,) index of each query's target in the gallery.
        ks: the cut-offs.
        excluded_by_category: optional category -> (Q,) gallery index each query may not
            return (usually its reference image), or -1 for none.

    Returns:
        {"<category>/R@k"} for each category and k, {"mean/R@k"} across categories, and
        {"average"}: the mean of the "mean/R@k" values (the single number papers report).
    """
    if set(scores_by_category) != set(targets_by_category):
        raise ValueError("scores and targets must cover the same categories")
    results: dict[str, float] = {}
    for category, scores in scores_by_category.items():
        targets = torch.as_tensor(targets_by_category[category], dtype=torch.long, device=scores.device)
        positives = torch.zeros_like(scores, dtype=torch.bool)
        positives[torch.arange(scores.shape[0], device=scores.device), targets] = True
        if excluded_by_category is not None and category in excluded_by_category:
            scores = _exclude(scores, excluded_by_category[category], positives)
        for name, value in recall_at_k(scores, positives, ks).items():
            results[f"{category}/{name}"] = value
    for k in ks:
        results[f"mean/R@{k}"] = float(np.mean([results[f"{c}/R@{k}"] for c in scores_by_category]))
    results["average"] = float(np.mean([results[f"mean/R@{k}"] for k in ks]))
    return results


def _exclude(scores: torch.Tensor, excluded: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
    excluded = torch.as_tensor(excluded, dtype=torch.long, device=scores.device)
    rows = torch.nonzero(excluded >= 0).squeeze(1)
    blocked = torch.zeros_like(positives)
    blocked[rows, excluded[rows]] = True
    # A target is never removed, even when it is also the reference.
    return scores.masked_fill(blocked & ~positives, float("-inf"))
