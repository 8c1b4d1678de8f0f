"""`atelier serve`: the try-on API and web page over HTTP."""

from __future__ import annotations

import argparse
import sys

from atelier.cli.arguments import positive_int

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def register(subcommands: argparse._SubParsersAction) -> None:
    serve = subcommands.add_parser(
        "serve",
        help="serve the try-on API and web page over HTTP (uvicorn, or Ray Serve with --ray)",
        description="Serves POST /v1/tryon, /v1/tryoff, /v1/search, /v1/caption, GET /healthz, /readyz, "
        "/metrics and a web page at /. Uploaded images stay in memory for their request only. "
        "Binds to 127.0.0.1 unless --host says otherwise.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    serve.add_argument("--weights", default="weights/tryon", help="try-on checkpoint folder (default weights/tryon)")
    serve.add_argument("--index", default=None, help="retrieval index for /v1/search and /v1/caption (default: none)")
    serve.add_argument("--max-batch", type=positive_int, default=4, help="most requests per pipeline call (default 4)")
    serve.add_argument("--max-wait-ms", type=float, default=20.0, help="how long a batch waits to fill (default 20)")
    serve.add_argument("--queue-size", type=positive_int, default=16, help="requests that may wait; more get 429 (default 16)")
    serve.add_argument("--timeout-s", type=float, default=60.0, help="per-request deadline; past it 504 (default 60)")
    serve.add_argument("--max-body-mb", type=float, default=20.0, help="largest body in MiB; larger gets 413 (default 20)")
    serve.add_argument("--max-image-pixels", type=positive_int, default=4096 * 4096, help="largest width*height of an upload")
    serve.add_argument("--api-key-file", default=None, help="file holding a bearer token required on /v1/* and /metrics")
    serve.add_argument(
        "--cors-origin", action="append", default=[], metavar="ORIGIN",
        help="allow browser calls from ORIGIN (repeatable; default: CORS off)",
    )  # fmt: skip
    serve.add_argument("--ray", action="store_true", help='run as a Ray Serve deployment (needs pip install "ray[serve]")')
    serve.add_argument("--ray-replicas", type=positive_int, default=1, help="pipeline replicas under --ray (default 1)")
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    from atelier.serve.bearer_auth import read_api_key
    from atelier.serve.settings import ServeSettings

    settings = ServeSettings(
        host=args.host,
        port=args.port,
        weights=args.weights,
        index=args.index,
        max_batch=args.max_batch,
        max_wait_ms=args.max_wait_ms,
        queue_size=args.queue_size,
        timeout_s=args.timeout_s,
        max_body_mb=args.max_body_mb,
        max_image_pixels=args.max_image_pixels,
        api_key=read_api_key(args.api_key_file) if args.api_key_file else None,
        cors_origins=tuple(args.cors_origin),
    )
    if settings.host not in _LOOPBACK:
        print(f"atelier serve: listening on {settings.host}, reachable from other machines", file=sys.stderr)
        if settings.api_key is None:
            print("atelier serve: no --api-key-file given: anyone who can reach it can use it", file=sys.stderr)
    if args.ray:
        from atelier.serve.ray_deployment import RayServeUnavailable, run_ray_serve

        try:
            run_ray_serve(settings, num_replicas=args.ray_replicas)
        except RayServeUnavailable as error:
            print(f"atelier: error: {error}", file=sys.stderr)
            return 2
        return 0

    import uvicorn

    from atelier.serve.app import create_app

    print(f"Atelier: http://{settings.host}:{settings.port}/  (Ctrl-C stops)")
    # No access log by default: request lines carry client addresses, which are not needed to run it.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False, log_level="info")
    return 0
