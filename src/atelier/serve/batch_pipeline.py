"""The one thing the service needs from a model: a batch of requests in, images out.

The service is written against :class:`BatchPipeline` so that tests and benchmarks can
give it a small double, and the real :class:`atelier.pipelines.TryOnPipeline` reaches it
through :class:`atelier.serve.tryon_adapter.TryOnPipelineAdapter`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from atelier.serve.tryon_request import TryOnRequest


@runtime_checkable
class BatchPipeline(Protocol):
    """Runs a batch of try-on requests.

    Called from the worker thread only, one batch at a time. Raises ValueError when a
    request asks for something the model cannot do; the service answers that 422.
    """

    def __call__(self, requests: Sequence[TryOnRequest]) -> list[np.ndarray]:
        """Returns one (H, W, 3) uint8 image per request, in order."""
        ...


@runtime_checkable
class CheckedPipeline(BatchPipeline, Protocol):
    """A pipeline that can refuse a request before it is queued."""

    def check(self, request: TryOnRequest) -> None:
        """Raises ValueError, with a message for the client, if ``request`` cannot run."""
        ...


class UnavailablePipeline:
    """Stands in for a pipeline that could not be loaded; says why on every call.

    The service still starts with it, so that liveness, the web page and the reason can
    be seen; ``/readyz`` reports not ready and ``/v1/tryon`` answers 503 with ``reason``.
    """

    def __init__(self, reason: str):
        self.reason = reason

    def __call__(self, requests: Sequence[TryOnRequest]) -> list[np.ndarray]:
        raise RuntimeError(self.reason)
