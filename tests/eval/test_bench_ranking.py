"""The bench ranks the baselines as they deserve on single try-on (small n, shipped judges)."""

from pathlib import Path

import pytest
import torch

from atelier.eval.bench.bench_models import BASELINES, load_bench_model
from atelier.eval.bench.bench_results import summarise_task
from atelier.eval.bench.bench_runner import run_task
from atelier.eval.bench.bench_set import bench_items
from atelier.eval.judges.ground_truth_judge import GroundTruthJudge
from atelier.eval.judges.trained_judges import load_trained_judges

SHIPPED_JUDGES = Path(__file__).resolve().parents[2] / "weights" / "eval"


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    # One thread is fastest on a shared CPU (threads wait on each other under load), as the CLI does.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
N = 20


@pytest.fixture(scope="module")
def single_scores():
    judges = load_trained_judges(SHIPPED_JUDGES)
    judge = GroundTruthJudge(judges.parser, judges.reader)
    items = bench_items("single", N)
    # Task scores exactly as results.json reports them.
    return {
        name: summarise_task(run_task(load_bench_model(name, judges.parser), judge, judges, items, cache_dir=None, gallery_size=0))
        for name in BASELINES
    }


@pytest.mark.parametrize("dimension", ["garment", "overall"])
def test_oracle_beats_warp_beats_paste_beats_identity_beats_noise(single_scores, dimension):
    ranked = [single_scores[name][dimension] for name in ("oracle", "warp", "paste", "identity", "noise")]
    assert ranked == sorted(ranked, reverse=True) and len(set(ranked)) == len(ranked), ranked


def test_oracle_is_at_the_ceiling_on_every_dimension(single_scores):
    oracle = single_scores["oracle"]
    assert all(oracle[name] >= 9.8 for name in ("overall", "identity", "garment", "background", "physics")), oracle


def test_identity_keeps_person_and_background_but_fails_overall(single_scores):
    identity = single_scores["identity"]
    assert identity["identity"] >= 8.5 and identity["background"] >= 8.5
    assert identity["garment"] <= 4.0
    assert identity["overall"] < single_scores["paste"]["overall"]


def test_noise_is_at_the_floor(single_scores):
    noise = single_scores["noise"]
    assert noise["garment"] <= 1.5 and noise["background"] <= 1.5 and noise["overall"] <= 2.5


class BatchingIdentity:
    """Test double: the identity baseline answering through `answer_batch`, recording chunk sizes."""

    name = "batching-identity"

    def __init__(self):
        self.chunks = []
        self.single = load_bench_model("identity", parser=None)

    def __call__(self, request):
        raise AssertionError("a model with answer_batch is asked through it")

    def answer_batch(self, requests):
        self.chunks.append(len(requests))
        return [self.single(request) for request in requests]


def test_batched_answers_score_as_one_at_a_time_answers():
    judges = load_trained_judges(SHIPPED_JUDGES)
    judge = GroundTruthJudge(judges.parser, judges.reader)
    items = bench_items("single", 5)
    batching = BatchingIdentity()
    batched = run_task(batching, judge, judges, items, cache_dir=None, gallery_size=0, batch_size=3)
    alone = run_task(load_bench_model("identity", judges.parser), judge, judges, items, cache_dir=None, gallery_size=0)
    assert batching.chunks == [3, 2]
    assert [s.scores for s in batched.samples] == [s.scores for s in alone.samples]
