"""Evaluation on held-out world sets: an oracle scores perfectly, the baseline does not, and
`atelier retrieval eval` writes results.json and examples.html."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import torch

from atelier.retrieval.encoder_file import save_encoder
from atelier.retrieval.evaluation import (
    evaluate_captions,
    evaluate_composed,
    evaluate_cross_modal,
)
from atelier.retrieval.evaluation_run import EvalSettings, run_retrieval_eval
from atelier.retrieval.evaluation_sets import (
    caption_set,
    composed_sets,
    cross_modal_set,
    export_composed_test,
)
from atelier.retrieval.untrained_encoder import untrained_encoder


def fingerprint(image: np.ndarray) -> str:
    return hashlib.sha1(image.tobytes()).hexdigest()


class OracleModel:
    """Knows the answers: embeds each image, text and (image, text) query as a one-hot of the
    gallery item it belongs to, and captions with a reference."""

    name = "oracle"

    def __init__(self, key_of: dict[str, int], answers: dict[str, str]):
        self.key_of, self.answers = key_of, answers
        self.size = max(key_of.values()) + 1

    def _one_hot(self, names) -> np.ndarray:
        vectors = np.zeros((len(names), self.size), np.float32)
        vectors[np.arange(len(names)), [self.key_of[name] for name in names]] = 1
        return vectors

    def embed_images(self, images):
        return self._one_hot([fingerprint(image) for image in images])

    def embed_texts(self, texts):
        return self._one_hot(list(texts))

    def embed_composed(self, images, texts):
        return self._one_hot([fingerprint(image) + text for image, text in zip(images, texts)])

    def caption(self, images, style):
        return [self.answers[fingerprint(image)] for image in images]


@pytest.fixture(scope="module")
def held_out(tmp_path_factory):
    root = export_composed_test(tmp_path_factory.mktemp("fiq") / "fashioniq", 24, 0, (64, 48))
    return composed_sets(root, (64, 48)), cross_modal_set(40, 0, (64, 48)), caption_set(6, 0, (64, 48), references=3)


def test_an_oracle_gets_every_recall_and_the_references_caption_scores(held_out):
    composed, cross_modal, captions = held_out
    key_of = {fingerprint(image): index for index, image in enumerate(cross_modal.images)}
    key_of.update({text: index for index, text in enumerate(cross_modal.texts)})
    for data in composed.values():
        for image in data.gallery:
            key_of.setdefault(fingerprint(image), len(key_of))
        for reference, text, target in zip(data.references, data.modifications, data.target_indices):
            key_of[fingerprint(reference) + text] = key_of[fingerprint(data.gallery[target])]
    answers = {fingerprint(image): refs[0] for image, refs in zip(captions.images, captions.references["professional"])}
    oracle = OracleModel(key_of, answers)
    composed_scores = evaluate_composed(oracle, composed)
    assert composed_scores["average"] == 1.0 and set(composed) <= {"dress", "shirt", "toptee"}
    assert all(value == 1.0 for value in evaluate_cross_modal(oracle, cross_modal).values())
    scores, written = evaluate_captions(oracle, captions, styles=("professional",))
    assert scores["professional/CIDEr"] > 2 and scores["professional/BLEU-4"] > 0.5
    assert written["professional"] == [refs[0] for refs in captions.references["professional"]]


def test_a_model_that_knows_nothing_scores_low(held_out):
    composed, cross_modal, _ = held_out

    class Constant:
        name = "constant"

        def embed_images(self, images):
            return np.ones((len(images), 4), np.float32)

        embed_texts = embed_images

        def embed_composed(self, images, texts):
            return self.embed_images(images)

    # Every score ties, and a tie counts against the query: nothing is found in a gallery
    # of more than ten (a smaller one holds fewer than ten wrong answers to rank first).
    scores = evaluate_composed(Constant(), composed)
    large = [category for category, data in composed.items() if len(data.gallery) > 10]
    assert large and all(scores[f"{category}/R@10"] == 0.0 for category in large)
    assert evaluate_cross_modal(Constant(), cross_modal)["t2i/full/R@10"] == 0.0


def test_eval_command_writes_results_for_both_models_and_an_examples_page(tmp_path):
    torch.manual_seed(0)
    save_encoder(tmp_path / "weights", untrained_encoder("tiny"))
    settings = EvalSettings(composed_queries=24, cross_modal_items=40, caption_items=4, caption_references=2, baseline_caption_pool=30)
    results = run_retrieval_eval(tmp_path / "eval", tmp_path / "weights", settings)
    written = json.loads((tmp_path / "eval" / "results.json").read_text())
    assert written == results
    for model in ("encoder", "baseline"):
        assert {"composed", "cross_modal", "captioning"} == set(results[model])
        assert "mean/R@10" in results[model]["composed"] and "t2i/random100/R@1" in results[model]["cross_modal"]
        assert "mean/CIDEr" in results[model]["captioning"] and "detailed/BLEU-4" in results[model]["captioning"]
    page = (tmp_path / "eval" / "examples.html").read_text()
    images = [part.split('"')[0] for part in page.split('src="')[1:]]
    assert len(images) > 10 and all((tmp_path / "eval" / image).is_file() for image in images)
