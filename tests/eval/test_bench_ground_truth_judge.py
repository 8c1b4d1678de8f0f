"""The ground-truth judge with the shipped judges: the oracle's ceiling, bounds, missing garments."""

from pathlib import Path

import numpy as np
import pytest
import torch

from atelier.eval.bench.bench_set import BENCH_TASKS, bench_items
from atelier.eval.judges.ground_truth_judge import GroundTruthJudge, reference_categories
from atelier.eval.judges.judges import DIMENSIONS
from atelier.eval.judges.trained_judges import load_trained_judges
from atelier.world.labels import LABEL_ID

SHIPPED_JUDGES = Path(__file__).resolve().parents[2] / "weights" / "eval"


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    # One thread is fastest on a shared CPU (threads wait on each other under load), as the CLI does.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def judge():
    judges = load_trained_judges(SHIPPED_JUDGES)
    return GroundTruthJudge(judges.parser, judges.reader)


@pytest.mark.parametrize("task", BENCH_TASKS)
def test_the_ground_truth_scores_ten_on_every_dimension(judge, task):
    for item in bench_items(task, 2):
        record = item.record()
        scores = judge.score(record, record.target.image.copy())
        for name in DIMENSIONS:
            value = getattr(scores, name)
            assert value is None or value >= 9.8, (record.key, name, value)
        assert scores.overall >= 9.8
        assert (scores.identity is None) == (task == "tryoff")


@pytest.mark.parametrize("task", ["single", "tryoff", "pose"])
def test_scores_stay_on_the_scale_for_any_picture(judge, task):
    record = bench_items(task, 1)[0].record()
    rng = np.random.default_rng(0)
    pictures = [
        rng.integers(0, 256, record.target.image.shape, dtype=np.uint8),
        np.zeros_like(record.target.image),
        np.full_like(record.target.image, 255),
    ]
    for picture in pictures:
        scores = judge.score(record, picture)
        for name in DIMENSIONS:
            value = getattr(scores, name)
            assert value is None or 1.0 <= value <= 10.0
        assert 1.0 <= scores.overall <= 10.0


class LabelMapParserDouble:
    """Test double for the parser: answers with given label maps, in call order."""

    def __init__(self, maps):
        self.maps = maps

    def parse(self, images):
        return np.stack(self.maps[: len(images)])


def test_a_garment_missing_from_the_output_scores_at_the_bottom(judge):
    record = bench_items("single", 1)[0].record()
    category = reference_categories(record)[0]
    region = record.target.labels == LABEL_ID[category]
    output = record.target.image.copy()
    output[region] = np.median(record.target.image[record.target.labels == LABEL_ID["background"]], axis=0)
    without = np.where(region, LABEL_ID["background"], record.target.labels).astype(np.uint8)
    exact = GroundTruthJudge(LabelMapParserDouble([without, record.target.labels]), judge.reader)
    scores = exact.score(record, output)
    assert scores.garments[category] == 1.0 and scores.garment == 1.0
    assert scores.details["missing"] == [category]
    assert scores.identity >= 9.0 and scores.background >= 9.0  # the rest is still right
    # The trained parser, which sees only pixels, also puts the painted-out garment at the bottom.
    assert judge.score(record, output).garments[category] == 1.0


def test_a_wrong_colour_costs_garment_fidelity_but_not_identity(judge):
    record = bench_items("single", 1)[0].record()
    category = reference_categories(record)[0]
    region = record.target.labels == LABEL_ID[category]
    output = record.target.image.copy()
    output[region] = 255 - output[region]
    scores = judge.score(record, output)
    assert scores.garment < 5.0
    # The parser may misread some inverted pixels as skin, so identity dips a little, not much.
    assert scores.identity > scores.garment + 3 and scores.background >= 9.0


def test_outputs_of_the_wrong_size_are_refused(judge):
    record = bench_items("single", 1)[0].record()
    with pytest.raises(ValueError, match="like the target"):
        judge.score(record, record.target.image[:100])
