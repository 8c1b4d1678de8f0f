"""What the routes share: the pipeline, its worker, and the rules for waiting on them."""

from __future__ import annotations

import asyncio
import time

import numpy as np

from atelier.serve.batch_pipeline import (
    BatchPipeline,
    CheckedPipeline,
    UnavailablePipeline,
)
from atelier.serve.errors import (
    DeadlineExceeded,
    InvalidRequest,
    QueueFull,
    ServiceUnavailable,
)
from atelier.serve.metrics import ServiceMetrics
from atelier.serve.settings import ServeSettings
from atelier.serve.tryon_request import TryOnRequest
from atelier.serve.worker import (
    BatchingWorker,
    DeadlineExpired,
    WorkerQueueFull,
    WorkerStopped,
)


class InferenceService:
    """Owns the pipeline and its batching worker for the life of the app.

    Args:
        settings: The service's settings (batching, queue, deadline).
        metrics: Where batch sizes and queue depth are reported.
    """

    def __init__(self, settings: ServeSettings, metrics: ServiceMetrics):
        self.settings = settings
        self.metrics = metrics
        self.pipeline: BatchPipeline | None = None
        self.worker: BatchingWorker | None = None

    def start(self, pipeline: BatchPipeline) -> None:
        """Starts the worker thread around ``pipeline``."""
        self.pipeline = pipeline
        self.worker = BatchingWorker(
            pipeline,
            max_batch=self.settings.max_batch,
            max_wait_s=self.settings.max_wait_s,
            queue_size=self.settings.queue_size,
            on_batch=self.metrics.observe_batch,
        )
        self.worker.start()
        self.metrics.watch_queue(lambda: self.worker.depth)

    def stop(self) -> None:
        """Stops the worker; waiting requests are answered 503."""
        if self.worker is not None:
            self.worker.stop()

    def not_ready_reason(self) -> str | None:
        """Why try-on requests cannot be served now, or None when they can."""
        if self.pipeline is None:
            return "the try-on pipeline has not been loaded yet"
        if isinstance(self.pipeline, UnavailablePipeline):
            return self.pipeline.reason
        if self.worker is None or not self.worker.alive:
            return "the inference worker is not running"
        return None

    def require_ready(self) -> None:
        """Raises ServiceUnavailable (503) with the reason when not ready."""
        reason = self.not_ready_reason()
        if reason is not None:
            raise ServiceUnavailable(reason, code="not_ready")

    def refuse_if_full(self) -> None:
        """Raises QueueFull (429) when the queue has no room, before any work is spent on a request."""
        if self.worker is not None and self.worker.full:
            raise QueueFull(self.worker.retry_after_s())

    def check(self, request: TryOnRequest) -> None:
        """Lets the pipeline refuse a request before it takes a place in the queue.

        Raises:
            InvalidRequest: The pipeline's checks refused it (422).
        """
        if isinstance(self.pipeline, CheckedPipeline):
            try:
                self.pipeline.check(request)
            except ValueError as error:
                raise InvalidRequest(str(error), code="rejected_by_model") from None

    async def infer(self, request: TryOnRequest, deadline: float) -> np.ndarray:
        """Queues a request and waits for its image, at most until ``deadline``.

        Args:
            request: The checked request.
            deadline: ``time.monotonic()`` value by which the answer is due.

        Returns:
            (H, W, 3) uint8 image.

        Raises:
            QueueFull: The queue is full (429 with Retry-After).
            DeadlineExceeded: No image by the deadline (504).
            InvalidRequest: The pipeline refused the request (422).
            ServiceUnavailable: The worker stopped (503).
        """
        self.require_ready()
        assert self.worker is not None
        try:
            future = self.worker.submit(request, deadline)
        except WorkerQueueFull as error:
            raise QueueFull(error.retry_after_s) from None
        except WorkerStopped as error:
            raise ServiceUnavailable(str(error), code="not_ready") from None
        try:
            # wait_for cancels the future on timeout, so a request that never started is skipped.
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=max(0.0, deadline - time.monotonic()))
        except (TimeoutError, DeadlineExpired):
            raise DeadlineExceeded(
                f"no result within the deadline of {self.settings.timeout_s:g} s; try again when the service is less busy"
            ) from None
        except WorkerStopped as error:
            raise ServiceUnavailable(str(error), code="not_ready") from None
        except ValueError as error:
            raise InvalidRequest(str(error), code="rejected_by_model") from None
