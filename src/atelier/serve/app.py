"""The FastAPI app factory: routes, middleware, and the worker's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from atelier import __version__
from atelier.serve import operations_routes, retrieval_routes, tryon_routes, web_routes
from atelier.serve.batch_pipeline import BatchPipeline
from atelier.serve.bearer_auth import BearerTokenAuth
from atelier.serve.body_limit import BodySizeLimit
from atelier.serve.error_handlers import ServerFaultGuard, install_error_handlers
from atelier.serve.inference_service import InferenceService
from atelier.serve.metrics import MetricsMiddleware, ServiceMetrics
from atelier.serve.retrieval_backend import RetrievalBackend, load_retrieval
from atelier.serve.settings import ServeSettings
from atelier.serve.tryon_adapter import load_tryon_pipeline

DESCRIPTION = """Atelier's try-on service: one model for try-on, try-off, model-free generation,
pose and outfit transfer and garment editing, plus catalogue search and captions.

Uploaded images are kept in memory for the life of their request only; they are never
logged or written to disk. Every error is `{"error": {"code": ..., "message": ...}}`."""


def create_app(
    settings: ServeSettings,
    pipeline: BatchPipeline | None = None,
    retrieval: RetrievalBackend | None = None,
) -> FastAPI:
    """Builds the service.

    The pipeline is loaded (when not given) and the worker started by the app's lifespan,
    so that an app can be built cheaply and pickled (Ray Serve ships it to replicas) and
    the model loads where it runs.

    Args:
        settings: What the operator set.
        pipeline: The batch pipeline; None loads the real one from ``settings.weights``.
        retrieval: The search/caption backend; None builds it from ``settings.index``.

    Returns:
        The ASGI app.
    """
    metrics = ServiceMetrics(settings.max_batch)
    inference = InferenceService(settings, metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loaded = pipeline if pipeline is not None else await run_in_threadpool(load_tryon_pipeline, settings.weights)
        inference.start(loaded)
        try:
            yield
        finally:
            inference.stop()

    app = FastAPI(
        title="Atelier",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # Swagger UI would load scripts from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.inference = inference
    app.state.retrieval = retrieval if retrieval is not None else load_retrieval(settings.index)

    install_error_handlers(app)
    app.include_router(operations_routes.router)
    app.include_router(tryon_routes.router)
    app.include_router(retrieval_routes.router)
    app.include_router(web_routes.router)
    app.mount("/static", web_routes.static_files(), name="static")

    # Added innermost first: the last one added sees a request first.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    if settings.api_key is not None:
        app.add_middleware(BearerTokenAuth, token=settings.api_key)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    app.add_middleware(ServerFaultGuard)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app
