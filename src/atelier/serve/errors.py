"""The errors the service answers with, each one HTTP status and one JSON shape.

Every error a client sees is ``{"error": {"code": "...", "message": "..."}}``. Code that
finds a problem raises one of these; the handlers in :mod:`atelier.serve.error_handlers`
turn it into the response.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

from atelier.data.images import (
    CorruptImage,
    EmptyImage,
    ImageError,
    ImageTooLarge,
    UnsupportedImageFormat,
)


class ApiError(Exception):
    """A problem answered with ``status`` and a JSON error body.

    Attributes:
        status: HTTP status code.
        code: Short machine-readable name of the problem.
        message: What went wrong, for a person; never holds image data.
        headers: Extra response headers (``Retry-After``, ``WWW-Authenticate``).
    """

    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.headers = dict(headers or {})


class BadRequest(ApiError):
    """The request cannot be read at all: a malformed form or header (400)."""

    status = 400
    code = "bad_request"


class InvalidRequest(ApiError):
    """The request is well formed but asks for something the service cannot do (422)."""

    status = 422
    code = "invalid_request"


class UnsupportedMediaType(ApiError):
    """The body or an uploaded file is of a type the service does not take (415)."""

    status = 415
    code = "unsupported_media_type"


class PayloadTooLarge(ApiError):
    """The body is larger than the configured limit (413)."""

    status = 413
    code = "payload_too_large"


class Unauthorized(ApiError):
    """The bearer token is missing or wrong (401)."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: str = "a valid bearer token is required"):
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class QueueFull(ApiError):
    """Too many requests are waiting; the client should come back later (429)."""

    status = 429
    code = "queue_full"

    def __init__(self, retry_after_s: int):
        super().__init__(
            f"the service is busy; retry in about {retry_after_s} s",
            headers={"Retry-After": str(retry_after_s)},
        )


class DeadlineExceeded(ApiError):
    """The request was not answered within its deadline (504)."""

    status = 504
    code = "deadline_exceeded"


class ServiceUnavailable(ApiError):
    """A part of the service is not configured or not loaded (503)."""

    status = 503
    code = "unavailable"


_IMAGE_ERROR_CODES: dict[type[ImageError], tuple[type[ApiError], str]] = {
    UnsupportedImageFormat: (UnsupportedMediaType, "unsupported_image"),
    EmptyImage: (InvalidRequest, "empty_image"),
    CorruptImage: (InvalidRequest, "corrupt_image"),
    ImageTooLarge: (InvalidRequest, "image_too_large"),
}


def from_image_error(error: ImageError) -> ApiError:
    """Maps a decoding failure to its answer: 415 for a format, 422 for the content.

    The message keeps the decoder's, which starts with the field name (``garment[1]: ...``).
    """
    for error_type, (api_error, code) in _IMAGE_ERROR_CODES.items():
        if isinstance(error, error_type):
            return api_error(str(error), code=code)
    return InvalidRequest(str(error), code="invalid_image")


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one JSON shape of every error answer."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def api_error_response(error: ApiError) -> JSONResponse:
    """The response for a raised :class:`ApiError`."""
    return error_response(error.status, error.code, error.message, error.headers)
