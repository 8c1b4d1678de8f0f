"""A real uvicorn server on loopback in a background thread, for tests and benchmarks.

It binds its socket before starting, to a free port the OS picks, so there is no window
in which another process could take the port.
"""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from starlette.types import ASGIApp


class BackgroundServer:
    """Serves ``app`` on ``host`` at an OS-chosen port while the context is open.

    Example:
        with BackgroundServer(create_app(settings, pipeline)) as server:
            httpx.get(server.url + "/healthz")
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", startup_timeout_s: float = 30.0):
        self.app = app
        self.host = host
        self.startup_timeout_s = startup_timeout_s
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._socket is not None, "the server is not running"
        return self._socket.getsockname()[1]

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> BackgroundServer:
        # proto=IPPROTO_TCP, not the default 0: asyncio turns Nagle's algorithm off only on
        # sockets that say they are TCP, and with it on every small answer waits ~40 ms.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((self.host, 0))
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="atelier-test-server", daemon=True
        )
        self._thread.start()
        started_by = time.monotonic() + self.startup_timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > started_by:
                self.__exit__(None, None, None)
                raise RuntimeError("the background server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._socket is not None:
            self._socket.close()
