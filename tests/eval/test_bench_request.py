"""Models see inputs only: no target, no labels, no ids, and nothing they can write into."""

import dataclasses

import numpy as np
import pytest

from atelier.eval.bench.bench_request import BenchRequest, strip_record
from atelier.eval.bench.bench_set import BENCH_TASKS, bench_items


@pytest.mark.parametrize("task", BENCH_TASKS)
def test_requests_carry_no_ground_truth(task):
    record = bench_items(task, 1)[0].record()
    request = strip_record(record)
    names = {field.name for field in dataclasses.fields(BenchRequest)}
    assert not names & {"target", "labels", "garment_ids", "extra", "captions", "body"}
    arrays = [request.person, request.outfit_source, request.pose_map] + [g.image for g in request.garments]
    for array in arrays:
        if array is not None:
            assert array.dtype == np.uint8 and array.ndim == 3
            assert not np.shares_memory(array, record.target.image)
            assert not array.flags.writeable
    assert request.size_hw == record.target.image.shape[:2]
    # No input equals the answer (the pose task's input is the target's skeleton, not its photo).
    assert not any(a is not None and a.shape == record.target.image.shape and np.array_equal(a, record.target.image) for a in arrays)


def test_tryoff_request_names_the_category_and_pose_request_has_the_skeleton():
    tryoff = strip_record(bench_items("tryoff", 1)[0].record())
    assert tryoff.category is not None and not tryoff.garments
    pose = strip_record(bench_items("pose", 1)[0].record())
    assert pose.pose_keypoints.shape == (18, 3) and pose.pose_map is not None and pose.category is None
