"""Service throughput and latency under load, with dynamic batching on and off.

Prints one figure a line: throughput (requests/s) and p50/p99 latency (ms) at concurrency
1, 4 and 16, for batching on (max batch 8) and off (max batch 1), measured side by side in
one run, then the throughput ratio of on to off at each concurrency.

The server is uvicorn in this process, on 127.0.0.1 only. Each configuration runs a closed
loop: `concurrency` clients each send a /v1/tryon request (a 64x48 PNG person and one
garment) as soon as their previous one is answered, for at most --seconds or
--max-requests, whichever comes first.

By default the pipeline is a cost model, not a network: each batch sleeps
`--batch-cost-ms + n * --item-cost-ms` (defaults 40 + n * 5 ms), the shape of a GPU
forward pass whose fixed cost is shared by the batch. With --weights DIR the real try-on
pipeline is loaded instead and the inputs are world renders at 256x192.

Clients and server share one process (and its GIL), so absolute figures include client
overhead; the on/off ratio is the figure to compare.

    python benchmarks/serve_load.py [--seconds 2] [--max-requests 1000] [--weights DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import numpy as np
from PIL import Image

from atelier.serve import ServeSettings, TryOnRequest, create_app
from atelier.serve.background_server import BackgroundServer
from atelier.serve.batch_pipeline import BatchPipeline, UnavailablePipeline
from atelier.serve.tryon_adapter import load_tryon_pipeline

CONCURRENCIES = (1, 4, 16)
BATCHING = {"batch8": (8, 10.0), "batch1": (1, 0.0)}  # name -> (max batch, max wait ms)


class CostModelPipeline:
    """Sleeps `batch_cost_s + len(batch) * item_cost_s` per batch and echoes the person photo."""

    def __init__(self, batch_cost_s: float, item_cost_s: float):
        self.batch_cost_s = batch_cost_s
        self.item_cost_s = item_cost_s

    def __call__(self, requests: Sequence[TryOnRequest]) -> list[np.ndarray]:
        time.sleep(self.batch_cost_s + len(requests) * self.item_cost_s)
        return [request.person.copy() for request in requests]


class BatchSizeRecorder:
    """Passes batches through to a pipeline, keeping their sizes."""

    def __init__(self, pipeline: BatchPipeline):
        self.pipeline = pipeline
        self.sizes: list[int] = []

    def __call__(self, requests: Sequence[TryOnRequest]) -> list[np.ndarray]:
        self.sizes.append(len(requests))
        return self.pipeline(requests)


@dataclass
class LoadResult:
    latencies_s: list[float]
    elapsed_s: float
    failures: int

    @property
    def throughput(self) -> float:
        return len(self.latencies_s) / self.elapsed_s

    def percentile_ms(self, q: float) -> float:
        return float(np.percentile(self.latencies_s, q) * 1000.0)


def png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def request_form(real_inputs: bool) -> list[tuple[str, tuple]]:
    if real_inputs:
        from atelier.world.tasks import make_record

        record = make_record("single", "test", 0, 0, (256, 192))
        person, garment, category = record.person.image, record.garments[0].image, record.garments[0].category
    else:
        rng = np.random.default_rng(0)
        person = rng.integers(0, 256, (64, 48, 3), dtype=np.uint8)
        garment, category = person[::-1].copy(), "top"
    return [
        ("person", ("person.png", png(person), "image/png")),
        ("garment", ("garment.png", png(garment), "image/png")),
        ("category", (None, category)),
        ("steps", (None, "8")),
    ]


async def closed_loop(url: str, form, concurrency: int, seconds: float, max_requests: int) -> LoadResult:
    latencies: list[float] = []
    failures = 0
    issued = 0
    stop_at = time.perf_counter() + seconds

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal failures, issued
        while time.perf_counter() < stop_at and issued < max_requests:
            issued += 1
            sent = time.perf_counter()
            response = await http.post(f"{url}/v1/tryon", files=form)
            if response.status_code == 200:
                latencies.append(time.perf_counter() - sent)
            else:
                failures += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        return LoadResult(latencies, time.perf_counter() - started, failures)


def measure(
    pipeline: BatchPipeline, form, max_batch: int, max_wait_ms: float, concurrency: int, args
) -> tuple[LoadResult, float]:
    """Serves one configuration and loads it; returns the result and the mean batch size."""
    recorder = BatchSizeRecorder(pipeline)
    settings = ServeSettings(max_batch=max_batch, max_wait_ms=max_wait_ms, queue_size=64, timeout_s=120)
    with BackgroundServer(create_app(settings, pipeline=recorder), host="127.0.0.1") as server:
        asyncio.run(closed_loop(server.url, form, concurrency, 0.3, 4 * concurrency))  # warm connections and caches
        recorder.sizes.clear()
        result = asyncio.run(closed_loop(server.url, form, concurrency, args.seconds, args.max_requests))
    mean_batch = statistics.fmean(recorder.sizes) if recorder.sizes else 0.0
    return result, mean_batch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="measured time per configuration (default 2)")
    parser.add_argument("--max-requests", type=int, default=1000, help="request cap per configuration (default 1000)")
    parser.add_argument("--batch-cost-ms", type=float, default=40.0, help="cost model: fixed cost per batch")
    parser.add_argument("--item-cost-ms", type=float, default=5.0, help="cost model: cost per request in a batch")
    parser.add_argument("--weights", default=None, help="use the real pipeline from this checkpoint folder")
    args = parser.parse_args()
    if not (0 < args.seconds <= 60 and 0 < args.max_requests <= 100_000):
        parser.error("--seconds must lie in (0, 60] and --max-requests in (0, 100000]")

    if args.weights:
        pipeline = load_tryon_pipeline(args.weights)
        if isinstance(pipeline, UnavailablePipeline):
            print(f"serve_load: {pipeline.reason}", file=sys.stderr)
            return 2
        print(f"pipeline: real, from {args.weights}")
    else:
        pipeline = CostModelPipeline(args.batch_cost_ms / 1000, args.item_cost_ms / 1000)
        print(f"pipeline: cost model, {args.batch_cost_ms:g} ms per batch + {args.item_cost_ms:g} ms per request")
    form = request_form(real_inputs=bool(args.weights))

    throughput: dict[tuple[str, int], float] = {}
    for concurrency in CONCURRENCIES:
        for name, (max_batch, max_wait_ms) in BATCHING.items():
            result, mean_batch = measure(pipeline, form, max_batch, max_wait_ms, concurrency, args)
            label = f"{name} c{concurrency}"
            throughput[(name, concurrency)] = result.throughput
            print(f"{label} throughput: {result.throughput:.1f} req/s")
            print(f"{label} p50: {result.percentile_ms(50):.1f} ms")
            print(f"{label} p99: {result.percentile_ms(99):.1f} ms")
            print(f"{label} mean batch: {mean_batch:.2f}")
            if result.failures:
                print(f"{label} failed requests: {result.failures}")
    for concurrency in CONCURRENCIES:
        ratio = throughput[("batch8", concurrency)] / throughput[("batch1", concurrency)]
        print(f"c{concurrency} throughput batch8/batch1: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
