"""A try-on checkpoint as a bench model: request -> pipeline call, and clear errors."""

import sys

import numpy as np
import pytest

import atelier.pipelines
from atelier.eval.bench.bench_models import load_bench_model
from atelier.eval.bench.bench_request import strip_record
from atelier.eval.bench.bench_set import bench_items
from atelier.eval.bench.pipeline_model import PipelineModel


class RecordingPipelineDouble:
    """Test double for TryOnPipeline: remembers its calls and answers with grey pictures."""

    def __init__(self):
        self.calls = []

    def batch_call(self, requests):
        self.calls.extend(requests)
        return [np.full((256, 192, 3), 128, np.uint8) for _ in requests]


def test_requests_become_pipeline_calls(tmp_path, monkeypatch):
    double = RecordingPipelineDouble()
    monkeypatch.setattr(atelier.pipelines.TryOnPipeline, "from_pretrained", classmethod(lambda cls, path: double))
    model = PipelineModel(tmp_path, seed=3)
    request = strip_record(bench_items("multi", 1)[0].record())
    answer = model(request)
    call = double.calls[0]
    assert answer.shape == (256, 192, 3)
    assert call["task"] == "multi" and call["instruction"] == request.instruction
    assert [category for _, category in call["garments"]] == [g.category for g in request.garments]
    assert call["person"] is request.person and call["pose"] is None
    model(request)
    assert double.calls[1]["seed"] == call["seed"]  # reproducible per sample
    assert call["restore_detail"] is None  # the checkpoint's own default

    pose_request = strip_record(bench_items("pose", 1)[0].record())
    model(pose_request)
    assert double.calls[-1]["pose"] is pose_request.pose_map


def test_the_models_own_pixels_can_be_benchmarked(tmp_path, monkeypatch):
    double = RecordingPipelineDouble()
    monkeypatch.setattr(atelier.pipelines.TryOnPipeline, "from_pretrained", classmethod(lambda cls, path: double))
    PipelineModel(tmp_path, restore_detail=False)(strip_record(bench_items("single", 1)[0].record()))
    assert double.calls[0]["restore_detail"] is False


def test_restoration_for_a_baseline_is_a_clear_error():
    with pytest.raises(ValueError, match="'identity' baseline has none"):
        load_bench_model("identity", parser=None, restore_detail=False)


def test_missing_pipeline_package_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "atelier.pipelines", None)
    with pytest.raises(ImportError, match="baselines .* run without it"):
        PipelineModel(tmp_path)


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no try-on checkpoint"):
        PipelineModel(tmp_path / "absent")


def test_a_batch_of_requests_is_one_pipeline_batch_in_order(tmp_path, monkeypatch):
    double = RecordingPipelineDouble()
    monkeypatch.setattr(atelier.pipelines.TryOnPipeline, "from_pretrained", classmethod(lambda cls, path: double))
    model = PipelineModel(tmp_path)
    requests = [strip_record(item.record()) for item in bench_items("single", 3)]
    answers = model.answer_batch(requests)
    assert len(answers) == 3
    assert all(call["person"] is request.person for call, request in zip(double.calls, requests, strict=True))
