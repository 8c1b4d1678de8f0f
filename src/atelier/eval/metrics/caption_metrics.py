"""Captioning scores: corpus BLEU-4, ROUGE-L and CIDEr-D, as the coco-caption toolkit computes them.

Each function takes one generated caption per image and one or more reference captions per
image, and tokenises with `tokenize_caption` (lower case, punctuation dropped, as coco-caption's
PTB tokenizer does for captions). Scores are on coco-caption's scale: BLEU and ROUGE-L in [0, 1],
CIDEr-D up to 10 (papers print all three ×100).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

CIDER_MAX_ORDER = 4
CIDER_SIGMA = 6.0
ROUGE_BETA = 1.2


def tokenize_caption(text: str) -> list[str]:
    """Lower-case word tokens, punctuation dropped: "A red, T-shirt." -> ["a", "red", "t-shirt"]."""
    return re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", text.lower())


def _ngrams(tokens: Sequence[str], n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _check_corpus(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> None:
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} captions but {len(references)} reference lists")
    if not hypotheses:
        raise ValueError("the corpus is empty")
    if any(isinstance(refs, str) or len(refs) == 0 for refs in references):
        raise ValueError("each image needs a non-empty list of reference captions")


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[Sequence[str]], max_order: int = 4) -> float:
    """Corpus BLEU (Papineni et al. 2002), BLEU-4 by default, without smoothing.

    Clipped n-gram counts and lengths are summed over the corpus before the precisions are
    taken; the brevity penalty compares the total caption length with the summed lengths of the
    closest reference of each image (the shorter one on a tie).

    Args:
        hypotheses: one caption per image.
        references: the reference captions of each image.
        max_order: highest n-gram order.

    Returns:
        BLEU in [0, 1]; 0 when some order has no match.
    """
    _check_corpus(hypotheses, references)
    matches = [0] * max_order
    totals = [0] * max_order
    hypothesis_length = reference_length = 0
    for hypothesis, refs in zip(hypotheses, references):
        tokens = tokenize_caption(hypothesis)
        ref_tokens = [tokenize_caption(r) for r in refs]
        hypothesis_length += len(tokens)
        reference_length += min((abs(len(r) - len(tokens)), len(r)) for r in ref_tokens)[1]
        for n in range(1, max_order + 1):
            counts = _ngrams(tokens, n)
            # Clipping: an n-gram counts at most as often as it appears in any single reference.
            max_reference = Counter()
            for r in ref_tokens:
                max_reference |= _ngrams(r, n)
            matches[n - 1] += sum(min(c, max_reference[g]) for g, c in counts.items())
            totals[n - 1] += max(len(tokens) - n + 1, 0)
    if hypothesis_length == 0 or min(matches) == 0:
        return 0.0
    log_precision = sum(math.log(m / t) for m, t in zip(matches, totals)) / max_order
    brevity = 1.0 if hypothesis_length >= reference_length else math.exp(1 - reference_length / hypothesis_length)
    return brevity * math.exp(log_precision)


def _longest_common_subsequence(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if token == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(hypotheses: Sequence[str], references: Sequence[Sequence[str]], beta: float = ROUGE_BETA) -> float:
    """ROUGE-L F-measure (Lin 2004) averaged over images, as coco-caption computes it.

    Per image: precision and recall are the LCS length over the caption / reference length, each
    maximised over the references, then F = (1 + β²) P R / (R + β² P) with β = 1.2.

    Args:
        hypotheses: one caption per image.
        references: the reference captions of each image.
        beta: weight of recall relative to precision.

    Returns:
        mean F-measure in [0, 1].
    """
    _check_corpus(hypotheses, references)
    scores = []
    for hypothesis, refs in zip(hypotheses, references):
        tokens = tokenize_caption(hypothesis)
        precisions, recalls = [0.0], [0.0]
        for reference in refs:
            ref_tokens = tokenize_caption(reference)
            common = _longest_common_subsequence(tokens, ref_tokens)
            precisions.append(common / len(tokens) if tokens else 0.0)
            recalls.append(common / len(ref_tokens) if ref_tokens else 0.0)
        precision, recall = max(precisions), max(recalls)
        if precision == 0 or recall == 0:
            scores.append(0.0)
        else:
            scores.append((1 + beta**2) * precision * recall / (recall + beta**2 * precision))
    return sum(scores) / len(scores)


def _tfidf_vectors(tokens: Sequence[str], document_frequency: Counter, log_documents: float):
    """Per order, the tf-idf vector and its norm, plus the length coco-caption's CIDEr-D uses."""
    vectors: list[dict[tuple[str, ...], float]] = []
    norms: list[float] = []
    for n in range(1, CIDER_MAX_ORDER + 1):
        vector = {
            gram: count * (log_documents - math.log(max(1.0, document_frequency[gram])))
            for gram, count in _ngrams(tokens, n).items()
        }
        vectors.append(vector)
        norms.append(math.sqrt(sum(v * v for v in vector.values())))
    # coco-caption measures length as the number of bigrams (len - 1); kept for comparable scores.
    return vectors, norms, max(len(tokens) - 1, 0)


def cider_d(hypotheses: Sequence[str], references: Sequence[Sequence[str]], sigma: float = CIDER_SIGMA) -> float:
    """CIDEr-D (Vedantam et al. 2015) as in coco-caption's `ciderD`.

    tf-idf vectors of 1- to 4-grams, with document frequencies counted over the images'
    reference sets; per order the caption's weights are clipped at the reference's, the
    cosine-like product is damped by a Gaussian length penalty exp(−Δ²/2σ²), σ = 6; orders are
    averaged, references averaged, ×10, and images averaged.

    Args:
        hypotheses: one caption per image.
        references: the reference captions of each image.
        sigma: width of the length penalty.

    Returns:
        the corpus CIDEr-D (0 for a single image, whose n-grams all have idf 0).
    """
    _check_corpus(hypotheses, references)
    reference_tokens = [[tokenize_caption(r) for r in refs] for refs in references]
    document_frequency: Counter = Counter()
    for refs in reference_tokens:
        document_frequency.update({gram for r in refs for n in range(1, CIDER_MAX_ORDER + 1) for gram in _ngrams(r, n)})
    log_documents = math.log(float(len(references)))
    scores = []
    for hypothesis, refs in zip(hypotheses, reference_tokens):
        vectors, norms, length = _tfidf_vectors(tokenize_caption(hypothesis), document_frequency, log_documents)
        per_order = [0.0] * CIDER_MAX_ORDER
        for reference in refs:
            ref_vectors, ref_norms, ref_length = _tfidf_vectors(reference, document_frequency, log_documents)
            penalty = math.exp(-((length - ref_length) ** 2) / (2 * sigma**2))
            for n in range(CIDER_MAX_ORDER):
                ref_vector = ref_vectors[n]
                value = sum(min(w, ref_vector.get(g, 0.0)) * ref_vector.get(g, 0.0) for g, w in vectors[n].items())
                if norms[n] != 0 and ref_norms[n] != 0:
                    value /= norms[n] * ref_norms[n]
                per_order[n] += value * penalty
        scores.append(sum(per_order) / CIDER_MAX_ORDER / len(refs) * 10.0)
    return sum(scores) / len(scores)
