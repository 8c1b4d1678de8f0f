"""Every retrieval and captioning figure of one model on the held-out sets.

Metrics come from `atelier.eval.metrics.retrieval_metrics` and `atelier.eval.metrics.caption_metrics`:

- composed: Fashion-IQ R@10 and R@50 per category (dress, shirt, toptee), their means and
  the average of the means; each query ranks its category's whole gallery (its own
  reference image included, as Fashion-IQ's protocol has it);
- cross-modal: text->image and image->text R@1/5/10 under FashionGen's protocol (the match
  among 99 random same-category items) and against the full gallery (an item counts as
  correct when it is the same garment or has the very same description);
- captioning: corpus BLEU-4, ROUGE-L and CIDEr-D per style against several reference
  wordings, and their mean over the styles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from atelier.eval.metrics.caption_metrics import cider_d, corpus_bleu, rouge_l
from atelier.eval.metrics.retrieval_metrics import (
    fashioniq_recall,
    random_candidates_recall,
    recall_at_k,
)
from atelier.retrieval.evaluation_models import EvaluatedModel
from atelier.retrieval.evaluation_sets import (
    CaptionSet,
    ComposedCategorySet,
    CrossModalSet,
)
from atelier.world.text import CAPTION_STYLES

CROSS_MODAL_KS = (1, 5, 10)


def evaluate_composed(model: EvaluatedModel, sets: dict[str, ComposedCategorySet]) -> dict[str, float]:
    """Fashion-IQ recall: {"dress/R@10", ..., "mean/R@10", "mean/R@50", "average"}."""
    scores, targets = {}, {}
    for category, data in sets.items():
        queries = torch.from_numpy(model.embed_composed(data.references, data.modifications))
        gallery = torch.from_numpy(model.embed_images(data.gallery))
        scores[category] = queries @ gallery.T
        targets[category] = torch.from_numpy(data.target_indices)
    return fashioniq_recall(scores, targets)


def evaluate_cross_modal(model: EvaluatedModel, data: CrossModalSet) -> dict[str, float]:
    """{"t2i/random100/R@k", "i2t/random100/R@k", "t2i/full/R@k", "i2t/full/R@k"}."""
    texts = torch.from_numpy(model.embed_texts(data.texts))
    images = torch.from_numpy(model.embed_images(data.images))
    results = {}
    for name, value in random_candidates_recall(texts, images, data.categories, CROSS_MODAL_KS).items():
        results[f"t2i/random100/{name}"] = value
    for name, value in random_candidates_recall(images, texts, data.categories, CROSS_MODAL_KS).items():
        results[f"i2t/random100/{name}"] = value
    positives = _same_item(data.garment_ids, data.texts)
    for name, value in recall_at_k(texts @ images.T, positives, CROSS_MODAL_KS).items():
        results[f"t2i/full/{name}"] = value
    for name, value in recall_at_k(images @ texts.T, positives.T, CROSS_MODAL_KS).items():
        results[f"i2t/full/{name}"] = value
    return results


def evaluate_captions(model: EvaluatedModel, data: CaptionSet, styles: Sequence[str] = CAPTION_STYLES) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Captioning scores per style and their mean, and the captions written.

    Returns:
        ({"<style>/BLEU-4", "<style>/ROUGE-L", "<style>/CIDEr", "mean/..."}, style -> captions).
    """
    results: dict[str, float] = {}
    written = {}
    for style in styles:
        captions = model.caption(data.images, style)
        references = data.references[style]
        written[style] = captions
        results[f"{style}/BLEU-4"] = corpus_bleu(captions, references)
        results[f"{style}/ROUGE-L"] = rouge_l(captions, references)
        results[f"{style}/CIDEr"] = cider_d(captions, references)
    for metric in ("BLEU-4", "ROUGE-L", "CIDEr"):
        results[f"mean/{metric}"] = float(np.mean([results[f"{style}/{metric}"] for style in styles]))
    return results, written


def _same_item(garment_ids: Sequence[str], texts: Sequence[str]) -> torch.Tensor:
    """(N, N) bool: the same garment, or two garments with the very same description."""
    ids = np.asarray(garment_ids)
    described = np.asarray([text.lower() for text in texts])
    return torch.from_numpy((ids[:, None] == ids[None, :]) | (described[:, None] == described[None, :]))
