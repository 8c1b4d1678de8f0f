"""What an operator can set about the service, checked once when it is built."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_WEIGHTS = Path("weights/tryon")
DEFAULT_MAX_STEPS = 100


@dataclass(frozen=True)
class ServeSettings:
    """Settings of one Atelier service.

    Attributes:
        host: Interface to bind; loopback unless the operator opens it up.
        port: TCP port.
        weights: Folder of the try-on checkpoint that the real pipeline loads.
        index: Retrieval index for ``/v1/search`` and ``/v1/caption``; None disables them.
        max_batch: Most requests the worker runs in one pipeline call.
        max_wait_ms: How long the worker waits for a batch to fill once it has one request.
        queue_size: Requests that may wait for the worker; one more is answered 429.
        timeout_s: Deadline of a request from its arrival; past it the answer is 504.
        max_body_mb: Largest request body accepted, in MiB; larger is answered 413.
        max_image_pixels: Largest width * height of any uploaded image.
        max_steps: Largest number of sampling steps a client may ask for.
        api_key: Bearer token required on ``/v1/*`` and ``/metrics``; None for none.
        cors_origins: Origins allowed to call the API from a browser; empty turns CORS off.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    weights: Path = DEFAULT_WEIGHTS
    index: Path | None = None
    max_batch: int = 4
    max_wait_ms: float = 20.0
    queue_size: int = 16
    timeout_s: float = 60.0
    max_body_mb: float = 20.0
    max_image_pixels: int = 4096 * 4096
    max_steps: int = DEFAULT_MAX_STEPS
    api_key: str | None = field(default=None, repr=False)  # never printed with the settings
    cors_origins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", Path(self.weights))
        if self.index is not None:
            object.__setattr__(self, "index", Path(self.index))
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must lie in 0..65535, got {self.port}")
        for name in ("max_batch", "queue_size", "max_image_pixels", "max_steps"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("timeout_s", "max_body_mb"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value}")
        if not (math.isfinite(self.max_wait_ms) and self.max_wait_ms >= 0):
            raise ValueError(f"max_wait_ms must be zero or more, got {self.max_wait_ms}")
        if self.api_key is not None and not self.api_key:
            raise ValueError("the API key is empty; give a file holding a non-empty token")

    @property
    def max_body_bytes(self) -> int:
        """The body limit in bytes."""
        return int(self.max_body_mb * 1024 * 1024)

    @property
    def max_wait_s(self) -> float:
        """The batching wait in seconds."""
        return self.max_wait_ms / 1000.0
