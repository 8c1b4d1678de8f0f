"""The batching worker: batch sizes, waiting, deadlines, isolation of bad requests, shutdown."""

from __future__ import annotations

import threading
import time
from concurrent.futures import CancelledError

import numpy as np
import pytest

from atelier.serve.tryon_request import TryOnRequest
from atelier.serve.worker import (
    BatchingWorker,
    DeadlineExpired,
    WorkerQueueFull,
    WorkerStopped,
)
from tests.serve.pipeline_doubles import RejectingPipeline, SlowEchoPipeline


def request(value: int, instruction: str = "") -> TryOnRequest:
    person = np.full((4, 3, 3), value, dtype=np.uint8)
    return TryOnRequest(task="single", person=person, garments=((person, "top"),), instruction=instruction)


def later(seconds: float = 30.0) -> float:
    return time.monotonic() + seconds


@pytest.fixture
def started():
    workers = []

    def start(pipeline, **options) -> BatchingWorker:
        options = {"max_batch": 4, "max_wait_s": 0.0, "queue_size": 16, **options}
        worker = BatchingWorker(pipeline, **options)
        worker.start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def test_requests_waiting_together_are_run_as_one_batch_of_at_most_max_batch(started):
    pipeline = SlowEchoPipeline(held=True)
    worker = started(pipeline, max_batch=4)
    first = worker.submit(request(0), later())
    assert pipeline.started.wait(5)
    waiting = [worker.submit(request(value), later()) for value in range(1, 6)]
    assert worker.depth == 5
    pipeline.release.set()
    results = [future.result(timeout=5) for future in [first, *waiting]]
    assert [int(image[0, 0, 0]) for image in results] == [0, 1, 2, 3, 4, 5]  # each gets its own answer
    assert pipeline.batch_sizes == [1, 4, 1]


def test_the_worker_waits_up_to_max_wait_for_a_batch_to_fill(started):
    pipeline = SlowEchoPipeline()
    worker = started(pipeline, max_batch=8, max_wait_s=0.5)
    futures = []
    for value in range(3):
        futures.append(worker.submit(request(value), later()))
        time.sleep(0.05)
    for future in futures:
        future.result(timeout=5)
    assert pipeline.batch_sizes == [3]


def test_without_waiting_a_lone_request_runs_at_once(started):
    pipeline = SlowEchoPipeline()
    worker = started(pipeline, max_batch=8, max_wait_s=0.0)
    begun = time.monotonic()
    worker.submit(request(1), later()).result(timeout=5)
    assert time.monotonic() - begun < 0.5


def test_a_request_past_its_deadline_is_not_run(started):
    pipeline = SlowEchoPipeline(held=True)
    worker = started(pipeline, max_batch=1)
    worker.submit(request(0), later())
    assert pipeline.started.wait(5)
    expired = worker.submit(request(1), time.monotonic() + 0.05)
    time.sleep(0.1)
    pipeline.release.set()
    with pytest.raises(DeadlineExpired):
        expired.result(timeout=5)
    assert len(pipeline.requests) == 1


def test_a_cancelled_request_is_skipped(started):
    pipeline = SlowEchoPipeline(held=True)
    worker = started(pipeline, max_batch=1)
    worker.submit(request(0), later())
    assert pipeline.started.wait(5)
    abandoned = worker.submit(request(1), later())
    assert abandoned.cancel()
    kept = worker.submit(request(2), later())
    pipeline.release.set()
    assert int(kept.result(timeout=5)[0, 0, 0]) == 2
    with pytest.raises(CancelledError):
        abandoned.result()
    assert [int(r.person[0, 0, 0]) for r in pipeline.requests] == [0, 2]


def test_one_refused_request_does_not_fail_its_batch(started):
    gate = SlowEchoPipeline(held=True)
    worker = started(gate, max_batch=4)
    worker.submit(request(0), later())
    assert gate.started.wait(5)
    worker.pipeline = RejectingPipeline()  # the next batch meets a model that refuses one request
    futures = [
        worker.submit(request(1), later()),
        worker.submit(request(2, "please refuse this"), later()),
        worker.submit(request(3), later()),
    ]
    gate.release.set()
    assert int(futures[0].result(timeout=5)[0, 0, 0]) == 1
    with pytest.raises(ValueError, match="refuses"):
        futures[1].result(timeout=5)
    assert int(futures[2].result(timeout=5)[0, 0, 0]) == 3


def test_a_full_queue_refuses_with_a_retry_estimate(started):
    pipeline = SlowEchoPipeline(held=True)
    worker = started(pipeline, max_batch=1, queue_size=2)
    worker.submit(request(0), later())
    assert pipeline.started.wait(5)
    worker.submit(request(1), later())
    worker.submit(request(2), later())
    with pytest.raises(WorkerQueueFull) as refused:
        worker.submit(request(3), later())
    assert refused.value.retry_after_s >= 1
    pipeline.release.set()


def test_stopping_fails_what_still_waits(started):
    pipeline = SlowEchoPipeline(held=True)
    worker = started(pipeline, max_batch=1)
    running = worker.submit(request(0), later())
    assert pipeline.started.wait(5)
    waiting = worker.submit(request(1), later())
    stopper = threading.Thread(target=worker.stop)
    stopper.start()
    while worker.alive:  # stop() has begun: the waiting request will not be taken
        time.sleep(0.01)
    pipeline.release.set()
    stopper.join(5)
    assert running.result(timeout=5) is not None
    with pytest.raises(WorkerStopped):
        waiting.result(timeout=5)
    with pytest.raises(WorkerStopped):
        worker.submit(request(2), later())


def test_a_pipeline_answering_the_wrong_number_of_images_fails_the_batch(started):
    worker = started(lambda requests: [], max_batch=1)
    with pytest.raises(RuntimeError, match="0 images for 1"):
        worker.submit(request(0), later()).result(timeout=5)
