"""BLEU-4 against sacrebleu, ROUGE-L and CIDEr-D against hand-computed values."""

import math

import pytest
import sacrebleu

from atelier.eval.metrics.caption_metrics import cider_d, corpus_bleu, rouge_l, tokenize_caption

HYPOTHESES = [
    "a red striped shirt with long sleeves",
    "blue denim jeans with a wide leg",
    "a black leather bag with a gold chain strap",
    "white sneakers with green laces and a thick sole",
]
REFERENCES = [
    ["a red shirt with stripes and long sleeves", "red striped shirt with long sleeves"],
    ["wide leg blue denim jeans", "a pair of blue jeans with a wide leg"],
    ["a black leather bag with a chain strap", "black bag in leather with gold chain"],
    ["white sneakers with a thick sole and green laces", "a pair of white sneakers with green laces"],
]


def test_tokenizer_lowercases_and_drops_punctuation():
    assert tokenize_caption("A red, T-shirt. It's LONG!") == ["a", "red", "t-shirt", "it's", "long"]


def test_bleu4_matches_sacrebleu_on_pretokenised_text():
    reference_streams = [list(stream) for stream in zip(*REFERENCES)]
    expected = sacrebleu.corpus_bleu(HYPOTHESES, reference_streams, tokenize="none", smooth_method="none").score
    assert corpus_bleu(HYPOTHESES, REFERENCES) == pytest.approx(expected / 100, rel=1e-9)


def test_bleu_brevity_penalty_and_zero_match():
    reference_streams = [["the cat sat on the red mat today"]]
    short = ["the cat sat on the red"]
    expected = sacrebleu.corpus_bleu(short, reference_streams, tokenize="none", smooth_method="none").score
    assert corpus_bleu(short, [["the cat sat on the red mat today"]]) == pytest.approx(expected / 100, rel=1e-9)
    assert corpus_bleu(["a b c d"], [["e f g h"]]) == 0.0
    assert corpus_bleu(["a b c d e"], [["a b c d e"]]) == pytest.approx(1.0)


def test_rouge_l_hand_computed():
    # LCS("a b c d e", "a c e f") = "a c e" = 3: P = 3/5, R = 3/4.
    p, r, beta = 3 / 5, 3 / 4, 1.2
    expected = (1 + beta**2) * p * r / (r + beta**2 * p)
    assert rouge_l(["a b c d e"], [["a c e f", "x y"]]) == pytest.approx(expected)
    # Precision and recall are maximised separately over references, then mixed:
    # "a b" gives P 2/3, R 1; "a b c d" gives P 1, R 3/4; the maxima P 1, R 1 give F 1.
    assert rouge_l(["a b c"], [["a b", "a b c d"]]) == pytest.approx(1.0)
    assert rouge_l(["a b c", "x"], [["a b c"], ["y"]]) == pytest.approx(0.5)


def test_cider_d_hand_computed():
    # Two images, so idf = log 2 for n-grams in one image's references (idf weight written l).
    # Image 1, "a x" vs ref "a b": unigram cosine (l·l)/(√2 l · √2 l) = 1/2, no shared bigram,
    #   no trigrams: (1/2 + 0 + 0 + 0) / 4 · 10 = 1.25.
    # Image 2, "c d" vs ref "c d": unigrams 1, bigrams 1, no trigrams: (1 + 1) / 4 · 10 = 5.
    assert cider_d(["a x", "c d"], [["a b"], ["c d"]]) == pytest.approx((1.25 + 5.0) / 2)


def test_cider_d_clipping_and_length_penalty_hand_computed():
    # Image 1, "a b b" vs "a b": unigram tf-idf (l, 2l) vs (l, l): clipped sum l·l + min(2l, l)·l = 2l²,
    #   over norms √5 l · √2 l -> 2/√10. Bigrams ("a b", "b b") vs ("a b"): l² / (√2 l · l) = 1/√2.
    #   Lengths (bigram counts) 2 vs 1: penalty exp(-1/72).
    image_one = (2 / math.sqrt(10) + 1 / math.sqrt(2)) * math.exp(-1 / 72) / 4 * 10
    assert cider_d(["a b b", "c d"], [["a b"], ["c d"]]) == pytest.approx((image_one + 5.0) / 2)


def test_cider_d_prefers_the_references_own_captions():
    matching = [refs[0] for refs in REFERENCES]
    shuffled = matching[1:] + matching[:1]
    assert cider_d(matching, REFERENCES) > 2.0 > cider_d(shuffled, REFERENCES)
    assert cider_d(HYPOTHESES, REFERENCES) > cider_d(shuffled, REFERENCES)
    assert cider_d(["a b"], [["a b"]]) == 0.0  # one image: every n-gram has idf 0


def test_corpus_shapes_are_checked():
    with pytest.raises(ValueError, match="reference lists"):
        corpus_bleu(["a"], [])
    with pytest.raises(ValueError, match="non-empty list"):
        cider_d(["a"], ["a"])
