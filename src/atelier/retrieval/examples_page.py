"""`examples.html`: example queries with their top-5 results, images saved beside the page.

A page to look at, not a metric: text queries (short captions, as a shopper types), image
queries (unseen garments against the cross-modal gallery), composed queries (reference +
modification against its category's gallery, the true target outlined) and captions in the
three styles next to a reference wording.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import torch

from atelier.data.images import save_image_atomic
from atelier.eval.metrics.retrieval_metrics import topk_chunked
from atelier.retrieval.evaluation_models import EvaluatedModel
from atelier.retrieval.evaluation_sets import (
    CaptionSet,
    ComposedCategorySet,
    CrossModalSet,
)
from atelier.world.shards import write_bytes_atomic
from atelier.world.text import CAPTION_STYLES

TOP = 5
PER_KIND = 3

_STYLE = """body{font-family:sans-serif;margin:24px;color:#222}h2{margin-top:32px}
.row{display:flex;gap:12px;align-items:flex-start;margin:10px 0;padding:8px;border-bottom:1px solid #ddd}
.query{width:260px}figure{margin:0;text-align:center;font-size:12px}
img{width:96px;height:128px;image-rendering:pixelated;border:3px solid transparent}
img.hit{border-color:#2a2}p.caption{margin:2px 0;font-size:13px}"""


def write_examples_page(
    folder: str | Path,
    model: EvaluatedModel,
    cross_modal: CrossModalSet,
    composed: dict[str, ComposedCategorySet],
    captions: CaptionSet,
    written_captions: dict[str, list[str]],
) -> Path:
    """Write `folder/examples.html` and its images under `folder/examples/`.

    Args:
        folder: the evaluation output folder.
        model: the model whose results are shown.
        cross_modal: gallery (and text queries) for text and image search.
        composed: per-category composed sets.
        captions: unseen product shots (image queries and captioning examples).
        written_captions: style -> the model's captions of `captions.images`.

    Returns:
        The page's path.
    """
    folder = Path(folder)
    images_folder = folder / "examples"
    images_folder.mkdir(parents=True, exist_ok=True)
    saved: set[str] = set()

    def image_tag(name: str, image: np.ndarray, hit: bool = False, label: str = "") -> str:
        if name not in saved:
            save_image_atomic(image, images_folder / f"{name}.png")
            saved.add(name)
        marked = ' class="hit"' if hit else ""
        return f'<figure><img src="examples/{name}.png"{marked} alt="{html.escape(name)}"><figcaption>{html.escape(label)}</figcaption></figure>'

    gallery = torch.from_numpy(model.embed_images(cross_modal.images))
    sections = ["<h2>Text queries</h2>"]
    text_queries = [cross_modal.short_texts[index] for index in range(PER_KIND)]
    top_scores, top_indices = topk_chunked(torch.from_numpy(model.embed_texts(text_queries)), gallery, TOP)
    for row, text in enumerate(text_queries):
        results = "".join(
            image_tag(f"gallery-{index}", cross_modal.images[index], index == row, f"{score:.3f}")
            for score, index in zip(top_scores[row].tolist(), top_indices[row].tolist())
        )
        sections.append(f'<div class="row"><div class="query">“{html.escape(text)}”</div>{results}</div>')

    sections.append("<h2>Image queries (unseen garments)</h2>")
    top_scores, top_indices = topk_chunked(torch.from_numpy(model.embed_images(captions.images[:PER_KIND])), gallery, TOP)
    for row in range(PER_KIND):
        query = image_tag(f"query-image-{row}", captions.images[row], label="query")
        results = "".join(
            image_tag(f"gallery-{index}", cross_modal.images[index], label=f"{score:.3f}")
            for score, index in zip(top_scores[row].tolist(), top_indices[row].tolist())
        )
        sections.append(f'<div class="row"><div class="query">{query}</div>{results}</div>')

    sections.append("<h2>Composed queries (reference + modification; the true target outlined)</h2>")
    for category, data in composed.items():
        queries = torch.from_numpy(model.embed_composed(data.references[:1], data.modifications[:1]))
        top_scores, top_indices = topk_chunked(queries, torch.from_numpy(model.embed_images(data.gallery)), min(TOP, len(data.gallery)))
        reference = image_tag(f"reference-{category}", data.references[0], label="reference")
        results = "".join(
            image_tag(f"{category}-{index}", data.gallery[index], index == int(data.target_indices[0]), f"{score:.3f}")
            for score, index in zip(top_scores[0].tolist(), top_indices[0].tolist())
        )
        text = html.escape(data.modifications[0])
        sections.append(f'<div class="row"><div class="query">{reference}<p>{category}: “{text}”</p></div>{results}</div>')

    sections.append("<h2>Captions of unseen garments</h2>")
    for row in range(min(PER_KIND + 1, len(captions.images))):
        lines = "".join(
            f'<p class="caption"><b>{style}:</b> {html.escape(written_captions[style][row])}'
            f'<br><i>reference: {html.escape(captions.references[style][row][0])}</i></p>'
            for style in CAPTION_STYLES
        )
        sections.append(f'<div class="row">{image_tag(f"caption-{row}", captions.images[row])}<div>{lines}</div></div>')

    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Atelier retrieval examples</title>"
        f"<style>{_STYLE}</style></head><body><h1>Atelier retrieval: {html.escape(model.name)}</h1>"
        f"{''.join(sections)}</body></html>"
    )
    path = folder / "examples.html"
    write_bytes_atomic(path, page.encode())
    return path
