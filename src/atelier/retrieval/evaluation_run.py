"""`atelier retrieval eval`: the encoder and the colour baseline on held-out world data.

Writes `results.json` (every figure of both models, and the settings) and `examples.html`
into the output folder. See `atelier.retrieval.evaluation` for the protocols and
`atelier.retrieval.colour_baseline` for the baseline.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from atelier.retrieval.colour_baseline import ColourBaseline
from atelier.retrieval.encoder_file import DEFAULT_WEIGHTS, encoder_path, load_encoder
from atelier.retrieval.evaluation import (
    evaluate_captions,
    evaluate_composed,
    evaluate_cross_modal,
)
from atelier.retrieval.evaluation_models import EncoderModel, EvaluatedModel
from atelier.retrieval.evaluation_sets import (
    CROSS_MODAL_STYLE,
    caption_set,
    composed_sets,
    cross_modal_set,
    export_composed_test,
)
from atelier.retrieval.examples_page import write_examples_page
from atelier.retrieval.training_pools import render_caption_pool
from atelier.world.shards import write_bytes_atomic

RESULTS_FILE = "results.json"


@dataclass(frozen=True)
class EvalSettings:
    """Sizes of the held-out sets.

    Attributes:
        composed_queries: Fashion-IQ queries exported (dress, shirt and toptee together).
        cross_modal_items: garments of the cross-modal gallery (>= 100 per category keeps
            FashionGen's 100 candidates).
        caption_items: garments captioned.
        caption_references: reference wordings per garment and style.
        baseline_caption_pool: training garments the baseline's nearest-neighbour captions
            come from.
        seed: world seed of the held-out data.
        beams: the encoder's caption beams (1 = greedy).
    """

    composed_queries: int = 600
    cross_modal_items: int = 1500
    caption_items: int = 300
    caption_references: int = 5
    baseline_caption_pool: int = 4000
    seed: int = 0
    beams: int = 1


def run_retrieval_eval(
    out: str | os.PathLike,
    weights: str | os.PathLike = DEFAULT_WEIGHTS,
    settings: EvalSettings = EvalSettings(),
    threads: int = 1,
) -> dict[str, Any]:
    """Evaluate the encoder and the baseline; write results.json and examples.html to `out`.

    Returns:
        The results: {"settings", "protocol", "encoder": {...}, "baseline": {...}}, each model
        with "composed", "cross_modal" and "captioning" figures.
    """
    started = time.perf_counter()
    torch.set_num_threads(threads)
    out = Path(out)
    encoder = load_encoder(weights)
    size = encoder.config.image_size
    composed = composed_sets(export_composed_test(out / "fashioniq", settings.composed_queries, settings.seed, size), size)
    cross_modal = cross_modal_set(settings.cross_modal_items, settings.seed, size)
    captions = caption_set(settings.caption_items, settings.seed, size, settings.caption_references)
    pool = render_caption_pool("train", settings.seed, settings.baseline_caption_pool, size, progress=False)
    models: list[EvaluatedModel] = [EncoderModel(encoder, settings.beams), ColourBaseline(pool.images, pool.garments)]

    results: dict[str, Any] = {
        "settings": {**asdict(settings), "weights": str(encoder_path(weights)), "image_size": list(size)},
        "protocol": {
            "split": "world test split (held-out category x colour x pattern combinations)",
            "composed": "Fashion-IQ layout export read back by atelier.data.fashioniq; each query ranks its category's "
            "gallery (reference included); R@10/R@50",
            "cross_modal": f"{CROSS_MODAL_STYLE} captions vs product shots; random100 = the match among 99 random "
            "same-category items (FashionGen); full = the whole gallery",
            "captioning": f"every style, {settings.caption_references} reference wordings per garment; encoder decoding: "
            f"{'greedy' if settings.beams == 1 else f'beam search, {settings.beams} beams'}; baseline: nearest training "
            "garment by colour histogram, its caption",
        },
    }
    written_by_encoder = {}
    for model in models:
        caption_scores, written = evaluate_captions(model, captions)
        if isinstance(model, EncoderModel):
            written_by_encoder = written
        results["encoder" if isinstance(model, EncoderModel) else "baseline"] = {
            "composed": evaluate_composed(model, composed),
            "cross_modal": evaluate_cross_modal(model, cross_modal),
            "captioning": caption_scores,
        }
    write_examples_page(out, models[0], cross_modal, composed, captions, written_by_encoder)
    results["settings"]["seconds"] = round(time.perf_counter() - started, 1)
    write_bytes_atomic(out / RESULTS_FILE, json.dumps(results, indent=2).encode())
    return results


def comparison_rows(results: dict[str, Any]) -> list[tuple[str, str, float, float]]:
    """(group, metric, encoder, baseline) for every figure both models have."""
    rows = []
    for group in ("composed", "cross_modal", "captioning"):
        for metric, value in results["encoder"][group].items():
            rows.append((group, metric, value, results["baseline"][group][metric]))
    return rows
