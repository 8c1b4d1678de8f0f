"""Refuses request bodies over a size limit without ever buffering them.

A declared ``Content-Length`` over the limit is refused before a byte of the body is read;
a body with no length, or one that lies about it, is counted as it streams in and refused
as soon as the count passes the limit.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atelier.serve.errors import PayloadTooLarge, error_response


class BodySizeLimit:
    """ASGI middleware answering 413 to bodies larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"the request body is larger than the limit of {self.max_bytes} bytes")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await error_response(400, "bad_request", "the Content-Length header is not a number")(scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return

        received = 0
        exceeded = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise self._too_large()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise self._too_large()
            return message

        async def send_unless_exceeded(message: Message) -> None:
            nonlocal response_started
            # Once over the limit, whatever the app makes of the failed read (some
            # frameworks answer 400) is replaced by the one 413 sent below.
            if exceeded and not response_started:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, send_unless_exceeded)
        except PayloadTooLarge:
            if not exceeded:
                raise
        if exceeded and not response_started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = self._too_large()
        # The unread body is left unread; the server closes the connection after this answer.
        response = error_response(error.status, error.code, error.message, {"Connection": "close"})
        await response(scope, receive, send)
