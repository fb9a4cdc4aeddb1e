"""Run the reference server with uvicorn on a loopback socket.

The socket is bound before uvicorn starts so `--port 0` can report the port it got, and the
`listening on ...` line is printed only once uvicorn accepts connections: a script (or the
conformance run) can wait for that line and start sending at once.
"""

import asyncio
import socket
import sys
from collections.abc import Callable

from conformance.server.app import ReferenceServer, ServerConfig
from conformance.server.routes import base_path
from spec.index import SpecIndex


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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
    try:
        await server.serve(sockets=[sock])
    finally:
        watcher.cancel()


def print_ready(url: str) -> None:
    sys.stdout.write(f"listening on {url}\n")
    sys.stdout.flush()
