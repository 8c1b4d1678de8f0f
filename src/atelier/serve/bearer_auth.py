"""Optional bearer-token check on the API and the metrics.

The web page, its files, the health checks and the schema stay open, so a browser can
load the page and a load balancer can probe the service without the token.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from atelier.serve.errors import Unauthorized, api_error_response

PROTECTED_PREFIXES = ("/v1/", "/metrics")


def read_api_key(path: str | Path) -> str:
    """Reads a bearer token from a file, ignoring surrounding whitespace.

    Raises:
        FileNotFoundError: No such file.
        ValueError: The file holds no token.
    """
    token = Path(path).read_text(encoding="utf-8").strip()
    if not token:
        raise ValueError(f"{path}: the API key file is empty")
    return token


class BearerTokenAuth:
    """ASGI middleware answering 401 to protected paths without the right token."""

    def __init__(self, app: ASGIApp, token: str, protected_prefixes: tuple[str, ...] = PROTECTED_PREFIXES):
        self.app = app
        self.expected = f"Bearer {token}".encode()
        self.protected_prefixes = protected_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.protected_prefixes):
            presented = Headers(scope=scope).get("authorization", "").encode("latin-1", "replace")
            # Constant-time, so the answer's timing says nothing about how much of a guess was right.
            if not hmac.compare_digest(presented, self.expected):
                await api_error_response(Unauthorized())(scope, receive, send)
                return
        await self.app(scope, receive, send)
