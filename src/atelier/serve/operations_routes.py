"""Routes for operators: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from atelier.serve.errors import error_response
from atelier.serve.openapi_docs import ErrorBody

router = APIRouter()


class Liveness(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    queue_depth: int
    max_batch: int
    retrieval: bool


@router.get("/healthz", response_model=Liveness, summary="Liveness: the process answers HTTP")
async def healthz() -> Liveness:
    """Answers at once; touches neither the worker nor the pipeline, so a busy worker stays live."""
    return Liveness(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Readiness: the pipeline is loaded and the worker runs",
    responses={503: {"model": ErrorBody, "description": "Not ready; the message says why."}},
)
async def readyz(request: Request) -> Readiness | JSONResponse:
    """Ready when try-on requests can be served; otherwise 503 naming what is missing."""
    inference = request.app.state.inference
    reason = inference.not_ready_reason()
    if reason is not None:
        return error_response(503, "not_ready", reason)
    return Readiness(
        status="ready",
        queue_depth=inference.worker.depth,
        max_batch=request.app.state.settings.max_batch,
        retrieval=request.app.state.retrieval.configured,
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text format."}},
)
async def metrics(request: Request) -> Response:
    """Request counts, latency, queue depth and batch sizes in Prometheus text format."""
    body, content_type = request.app.state.metrics.render()
    return Response(body, media_type=content_type)
