"""Run the reference server with uvicorn on a loopback socket.

The socket is bound before uvicorn starts so `--port 0` can report the port it got, and the
`listening on ...` line is printed only once uvicorn accepts connections: a script (or the
conformance run) can wait for that line and start sending at once.
"""

import asyncio
import signal
import socket
import sys
import threading
from collections.abc import Callable
from typing import Any

from conformance.server.app import ReferenceServer, ServerConfig
from conformance.server.routes import base_path
from spec.index import SpecIndex


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this (Linux): uvicorn writes the head and the body of a
    # response separately, and with Nagle on, the body waits for the client's delayed ACK,
    # 40 ms per request on keep-alive connections (uvloop does not set it on its own).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket, index: SpecIndex) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{base_path(index)}"


async def serve(
    index: SpecIndex,
    config: ServerConfig,
    sock: socket.socket,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    import uvicorn

    app = ReferenceServer(index, config)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_keep_alive=30)
    )

    async def announce() -> None:
        while not server.started and not server.should_exit:
            await asyncio.sleep(0.01)
        if server.started and on_ready is not None:
            on_ready(url_of(sock, index))

    watcher = asyncio.ensure_future(announce())
    previous = _absorb_sigterm()
    try:
        await server.serve(sockets=[sock])
    finally:
        watcher.cancel()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _absorb_sigterm() -> Any:
    """Make SIGTERM a clean stop (exit 0). uvicorn drains connections on SIGTERM, then re-raises
    the signal against the handler that was installed before it: with the default handler the
    process would die of the signal (exit -15) after shutting down cleanly. A no-op handler
    there lets `serve` return. Returns the handler to restore, None off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, lambda signum, frame: None)


def print_ready(url: str) -> None:
    sys.stdout.write(f"listening on {url}\n")
    sys.stdout.flush()


def run_loop(main: Any) -> None:
    """Run on uvloop when it is installed (the [standard] extra brings it): about 8% more
    requests per second than asyncio's own loop on the list benchmark."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)
