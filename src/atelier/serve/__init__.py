"""The HTTP service: try-on API, batching worker, metrics and the web page.

`create_app(settings, pipeline=None)` builds the FastAPI app; `atelier serve` runs it with
uvicorn (or Ray Serve with ``--ray``).
"""

from atelier.serve.app import create_app
from atelier.serve.batch_pipeline import BatchPipeline, UnavailablePipeline
from atelier.serve.settings import ServeSettings
from atelier.serve.tryon_request import TryOnRequest

__all__ = ["BatchPipeline", "ServeSettings", "TryOnRequest", "UnavailablePipeline", "create_app"]
