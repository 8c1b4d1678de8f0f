"""Greedy and beam-search decoding as plain functions of a next-token scorer.

They never import a model: `next_logits(tokens)` maps (B, T) tokens to (B, V) logits of the
next token, so the same search runs any decoder (and is tested with a hand-made one).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

NextLogits = Callable[[torch.Tensor], torch.Tensor]


def greedy_decode(next_logits: NextLogits, prefix: torch.Tensor, end_id: int, max_length: int) -> torch.Tensor:
    """Extend every prefix with its most likely token until `end_id` or `max_length`.

    Args:
        next_logits: (B, T) tokens -> (B, V) logits of token T + 1.
        prefix: (B, P) tokens to start from.
        end_id: the token that ends a caption.
        max_length: longest sequence, prefix included.

    Returns:
        (B, L) tokens, prefix included, L <= max_length; after a row's `end_id` its tokens
        are `end_id` too.
    """
    tokens = prefix
    finished = torch.zeros(prefix.shape[0], dtype=torch.bool, device=prefix.device)
    while tokens.shape[1] < max_length and not finished.all():
        chosen = next_logits(tokens).argmax(dim=-1)
        chosen = torch.where(finished, torch.full_like(chosen, end_id), chosen)
        tokens = torch.cat([tokens, chosen[:, None]], dim=1)
        finished |= chosen == end_id
    return tokens


def beam_decode(
    next_logits: NextLogits,
    prefix: torch.Tensor,
    end_id: int,
    max_length: int,
    beams: int,
    length_penalty: float = 1.0,
) -> torch.Tensor:
    """Beam search: keep the `beams` best partial captions of every row.

    A finished beam keeps its score and is extended only by `end_id` (at no cost). Beams are
    compared by total log-probability divided by (generated length) ** `length_penalty`, so
    longer captions are not punished merely for having more tokens.

    Args:
        next_logits: (N, T) tokens -> (N, V) logits, for any N.
        prefix: (B, P) tokens to start from.
        end_id: the token that ends a caption.
        max_length: longest sequence, prefix included.
        beams: beams per row; 1 is greedy.
        length_penalty: exponent of the length normalisation.

    Returns:
        (B, L) tokens of each row's best beam, prefix included.
    """
    batch = prefix.shape[0]
    tokens = prefix.repeat_interleave(beams, dim=0)  # (B * beams, P)
    scores = torch.zeros(batch, beams, device=prefix.device)
    scores[:, 1:] = float("-inf")  # all beams start identical: expand only the first
    finished = torch.zeros(batch * beams, dtype=torch.bool, device=prefix.device)
    lengths = torch.zeros(batch * beams, device=prefix.device)
    while tokens.shape[1] < max_length and not finished.all():
        log_probs = next_logits(tokens).float().log_softmax(dim=-1)  # (B * beams, V)
        vocab = log_probs.shape[1]
        # A finished beam may only repeat end_id, for free.
        frozen = torch.full_like(log_probs, float("-inf"))
        frozen[:, end_id] = 0.0
        log_probs = torch.where(finished[:, None], frozen, log_probs)
        candidates = (scores.reshape(-1, 1) + log_probs).view(batch, beams * vocab)
        new_lengths = (lengths + (~finished).float()).repeat_interleave(vocab).view(batch, beams * vocab)
        ranked = candidates / new_lengths.clamp(min=1) ** length_penalty
        ranked = torch.where(torch.isfinite(candidates), ranked, candidates)
        best = ranked.topk(beams, dim=1).indices  # (B, beams)
        source = best // vocab + torch.arange(batch, device=prefix.device)[:, None] * beams
        chosen = best % vocab
        scores = candidates.gather(1, best)
        lengths = new_lengths.gather(1, best).reshape(-1)
        tokens = torch.cat([tokens[source.reshape(-1)], chosen.reshape(-1, 1)], dim=1)
        finished = finished[source.reshape(-1)] | (chosen.reshape(-1) == end_id)
    final = (scores.reshape(-1) / lengths.clamp(min=1) ** length_penalty).view(batch, beams)
    best_beam = final.argmax(dim=1) + torch.arange(batch, device=prefix.device) * beams
    return tokens[best_beam]


def without_repeated_ngrams(next_logits: NextLogits, size: int, start: int = 0) -> NextLogits:
    """A scorer that forbids any token completing an n-gram already in the sequence.

    Small decoders fall into loops ("a regular fit and a regular fit"); forbidding a repeated
    `size`-gram (the `no_repeat_ngram_size` of common generators) stops them without touching
    the model.

    Args:
        next_logits: the scorer to wrap.
        size: n of the n-grams that may not repeat (0 or 1: no blocking).
        start: tokens before this position (the prompt) are not counted.

    Returns:
        A scorer with the same signature.
    """
    if size < 2:
        return next_logits

    def blocked(tokens: torch.Tensor) -> torch.Tensor:
        logits = next_logits(tokens).clone()
        for row, sequence in enumerate(tokens[:, start:].tolist()):
            if len(sequence) < size - 1:
                continue
            context = tuple(sequence[len(sequence) - size + 1 :])
            for position in range(len(sequence) - size + 1):
                if tuple(sequence[position : position + size - 1]) == context:
                    logits[row, sequence[position + size - 1]] = float("-inf")
        return logits

    return blocked
