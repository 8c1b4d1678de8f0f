"""With the worker held: a full queue answers 429 with Retry-After, liveness still answers,
and the held requests are answered once the worker is released. Runs a real uvicorn server."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from atelier.serve import ServeSettings, create_app
from atelier.serve.background_server import BackgroundServer
from tests.serve.conftest import assert_error, png, tryon_form
from tests.serve.pipeline_doubles import SlowEchoPipeline


def wait_until(condition, timeout_s: float = 10.0) -> None:
    give_up = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < give_up, "condition not reached in time"
        time.sleep(0.01)


def test_full_queue_gives_429_while_liveness_answers_and_held_requests_finish():
    pipeline = SlowEchoPipeline(held=True)
    app = create_app(ServeSettings(max_batch=1, queue_size=2, max_wait_ms=0, timeout_s=30), pipeline=pipeline)
    form = tryon_form(png(1), [(png(2), "top")])

    with BackgroundServer(app) as server, ThreadPoolExecutor(max_workers=3) as pool:
        url = server.url

        def post_tryon() -> httpx.Response:
            return httpx.post(f"{url}/v1/tryon", files=form, timeout=30)

        held = [pool.submit(post_tryon)]
        assert pipeline.started.wait(10)  # the first request occupies the worker
        held += [pool.submit(post_tryon) for _ in range(2)]
        wait_until(lambda: app.state.inference.worker.depth == 2)  # and two wait in the queue

        for _ in range(2):
            refused = post_tryon()
            assert_error(refused, 429, "queue_full")
            assert int(refused.headers["retry-after"]) >= 1

        # A full queue refuses before reading the body: even a broken upload is told to come back.
        assert_error(httpx.post(f"{url}/v1/tryon", files=tryon_form(b"broken", [(png(2), "top")])), 429)

        asked = time.monotonic()
        live = httpx.get(f"{url}/healthz", timeout=5)
        assert live.status_code == 200 and live.json() == {"status": "ok"}
        assert time.monotonic() - asked < 1.0
        metrics = httpx.get(f"{url}/metrics", timeout=5).text
        assert "atelier_queue_depth 2.0" in metrics
        assert all(not future.done() for future in held)

        pipeline.release.set()
        answers = [future.result(timeout=30) for future in held]
        assert [answer.status_code for answer in answers] == [200, 200, 200]
        assert all(answer.headers["content-type"] == "image/png" for answer in answers)

        metrics = httpx.get(f"{url}/metrics", timeout=5).text
        assert 'atelier_http_requests_total{method="POST",route="/v1/tryon",status="429"} 3.0' in metrics
        assert 'atelier_http_requests_total{method="POST",route="/v1/tryon",status="200"} 3.0' in metrics
