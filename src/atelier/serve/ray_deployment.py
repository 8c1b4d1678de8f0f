"""Scale-out: the same app as a Ray Serve deployment, one worker and pipeline per replica.

Ray is optional and imported only here, only when asked for; Atelier does not depend on it.
"""

from __future__ import annotations

import time
from typing import Any

from atelier.serve.app import create_app
from atelier.serve.settings import ServeSettings

RAY_INSTALL_HINT = 'Ray Serve is not installed; install it with: pip install "ray[serve]"'


class RayServeUnavailable(RuntimeError):
    """``--ray`` was asked for but Ray Serve cannot be imported."""


def import_ray_serve() -> Any:
    """Imports ``ray.serve``, or says how to install it.

    Raises:
        RayServeUnavailable: Ray Serve is not installed.
    """
    try:
        from ray import serve
    except ImportError as error:
        raise RayServeUnavailable(f"{RAY_INSTALL_HINT} ({error})") from None
    return serve


def build_ray_application(settings: ServeSettings, *, num_replicas: int = 1, num_gpus_per_replica: float = 0) -> Any:
    """Wraps the service's app in a Ray Serve deployment.

    Each replica runs the app's lifespan, so it loads the pipeline from
    ``settings.weights`` and starts its own batching worker; Ray spreads requests across
    replicas and the worker batches within one.

    Args:
        settings: The service settings (host and port are Ray's HTTP proxy's).
        num_replicas: Copies of the pipeline to run.
        num_gpus_per_replica: GPUs reserved per replica (0 on CPU).

    Returns:
        The bound Ray Serve application, for ``serve.run``.

    Raises:
        RayServeUnavailable: Ray Serve is not installed.
    """
    serve = import_ray_serve()
    app = create_app(settings)

    @serve.deployment(
        name="atelier",
        num_replicas=num_replicas,
        ray_actor_options={"num_gpus": num_gpus_per_replica},
    )
    @serve.ingress(app)
    class AtelierDeployment:
        """One replica of the Atelier service."""

    return AtelierDeployment.bind()


def run_ray_serve(settings: ServeSettings, *, num_replicas: int = 1, num_gpus_per_replica: float = 0) -> None:
    """Starts Ray Serve's HTTP proxy on the settings' host and port and blocks.

    Raises:
        RayServeUnavailable: Ray Serve is not installed.
    """
    serve = import_ray_serve()
    application = build_ray_application(settings, num_replicas=num_replicas, num_gpus_per_replica=num_gpus_per_replica)
    serve.start(http_options={"host": settings.host, "port": settings.port})
    serve.run(application, name="atelier", route_prefix="/")
    print(f"Atelier on Ray Serve: http://{settings.host}:{settings.port}/ ({num_replicas} replica(s)); Ctrl-C stops")
    try:
        while True:
            time.sleep(3600)
    finally:
        serve.shutdown()
