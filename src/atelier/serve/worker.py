"""The inference worker: a bounded queue in front of one thread that runs batches.

Requests are queued by the event loop and answered through futures; the thread takes the
first waiting request, waits up to ``max_wait_s`` for more to arrive (dynamic batching),
and runs at most ``max_batch`` of them through the pipeline in one call. The event loop
never runs the model, so liveness checks and new connections are answered while a batch
is computing.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from atelier.serve.batch_pipeline import BatchPipeline
from atelier.serve.tryon_request import TryOnRequest

logger = logging.getLogger(__name__)

# How much each finished batch moves the running estimate of a batch's duration.
_DURATION_SMOOTHING = 0.2
# How often an idle worker looks up from its queue to see whether it should stop.
_IDLE_POLL_S = 0.1


class WorkerQueueFull(Exception):
    """The queue holds ``queue_size`` requests already.

    Attributes:
        retry_after_s: Whole seconds after which a retry is likely to be queued.
    """

    def __init__(self, retry_after_s: int):
        super().__init__(f"inference queue is full; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class WorkerStopped(RuntimeError):
    """The worker is not running, so nothing can be queued or finished."""


class DeadlineExpired(Exception):
    """The request's deadline passed while it waited, so it was never run."""


@dataclass(frozen=True)
class _Job:
    request: TryOnRequest
    future: Future
    deadline: float  # time.monotonic() after which running it is wasted work


class BatchingWorker:
    """Runs queued requests through a pipeline in batches on one thread.

    Args:
        pipeline: What runs a batch; called from the worker thread only.
        max_batch: Most requests in one pipeline call.
        max_wait_s: How long to wait for a batch to fill after its first request.
        queue_size: Most requests waiting (not counting the batch being run).
        on_batch: Called after each batch with (batch size, seconds), for metrics.
    """

    def __init__(
        self,
        pipeline: BatchPipeline,
        *,
        max_batch: int,
        max_wait_s: float,
        queue_size: int,
        on_batch: Callable[[int, float], None] | None = None,
    ):
        if max_batch < 1 or queue_size < 1 or max_wait_s < 0:
            raise ValueError("max_batch and queue_size must be at least 1 and max_wait_s not negative")
        self.pipeline = pipeline
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self._queue: queue.Queue[_Job] = queue.Queue(maxsize=queue_size)
        self._on_batch = on_batch
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._seconds_per_batch: float | None = None

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        """Starts the worker thread."""
        if self._thread is not None:
            raise RuntimeError("the worker has already been started")
        self._thread = threading.Thread(target=self._run, name="atelier-inference", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stops taking work, lets the running batch finish, fails what still waits."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job.future.set_running_or_notify_cancel():
                job.future.set_exception(WorkerStopped("the service is shutting down"))

    @property
    def alive(self) -> bool:
        """Whether the thread is running and accepting work."""
        return self._thread is not None and self._thread.is_alive() and not self._stopping.is_set()

    @property
    def full(self) -> bool:
        """Whether a request submitted now would be refused for lack of room."""
        return self._queue.full()

    @property
    def depth(self) -> int:
        """Requests waiting in the queue, not counting the batch being run."""
        return self._queue.qsize()

    # -- the event loop's side -----------------------------------------------

    def submit(self, request: TryOnRequest, deadline: float) -> Future:
        """Queues a request without blocking.

        Args:
            request: The decoded, checked request.
            deadline: ``time.monotonic()`` value after which the request is not run.

        Returns:
            A future resolved with the (H, W, 3) uint8 image, or with the pipeline's
            exception, or with :class:`DeadlineExpired`.

        Raises:
            WorkerQueueFull: The queue is full.
            WorkerStopped: The worker is not running.
        """
        if not self.alive:
            raise WorkerStopped("the inference worker is not running")
        future: Future = Future()
        try:
            self._queue.put_nowait(_Job(request, future, deadline))
        except queue.Full:
            raise WorkerQueueFull(self.retry_after_s()) from None
        return future

    def retry_after_s(self) -> int:
        """Estimated whole seconds until the queue has room, at least 1."""
        seconds_per_batch = self._seconds_per_batch or 1.0
        batches_ahead = math.ceil((self.depth + 1) / self.max_batch)
        return max(1, math.ceil(batches_ahead * seconds_per_batch))

    # -- the worker thread's side --------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            batch = self._collect_batch()
            if batch:
                self._run_batch(batch)

    def _collect_batch(self) -> list[_Job]:
        try:
            batch = [self._queue.get(timeout=_IDLE_POLL_S)]
        except queue.Empty:
            return []
        closes_at = time.monotonic() + self.max_wait_s
        while len(batch) < self.max_batch:
            remaining = closes_at - time.monotonic()
            try:
                # Past the wait, still take whatever is already queued: it costs no latency.
                batch.append(self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _run_batch(self, batch: Sequence[_Job]) -> None:
        now = time.monotonic()
        live = []
        for job in batch:
            if not job.future.set_running_or_notify_cancel():
                continue  # its client gave up; the future was cancelled
            if job.deadline <= now:
                job.future.set_exception(DeadlineExpired("the request's deadline passed while it waited"))
                continue
            live.append(job)
        if not live:
            return
        started = time.perf_counter()
        try:
            images = self._call_pipeline([job.request for job in live])
        except Exception as error:
            if len(live) == 1:
                live[0].future.set_exception(error)
            else:
                # One bad request must not fail the others: run them one at a time.
                for job in live:
                    self._run_single(job)
        else:
            for job, image in zip(live, images, strict=True):
                job.future.set_result(image)
        self._record_batch(len(live), time.perf_counter() - started)

    def _run_single(self, job: _Job) -> None:
        try:
            (image,) = self._call_pipeline([job.request])
        except Exception as error:
            job.future.set_exception(error)
        else:
            job.future.set_result(image)

    def _call_pipeline(self, requests: list[TryOnRequest]) -> list[np.ndarray]:
        images = list(self.pipeline(requests))
        if len(images) != len(requests):
            raise RuntimeError(f"the pipeline returned {len(images)} images for {len(requests)} requests")
        return images

    def _record_batch(self, size: int, seconds: float) -> None:
        if self._seconds_per_batch is None:
            self._seconds_per_batch = seconds
        else:
            self._seconds_per_batch += _DURATION_SMOOTHING * (seconds - self._seconds_per_batch)
        if self._on_batch is not None:
            try:
                self._on_batch(size, seconds)
            except Exception:
                logger.exception("batch observer failed")
