"""Recall@K, chunked top-k and the FashionGen / Fashion-IQ protocols on hand-worked cases."""

import pytest
import torch

from atelier.eval.metrics.retrieval_metrics import fashioniq_recall, random_candidates_recall, recall_at_k, topk_chunked


def test_recall_at_k_hand_worked():
    scores = torch.tensor(
        [
            [0.9, 0.1, 0.5, 0.3],  # positive 0 ranks 1st
            [0.9, 0.1, 0.5, 0.3],  # positive 2 ranks 2nd
            [0.9, 0.1, 0.5, 0.3],  # positive 1 ranks 4th
            [0.2, 0.8, 0.7, 0.6],  # positives 2 and 3: best ranks 2nd
        ]
    )
    positives = torch.zeros(4, 4, dtype=torch.bool)
    positives[0, 0] = positives[1, 2] = positives[2, 1] = positives[3, 2] = positives[3, 3] = True
    assert recall_at_k(scores, positives, ks=(1, 2, 3, 4)) == {"R@1": 0.25, "R@2": 0.75, "R@3": 0.75, "R@4": 1.0}


def test_recall_counts_ties_against_the_query():
    scores = torch.zeros(2, 3)
    positives = torch.eye(2, 3, dtype=torch.bool)
    assert recall_at_k(scores, positives, ks=(1, 3)) == {"R@1": 0.0, "R@3": 1.0}
    with pytest.raises(ValueError, match="at least one positive"):
        recall_at_k(scores, torch.zeros(2, 3, dtype=torch.bool))


@pytest.mark.parametrize("chunk", [1, 7, 50, 1000])
def test_topk_chunked_equals_full_matrix_topk(chunk):
    generator = torch.Generator().manual_seed(0)
    query, gallery = torch.randn(13, 16, generator=generator), torch.randn(211, 16, generator=generator)
    values, indices = topk_chunked(query, gallery, k=10, chunk=chunk)
    full_values, full_indices = (query @ gallery.T).topk(10, dim=1)
    assert torch.equal(indices, full_indices)
    assert torch.allclose(values, full_values, atol=1e-5)


def test_random_candidates_recall_hand_worked():
    # 1-D embeddings, score = product. Category "a": pairs 0, 1, 2; category "b": pairs 3, 4.
    query = torch.tensor([[1.0], [1.0], [-1.0], [1.0], [1.0]])
    gallery = torch.tensor([[3.0], [2.0], [1.0], [5.0], [4.0]])
    # Query 0: positive 3 vs 2, 1 -> rank 1. Query 1: 2 vs 3, 1 -> rank 2.
    # Query 2: -1 vs -3, -2 -> rank 1. Query 3: 5 vs 4 -> rank 1. Query 4: 4 vs 5 -> rank 2.
    recall = random_candidates_recall(query, gallery, ["a", "a", "a", "b", "b"], ks=(1, 2))
    assert recall == {"R@1": 0.6, "R@2": 1.0}


def test_random_candidates_recall_draws_only_same_category_negatives():
    # Every other-category item would beat the positive; same-category ones never do.
    generator = torch.Generator().manual_seed(1)
    count = 300
    categories = torch.arange(count) % 2
    query = torch.ones(count, 1)
    gallery = torch.where(categories == 0, 1.0, 10.0).unsqueeze(1) + 0.01 * torch.rand(count, 1, generator=generator)
    low = random_candidates_recall(query[:2], gallery[:2], [0, 1], ks=(1,))
    assert low == {"R@1": 1.0}
    recall = random_candidates_recall(query, gallery, categories, ks=(1, 50, 100), n_candidates=100, seed=3)
    assert recall["R@100"] == 1.0 and 0.0 < recall["R@1"] < 0.05 and 0.35 < recall["R@50"] < 0.65
    assert recall == random_candidates_recall(query, gallery, categories, ks=(1, 50, 100), seed=3)


def test_fashioniq_recall_per_category_and_mean():
    # Gallery of 60 items; the target of query q is item q; its score rank is set by hand.
    def scores_with_target_ranks(ranks):
        scores = torch.arange(60, 0, -1, dtype=torch.float32).repeat(len(ranks), 1)  # item j ranks j+1
        for q, rank in enumerate(ranks):
            scores[q, [q, rank - 1]] = scores[q, [rank - 1, q]]  # move the target to its rank
        return scores

    ranks = {"dress": [1, 12, 60], "shirt": [10, 50, 51], "toptee": [5, 20, 40]}
    scores = {c: scores_with_target_ranks(r) for c, r in ranks.items()}
    targets = {c: torch.arange(3) for c in ranks}
    result = fashioniq_recall(scores, targets)
    assert result["dress/R@10"] == pytest.approx(1 / 3) and result["dress/R@50"] == pytest.approx(2 / 3)
    assert result["shirt/R@10"] == pytest.approx(1 / 3) and result["shirt/R@50"] == pytest.approx(2 / 3)
    assert result["toptee/R@10"] == pytest.approx(1 / 3) and result["toptee/R@50"] == pytest.approx(1.0)
    assert result["mean/R@10"] == pytest.approx(1 / 3)
    assert result["mean/R@50"] == pytest.approx(7 / 9)
    assert result["average"] == pytest.approx((1 / 3 + 7 / 9) / 2)

    # Excluding the item ranked first for "shirt" query 0 lifts its target from rank 10 to 9.
    excluded = {"shirt": torch.tensor([1, -1, -1])}
    lifted = fashioniq_recall(
        {"shirt": scores["shirt"]}, {"shirt": targets["shirt"]}, ks=(9,), excluded_by_category=excluded
    )
    assert lifted["shirt/R@9"] == pytest.approx(1 / 3)
    assert fashioniq_recall({"shirt": scores["shirt"]}, {"shirt": targets["shirt"]}, ks=(9,))["shirt/R@9"] == 0.0
