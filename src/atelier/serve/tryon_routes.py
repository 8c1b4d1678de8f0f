"""``POST /v1/tryon`` and ``POST /v1/tryoff``: a form in, an image out."""

from __future__ import annotations

import time

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from atelier.data.images import encode_jpeg, encode_png
from atelier.serve.inference_service import InferenceService
from atelier.serve.multipart_form import read_multipart_form
from atelier.serve.openapi_docs import (
    IMAGE_RESPONSE,
    TRYOFF_BODY,
    TRYON_BODY,
    error_responses,
)
from atelier.serve.tryon_form import decode_tryon_form, parse_tryon_form

router = APIRouter()

_ERRORS = error_responses(400, 401, 413, 415, 422, 429, 503, 504)
_MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg"}


@router.post(
    "/v1/tryon",
    summary="Dress a person in 1-6 garments (or run another try-on task)",
    response_class=Response,
    responses={**IMAGE_RESPONSE, **_ERRORS},
    openapi_extra=TRYON_BODY,
)
async def tryon(request: Request) -> Response:
    """Runs a try-on task on a multipart form and answers the image."""
    return await _answer(request, task=None)


@router.post(
    "/v1/tryoff",
    summary="Take a garment off a person: reconstruct its product image",
    response_class=Response,
    responses={**IMAGE_RESPONSE, **_ERRORS},
    openapi_extra=TRYOFF_BODY,
)
async def tryoff(request: Request) -> Response:
    """Reconstructs the garment of the given category worn by the person."""
    return await _answer(request, task="tryoff")


async def _answer(request: Request, task: str | None) -> Response:
    deadline = time.monotonic() + request.app.state.settings.timeout_s
    service: InferenceService = request.app.state.inference
    settings = request.app.state.settings
    # Before reading the body: a service that cannot answer now should say so at once,
    # not after decoding images it has no room for.
    service.require_ready()
    service.refuse_if_full()
    form = parse_tryon_form(await read_multipart_form(request), max_steps=settings.max_steps, task=task)
    tryon_request = await run_in_threadpool(decode_tryon_form, form, max_pixels=settings.max_image_pixels)
    service.check(tryon_request)
    image = await service.infer(tryon_request, deadline)
    encode = encode_png if form.output_format == "png" else encode_jpeg
    content = await run_in_threadpool(encode, image)
    # no-store: a generated photo of a person is not for shared caches.
    return Response(content, media_type=_MEDIA_TYPES[form.output_format], headers={"Cache-Control": "no-store"})
