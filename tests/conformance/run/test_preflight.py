"""Preflight against real servers on loopback: usable, unreachable, wrong base path, refused
key, auth not enforced, and a catch-all that answers every path with success."""

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from conformance.run.preflight import PreflightError, preflight, probe_operation
from conformance.server.app import ReferenceServer, ServerConfig
from conformance.target import Target
from spec.index import SpecIndex, build_index
from spec.load import load_spec

KEY = "preflight-test-key"


@pytest.fixture(scope="module")
def index(shared_spec_path) -> SpecIndex:
    return build_index(load_spec(shared_spec_path).data)


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yield its root URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if server.started:
                break
            threading.Event().wait(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def reference(index: SpecIndex, *faults: str) -> ReferenceServer:
    return ReferenceServer(index, ServerConfig(token=KEY, faults=frozenset(faults)))


def test_the_probe_is_a_parameterless_secured_get(index: SpecIndex) -> None:
    probe = probe_operation(index, "http://x/v2")
    assert probe is not None and probe.operation.method == "get" and "{" not in probe.operation.path


def test_a_conforming_target_passes_without_warnings(index: SpecIndex) -> None:
    with running(reference(index)) as root:
        assert preflight(Target(root + "/v2", KEY, timeout=5), index) == []


def test_an_unreachable_target_is_one_line(index: SpecIndex) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(PreflightError, match="unreachable") as caught:
        preflight(Target(f"http://127.0.0.1:{port}/v2", KEY, timeout=2), index)
    assert "\n" not in str(caught.value)


def test_a_wrong_base_path_is_named(index: SpecIndex) -> None:
    with running(reference(index)) as root, pytest.raises(PreflightError, match="base URL looks wrong"):
        preflight(Target(root + "/v3", KEY, timeout=5), index)


def test_a_refused_key_stops_the_run_without_leaking_it(index: SpecIndex) -> None:
    with running(reference(index)) as root, pytest.raises(PreflightError, match="key was refused") as caught:
        preflight(Target(root + "/v2", "not-the-key", timeout=5), index)
    assert "not-the-key" not in str(caught.value)


def test_auth_not_enforced_is_a_warning(index: SpecIndex) -> None:
    with running(reference(index, "auth-not-enforced")) as root:
        warnings = preflight(Target(root + "/v2", KEY, timeout=5), index)
    assert len(warnings) == 1 and "does not check authentication" in warnings[0]


def test_a_catch_all_target_is_refused(index: SpecIndex) -> None:
    async def catch_all(scope: dict, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"{}"})

    with running(catch_all) as root, pytest.raises(PreflightError, match="unknown paths with success"):
        preflight(Target(root + "/v2", KEY, timeout=5), index)


def test_a_hanging_target_times_out(index: SpecIndex) -> None:
    with running(reference(index, "hang")) as root:
        app_hang = Target(root + "/v2", KEY, timeout=0.5)
        with pytest.raises(PreflightError):
            preflight(app_hang, index)
