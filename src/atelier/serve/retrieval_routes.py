"""``POST /v1/search`` and ``POST /v1/caption``: catalogue search and garment captions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from atelier.data.images import ImageError, decode_image
from atelier.serve.errors import InvalidRequest, ServiceUnavailable, from_image_error
from atelier.serve.multipart_form import UploadedForm, read_multipart_form
from atelier.serve.openapi_docs import CAPTION_BODY, SEARCH_BODY, error_responses
from atelier.serve.retrieval_backend import RetrievalBackend, SearchQuery
from atelier.serve.tryon_form import MAX_INSTRUCTION_CHARS

router = APIRouter()

_ERRORS = error_responses(400, 401, 413, 415, 422, 503)
MAX_RESULTS = 100
MAX_STYLE_CHARS = 40


class SearchResult(BaseModel):
    id: str
    score: float
    metadata: dict[str, Any]


class SearchResults(BaseModel):
    results: list[SearchResult]


class Caption(BaseModel):
    caption: str


@router.post(
    "/v1/search",
    summary="Find catalogue garments by text, by image, or by image + modification text",
    response_model=SearchResults,
    responses=_ERRORS,
    openapi_extra=SEARCH_BODY,
)
async def search(request: Request) -> SearchResults:
    """Answers the best ``k`` catalogue items for the query."""
    backend = _ready_backend(request)
    form = await read_multipart_form(request)
    _refuse_unknown_fields(form, {"text", "image", "k"})
    text = (form.one_text("text") or "").strip()
    if len(text) > MAX_INSTRUCTION_CHARS:
        raise InvalidRequest(f"text: at most {MAX_INSTRUCTION_CHARS} characters, got {len(text)}")
    k = _result_count(form.one_text("k"))
    image_bytes = form.one_file("image")
    if not text and image_bytes is None:
        raise InvalidRequest("give a query: text, image, or both")
    image = None if image_bytes is None else await _decode(request, image_bytes, "image")
    query = SearchQuery(text=text, image=image, k=k)
    hits = await _run(backend.search, query)
    return SearchResults(results=[SearchResult(id=hit.item_id, score=hit.score, metadata=hit.metadata) for hit in hits])


@router.post(
    "/v1/caption",
    summary="Describe a garment image in words",
    response_model=Caption,
    responses=_ERRORS,
    openapi_extra=CAPTION_BODY,
)
async def caption(request: Request) -> Caption:
    """Answers a caption of the uploaded garment image."""
    backend = _ready_backend(request)
    form = await read_multipart_form(request)
    _refuse_unknown_fields(form, {"image", "style"})
    image_bytes = form.one_file("image")
    if image_bytes is None:
        raise InvalidRequest("image: a garment image is required")
    style = (form.one_text("style") or "").strip() or None
    if style is not None and len(style) > MAX_STYLE_CHARS:
        raise InvalidRequest(f"style: at most {MAX_STYLE_CHARS} characters")
    image = await _decode(request, image_bytes, "image")
    return Caption(caption=await _run(backend.caption, image, style))


def _ready_backend(request: Request) -> RetrievalBackend:
    backend: RetrievalBackend = request.app.state.retrieval
    reason = backend.unavailable_reason()
    if reason is not None:
        raise ServiceUnavailable(reason, code="retrieval_unavailable")
    return backend


def _refuse_unknown_fields(form: UploadedForm, allowed: set[str]) -> None:
    unknown = sorted(form.names - allowed)
    if unknown:
        raise InvalidRequest(f"unknown form field(s) {unknown}; expected some of {sorted(allowed)}")


def _result_count(value: str | None) -> int:
    value = (value or "").strip()
    if not value:
        return 10
    if not (value.isascii() and value.isdecimal() and len(value) <= 4 and 1 <= int(value) <= MAX_RESULTS):
        raise InvalidRequest(f"k: expected a whole number from 1 to {MAX_RESULTS}, got {value[:40]!r}")
    return int(value)


async def _decode(request: Request, data: bytes, name: str):
    max_pixels = request.app.state.settings.max_image_pixels
    try:
        return await run_in_threadpool(decode_image, data, name=name, max_pixels=max_pixels)
    except ImageError as error:
        raise from_image_error(error) from None


async def _run(method, *arguments):
    try:
        return await run_in_threadpool(method, *arguments)
    except ValueError as error:
        raise InvalidRequest(str(error)) from None
