"""Turns every failure into the one JSON error shape; only real server faults are 500.

Client mistakes arrive as :class:`ApiError` (or as Starlette's 404/405) and keep their
status. Anything else is a fault of the service: :class:`ServerFaultGuard` answers 500 and
logs the exception's type and where it was raised, never its message or arguments, which
could hold a piece of somebody's photo.
"""

from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atelier.serve.errors import ApiError, api_error_response, error_response
from atelier.serve.metrics import route_template

logger = logging.getLogger("atelier.serve")

_HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def install_error_handlers(app: FastAPI) -> None:
    """Registers the handlers that shape client errors as JSON."""

    async def on_api_error(request: Request, error: ApiError) -> JSONResponse:
        return api_error_response(error)

    async def on_http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_ERROR_CODES.get(error.status_code, "http_error")
        return error_response(error.status_code, code, str(error.detail), getattr(error, "headers", None))

    async def on_validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem.get('loc', ()))}: {problem.get('msg', '')}"
            for problem in error.errors()
        )
        return error_response(422, "invalid_request", problems or "the request is not valid")

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)


class ServerFaultGuard:
    """ASGI middleware: an unexpected exception becomes a logged, data-free 500."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def send_and_note_start(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_start)
        except Exception as error:
            logger.error(
                "server fault on %s %s: %s raised at %s",
                scope.get("method", ""),
                # The template, not the raw path: a path is client-chosen text.
                route_template(scope),
                type(error).__name__,
                _raised_at(error),
            )
            if not response_started:
                response = error_response(500, "internal_error", "the server failed to answer this request")
                await response(scope, receive, send)


def _raised_at(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "(unknown location)"
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno} in {frame.name}"
