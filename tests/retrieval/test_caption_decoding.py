"""Caption decoding: greedy and beam search on hand-made scorers, and the style prefixes."""

from __future__ import annotations

import pytest
import torch

from atelier.retrieval.caption_decoding import (
    beam_decode,
    greedy_decode,
    without_repeated_ngrams,
)
from atelier.retrieval.caption_styles import (
    UnknownCaptionStyle,
    style_prefix,
    styled_caption,
)
from atelier.retrieval.untrained_encoder import untrained_encoder
from atelier.world.text import CAPTION_STYLES

END = 0


def table_scorer(table: dict[tuple[int, ...], dict[int, float]], vocab: int = 4):
    """Next-token log-probabilities looked up by the tokens after the first (the prefix)."""

    def next_logits(tokens: torch.Tensor) -> torch.Tensor:
        rows = []
        for row in tokens.tolist():
            probabilities = table.get(tuple(row[1:]), {END: 1.0})
            logits = torch.full((vocab,), -1e9)
            for token, probability in probabilities.items():
                logits[token] = torch.log(torch.tensor(probability))
            rows.append(logits)
        return torch.stack(rows)

    return next_logits


# Greedy takes 1 (0.6) and then must end weakly; 2 (0.4) leads to a sure continuation.
TRAP = {
    (): {1: 0.6, 2: 0.4},
    (1,): {3: 0.34, 2: 0.33, END: 0.33},
    (1, 3): {END: 1.0},
    (2,): {3: 1.0},
    (2, 3): {END: 1.0},
}


def test_greedy_takes_the_locally_best_token_and_stops_at_the_end_token():
    tokens = greedy_decode(table_scorer(TRAP), torch.tensor([[9]]), END, max_length=10)
    assert tokens.tolist() == [[9, 1, 3, END]]


def test_beam_search_finds_the_better_whole_sequence():
    tokens = beam_decode(table_scorer(TRAP), torch.tensor([[9], [9]]), END, max_length=10, beams=2)
    assert tokens.tolist() == [[9, 2, 3, END], [9, 2, 3, END]]


def test_one_beam_is_greedy_and_length_is_bounded():
    scorer = table_scorer({(): {1: 1.0}, (1,): {1: 1.0}, (1, 1): {1: 1.0}})
    assert beam_decode(scorer, torch.tensor([[9]]), END, 3, beams=1).tolist() == greedy_decode(scorer, torch.tensor([[9]]), END, 3).tolist()
    assert greedy_decode(scorer, torch.tensor([[9]]), END, 3).shape == (1, 3)


def test_style_prefixes_select_the_style():
    assert [style_prefix(style) for style in CAPTION_STYLES] == ["short:", "professional:", "detailed:"]
    assert styled_caption("short", "red dress") == "short: red dress"
    with pytest.raises(UnknownCaptionStyle, match="expected one of short, professional, detailed"):
        style_prefix("poetic")


def test_the_encoders_prefix_tokens_start_every_styled_caption():
    encoder = untrained_encoder("tiny")
    prefixes = {style: encoder.prefix_ids(style) for style in CAPTION_STYLES}
    assert len({tuple(ids) for ids in prefixes.values()}) == 3
    for style, ids in prefixes.items():
        full = encoder.tokenizer.encode(styled_caption(style, "a red striped dress")).ids
        assert full[: len(ids)] == ids and len(full) > len(ids)


def test_generate_captions_in_every_style_with_greedy_and_beam_search():
    torch.manual_seed(0)
    encoder = untrained_encoder("tiny").eval()
    images = torch.zeros(2, 3, 64, 48)
    for style in CAPTION_STYLES:
        for beams in (1, 3):
            captions = encoder.generate_captions(images, style, beams=beams)
            assert len(captions) == 2 and all(isinstance(caption, str) for caption in captions)
    with pytest.raises(UnknownCaptionStyle):
        encoder.generate_captions(images, "poetic")


def test_repeated_ngrams_can_be_forbidden():
    prefers_one = table_scorer({}, vocab=4)

    def scorer(tokens):  # always 1 > 2 > end > 3
        logits = torch.tensor([[0.0, 2.0, 1.0, -5.0]]).repeat(tokens.shape[0], 1)
        return logits

    assert greedy_decode(scorer, torch.tensor([[9]]), END, 6).tolist() == [[9, 1, 1, 1, 1, 1]]
    blocked = without_repeated_ngrams(scorer, 2, start=1)
    # "1 1" may appear once, then "1 2", "2 1"; every next bigram would repeat: the end token.
    assert greedy_decode(blocked, torch.tensor([[9]]), END, 10).tolist() == [[9, 1, 1, 2, 1, END]]
    assert without_repeated_ngrams(prefers_one, 0) is prefers_one
