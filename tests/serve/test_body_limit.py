"""The body limit reads no further than the limit, whatever the client declares."""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import PlainTextResponse

from atelier.serve.body_limit import BodySizeLimit


async def reading_app(scope, receive, send):
    """An app that reads the whole body, then answers 200."""
    body = b"".join([chunk async for chunk in Request(scope, receive).stream()])
    await PlainTextResponse(f"read {len(body)}")(scope, receive, send)


def run(app, headers: list[tuple[bytes, bytes]], chunk_count: int, chunk_size: int = 1024):
    """Drives ``app`` with a streamed body; returns (status, JSON or text body, chunks the app pulled)."""
    pulled = 0
    sent: list[dict] = []

    async def receive():
        nonlocal pulled
        pulled += 1
        more = pulled < chunk_count
        return {"type": "http.request", "body": b"x" * chunk_size, "more_body": more}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers, "query_string": b""}
    asyncio.run(app(scope, receive, send))
    status = sent[0]["status"]
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return status, body, pulled


def test_streamed_body_is_refused_once_the_count_passes_the_limit():
    status, body, pulled = run(BodySizeLimit(reading_app, max_bytes=10 * 1024), [], chunk_count=10_000)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "payload_too_large"
    assert pulled == 11  # stopped at the first chunk past 10 KiB, not after 10 MB


def test_declared_length_over_the_limit_is_refused_before_reading():
    headers = [(b"content-length", str(10 * 1024 * 1024).encode())]
    status, _, pulled = run(BodySizeLimit(reading_app, max_bytes=1024), headers, chunk_count=10_000)
    assert (status, pulled) == (413, 0)


def test_body_within_the_limit_passes():
    status, body, _ = run(BodySizeLimit(reading_app, max_bytes=10 * 1024), [], chunk_count=10)
    assert (status, body) == (200, b"read 10240")


def test_a_lying_content_length_is_still_counted():
    headers = [(b"content-length", b"100")]
    status, _, pulled = run(BodySizeLimit(reading_app, max_bytes=4096), headers, chunk_count=10_000)
    assert status == 413 and pulled == 5


def test_a_non_numeric_content_length_is_400():
    status, body, _ = run(BodySizeLimit(reading_app, max_bytes=4096), [(b"content-length", b"lots")], chunk_count=1)
    assert status == 400 and json.loads(body)["error"]["code"] == "bad_request"
