"""Named stand-ins for the try-on pipeline, so the service can be tested without a model."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from atelier.serve.tryon_request import TryOnRequest


class SlowEchoPipeline:
    """Answers each request with its person photo (or first garment), optionally held.

    While ``release`` is clear every batch waits on it, which holds the worker so tests
    can fill the queue. ``started`` is set when a batch begins; ``batch_sizes`` records
    every batch.
    """

    def __init__(self, *, held: bool = False, delay_s: float = 0.0):
        self.release = threading.Event()
        if not held:
            self.release.set()
        self.started = threading.Event()
        self.delay_s = delay_s
        self.batch_sizes: list[int] = []
        self.requests: list[TryOnRequest] = []
        self._lock = threading.Lock()

    def __call__(self, requests: Sequence[TryOnRequest]) -> list[np.ndarray]:
        with self._lock:
            self.batch_sizes.append(len(requests))
            self.requests.extend(requests)
        self.started.set()
        if not self.release.wait(timeout=30):
            raise RuntimeError("SlowEchoPipeline was never released")
        if self.delay_s:
            threading.Event().wait(self.delay_s)
        return [echo(request) for request in requests]


def echo(request: TryOnRequest) -> np.ndarray:
    """The image a double answers for ``request``: the first image it was given."""
    for image in (request.person, *(garment for garment, _ in request.garments)):
        if image is not None:
            return image.copy()
    return np.full((64, 48, 3), 200, dtype=np.uint8)


class FailingPipeline:
    """Fails every batch like a broken model would, with a message that must not be logged."""

    SECRET = "pixel-data-7f3a9"

    def __call__(self, requests: Sequence[TryOnRequest]) -> list[np.ndarray]:
        raise RuntimeError(f"model exploded on {self.SECRET}")


class RejectingPipeline:
    """Refuses any request whose instruction contains ``refuse``, as the model's checks would."""

    def __call__(self, requests: Sequence[TryOnRequest]) -> list[np.ndarray]:
        if any("refuse" in request.instruction for request in requests):
            raise ValueError("the model refuses this instruction")
        return [echo(request) for request in requests]


class GarmentCollagePipeline:
    """Answers the person photo with the garment images pinned down its right edge.

    Not a model: it only makes the answer visibly differ from the input, so a page
    showing "before" and "after" can be checked by eye in a screenshot.
    """

    def __init__(self):
        self.requests: list[TryOnRequest] = []

    def __call__(self, requests: Sequence[TryOnRequest]) -> list[np.ndarray]:
        self.requests.extend(requests)
        return [self._collage(request) for request in requests]

    @staticmethod
    def _collage(request: TryOnRequest) -> np.ndarray:
        from PIL import Image

        canvas = echo(request)
        height, width = canvas.shape[:2]
        slot = height // max(1, len(request.garments))
        for index, (garment, _) in enumerate(request.garments):
            if garment is None:
                continue
            thumbnail = Image.fromarray(garment)
            thumbnail.thumbnail((width // 3, slot))
            pixels = np.asarray(thumbnail)
            top = index * slot
            canvas[top : top + pixels.shape[0], width - pixels.shape[1] :] = pixels
        return canvas
