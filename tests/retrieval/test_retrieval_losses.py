"""The training losses against hand-worked values."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from atelier.retrieval.training_batches import CaptionBatch, ComposedBatch
from atelier.retrieval.training_losses import (
    caption_loss,
    contrastive_loss,
    matching_loss,
    sample_hard_negatives,
)
from atelier.retrieval.training_task import retrieval_losses
from atelier.retrieval.untrained_encoder import untrained_encoder


def test_contrastive_loss_of_identical_embeddings_is_log_batch():
    same = F.normalize(torch.ones(4, 8), dim=1)
    assert contrastive_loss(same, same, 10.0).item() == pytest.approx(math.log(4), abs=1e-6)


def test_contrastive_loss_vanishes_for_orthogonal_matches_and_sharp_temperature():
    basis = torch.eye(4)
    assert contrastive_loss(basis, basis, 100.0).item() < 1e-10
    # Hand-worked: logits s * I with s = 2: -log(e^2 / (e^2 + 3)) in both directions.
    assert contrastive_loss(basis, basis, 2.0).item() == pytest.approx(-math.log(math.e**2 / (math.e**2 + 3)), rel=1e-6)


def test_extra_negatives_only_add_to_the_query_side():
    basis = torch.eye(3)
    extra = F.normalize(torch.ones(1, 3), dim=1)
    plain = contrastive_loss(basis, basis, 2.0)
    with_extra = contrastive_loss(basis, basis, 2.0, extra_negatives=extra)
    # Query side gains exp(2 / sqrt 3) in each denominator; the gallery side is unchanged.
    query_side = -math.log(math.e**2 / (math.e**2 + 2 + math.exp(2 / math.sqrt(3))))
    assert with_extra.item() == pytest.approx((query_side + plain.item()) / 2, rel=1e-6)


def test_pairs_marked_as_matches_are_not_pushed_apart():
    same = F.normalize(torch.ones(2, 4), dim=1)
    not_negatives = torch.ones(2, 2, dtype=torch.bool)
    assert contrastive_loss(same, same, 10.0, not_negatives=not_negatives).item() == pytest.approx(0.0, abs=1e-6)


def test_hard_negatives_prefer_close_wrong_items_and_never_the_own_one():
    similarity = torch.tensor([[1.0, 0.9, -5.0], [0.0, 1.0, 0.95], [0.2, -5.0, 1.0]]) * 20
    generator = torch.Generator().manual_seed(0)
    draws = torch.stack([sample_hard_negatives(similarity, generator) for _ in range(200)])
    assert (draws != torch.arange(3)).all()
    assert (draws[:, 0] == 1).float().mean() > 0.95  # 0.9 beats -5.0 by far
    assert (draws[:, 1] == 2).float().mean() > 0.95
    duplicates = torch.tensor([[True, True, False], [True, True, False], [False, False, True]])
    draws = torch.stack([sample_hard_negatives(similarity, generator, duplicates) for _ in range(50)])
    assert (draws[:, 0] == 2).all()  # column 1 repeats row 0's text: it is no negative


def test_matching_loss_at_zero_logits_is_log_two():
    zeros = torch.zeros(3, 2)
    assert matching_loss(zeros, torch.zeros(6, 2)).item() == pytest.approx(math.log(2))
    confident = torch.tensor([[-10.0, 10.0]])
    assert matching_loss(confident, -confident).item() < 1e-6


def test_caption_loss_skips_the_prefix_and_the_padding():
    vocab = 6
    ids = torch.tensor([[2, 5, 1, 4, 3, 0]])  # [CLS] prefix caption caption [SEP] [PAD]
    mask = torch.tensor([[1, 1, 1, 1, 1, 0]])
    logits = torch.zeros(1, 6, vocab)
    for position, token in enumerate(ids[0, 1:].tolist()):
        logits[0, position, token] = 50.0  # predicts every next token, prefix included
    logits[0, 0] = 0.0  # ... except the prefix token, which must not count
    logits[0, 4] = 0.0  # ... and the padding, which must not count either
    assert caption_loss(logits, ids, mask, torch.tensor([2])).item() < 1e-6
    logits[0, 2] = 0.0  # a caption token now has a uniform prediction: log(V) over 3 targets
    assert caption_loss(logits, ids, mask, torch.tensor([2])).item() == pytest.approx(math.log(vocab) / 3, rel=1e-5)


def test_all_objectives_of_a_step_are_finite_and_sane_at_initialisation():
    torch.manual_seed(0)
    encoder = untrained_encoder("tiny")
    images = torch.rand(4, 3, 64, 48) * 2 - 1
    captions = CaptionBatch(images, ["red dress", "blue coat", "red dress", "pink bag"], ["short", "short", "professional", "detailed"])
    composed = ComposedBatch(images, ["is red", "is blue", "has dots", "is longer"], images.flip(0))
    losses = retrieval_losses(encoder, captions, composed, generator=torch.Generator().manual_seed(0))
    assert set(losses) == {"loss", "itc", "itm", "caption", "composed"}
    assert all(torch.isfinite(value) for value in losses.values())
    # Random embeddings: contrastive losses near log B (4 texts / 4 + 4 images), matching near log 2.
    assert 0.5 < losses["itc"].item() < 3 and 0.5 < losses["composed"].item() < 3.5
    assert 0.4 < losses["itm"].item() < 1.2
    assert losses["caption"].item() == pytest.approx(math.log(encoder.config.vocab_size), rel=0.25)
    losses["loss"].backward()
    assert encoder.image_encoder.stages[0].down[0].weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="needs"):
        retrieval_losses(encoder, None, None)
