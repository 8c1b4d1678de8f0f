"""Prometheus metrics of one service: requests, latency, queue depth and batch sizes.

Each app owns its registry, so several apps in one process (tests, benchmarks) never
share or double-register a metric.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
UNMATCHED_ROUTE = "unmatched"


class ServiceMetrics:
    """The service's metrics and the registry that exports them.

    Args:
        max_batch: Largest batch the worker makes; sets the batch-size buckets.
    """

    def __init__(self, max_batch: int):
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "atelier_http_requests",
            "HTTP requests answered, by route template, method and status code.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "atelier_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template.",
            ["route"],
            buckets=_LATENCY_BUCKETS_S,
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "atelier_queue_depth",
            "Requests waiting for the inference worker (not counting the running batch).",
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "atelier_batch_size",
            "Requests run together in one pipeline call.",
            buckets=tuple(range(1, max_batch + 1)),
            registry=self.registry,
        )
        self.batch_duration = Histogram(
            "atelier_batch_duration_seconds",
            "Time one pipeline call took.",
            buckets=_LATENCY_BUCKETS_S,
            registry=self.registry,
        )

    def watch_queue(self, depth: Callable[[], int]) -> None:
        """Reads the queue depth from ``depth`` whenever the metrics are scraped."""
        self.queue_depth.set_function(depth)

    def observe_batch(self, size: int, seconds: float) -> None:
        """Records one finished batch."""
        self.batch_size.observe(size)
        self.batch_duration.observe(seconds)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Records one answered request."""
        self.requests.labels(route=route, method=method, status=str(status)).inc()
        self.latency.labels(route=route).observe(seconds)

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text exposition and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Counts every HTTP request by the route template it matched, never by its raw path.

    Using the template keeps the label set small whatever paths clients send.
    """

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if the app fails before starting a response

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            self.metrics.observe_request(route_template(scope), scope["method"], status, time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The path template the router matched (``/v1/tryon``, ``/static/{path}``), or ``unmatched``."""
    template = getattr(scope.get("route"), "path", None)
    if template:
        return template
    # A mounted app (the static files) leaves no route behind, only the prefix it consumed.
    mount_prefix = scope.get("root_path", "").removeprefix(scope.get("app_root_path", ""))
    return f"{mount_prefix}/{{path}}" if mount_prefix else UNMATCHED_ROUTE
