"""`telnyx-conformance serve` as users run it: a real process on a loopback port, spoken to over
HTTP. One request per tag must conform (judged by the independent checker of conftest.py); auth,
not-found, rate limiting, SIGTERM and a busy port behave as documented.

Every process is started with a deadline and always stopped in a `finally`, so a wedged server
fails the test instead of hanging the suite. Path ids come from a `Store` built here with the
server's seed: seeding is deterministic, so it holds the same records as the server's.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.run.embedded import first_line
from conformance.run.embedded import stop_process as stop
from conformance.server.sample_requests import DEFAULT_TOKEN, build_request, store_path_values
from conformance.server.state import Store
from spec.index import Operation, SpecIndex

START_TIMEOUT = 30.0  # seconds until `listening on` (the spec loads in about a second)
STOP_TIMEOUT = 5.0
AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


# --- running the command ---------------------------------------------------------------------------


def command() -> list[str]:
    """The installed console script next to this interpreter, else the module's entry point."""
    script = Path(sys.executable).with_name("telnyx-conformance")
    if script.is_file():
        return [str(script)]
    found = shutil.which("telnyx-conformance")
    return (
        [found] if found else [sys.executable, "-c", "import sys; from conformance.cli import main; sys.exit(main())"]
    )


def spawn(spec: Path, cache: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TELNYX_CONFORMANCE_CACHE": str(cache)}
    env.pop("TELNYX_SPEC", None)
    return subprocess.Popen(
        [*command(), "serve", "--spec", str(spec), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@dataclass
class Running:
    process: subprocess.Popen[str]
    url: str  # http://127.0.0.1:PORT/v2


@contextmanager
def serving(spec: Path, cache: Path, *args: str) -> Iterator[Running]:
    """A server on a free port, ready to answer, stopped on exit whatever happened."""
    process = spawn(spec, cache, "--port", "0", *args)
    try:
        assert process.stdout is not None
        line = first_line(process.stdout, START_TIMEOUT)
        if not line or not line.startswith("listening on "):
            stop(process)
            pytest.fail(
                f"no `listening on` line (got {line!r}); stderr: {process.stderr.read() if process.stderr else ''}"
            )
        yield Running(process, line.removeprefix("listening on ").strip())
    finally:
        stop(process)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def server(shared_spec_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serving(shared_spec_path, tmp_path_factory.mktemp("serve-cache")) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Running) -> Iterator[httpx.Client]:
    origin = server.url.removesuffix("/v2")
    with httpx.Client(base_url=origin, timeout=10.0) as http:
        yield http


@pytest.fixture(scope="module")
def mirror(spec_index: SpecIndex) -> Store:
    """The records the server (seed 0) holds, for ids of item paths."""
    return Store(spec_index, seed=0)


# --- one request per tag -------------------------------------------------------------------------


def sample_per_tag(index: SpecIndex) -> dict[str, Operation]:
    """For every tag, its first GET in spec order, else its first operation."""
    chosen: dict[str, Operation] = {}
    for operation in index.operations:
        for tag in operation.node.get("tags") or ["(untagged)"]:
            current = chosen.get(tag)
            if current is None or (current.method != "get" and operation.method == "get"):
                chosen[tag] = operation
    return chosen


def send(client: httpx.Client, index: SpecIndex, mirror: Store, operation: Operation) -> httpx.Response:
    values = store_path_values(mirror, operation, last=operation.method == "delete")
    request = build_request(index, operation, path_values=values)
    return client.request(request.method, request.target, headers=request.all_headers(), content=request.body)


def test_a_request_of_every_tag_conforms(
    client: httpx.Client, spec_index: SpecIndex, mirror: Store, response_checker: Any
) -> None:
    samples = sample_per_tag(spec_index)
    assert len(samples) >= 100  # 135 tags in the pinned spec
    problems = []
    for tag, operation in sorted(samples.items()):
        response = send(client, spec_index, mirror, operation)
        verdict = response_checker.check(
            operation, response.status_code, response.headers.get("content-type"), response.content
        )
        if response.status_code >= 400 or not verdict.ok:
            problems.append(f"[{tag}] {verdict} {response.text[:200]}")
        if not all(name in response.headers for name in RATE_HEADERS):
            problems.append(f"[{tag}] {operation.path}: no x-ratelimit-* headers")
    assert not problems, "\n".join(problems)


def test_listed_records_can_be_fetched(client: httpx.Client) -> None:
    """State over HTTP: the first id a list shows is an id its item path serves."""
    listed = client.get("/v2/addresses", headers=AUTH)
    assert listed.status_code == 200
    first = listed.json()["data"][0]["id"]
    fetched = client.get(f"/v2/addresses/{first}", headers=AUTH)
    assert fetched.status_code == 200 and fetched.json()["data"]["id"] == first


# --- errors in the envelope ------------------------------------------------------------------------


def envelope_codes(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"errors"} and body["errors"], body
    for error in body["errors"]:
        assert {"code", "title", "detail"} <= set(error), error
    return [e["code"] for e in body["errors"]]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic x"}])
def test_no_valid_token_is_401(client: httpx.Client, headers: dict[str, str]) -> None:
    response = client.get("/v2/addresses", headers=headers)
    assert response.status_code == 401
    assert envelope_codes(response) == ["10009"]
    assert response.headers.get("www-authenticate") == "Bearer"


@pytest.mark.parametrize("path", ["/v2/no/such/route/in/the/spec", "/not-under-v2", "/"])
def test_unknown_path_is_404(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers=AUTH)
    assert response.status_code == 404
    assert envelope_codes(response) == ["10005"]


@pytest.mark.parametrize("path", ["/v2/addresses/no-such-address", f"/v2/billing_groups/{uuid.UUID(int=1)}"])
def test_unknown_id_is_404(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers=AUTH)
    assert response.status_code == 404
    assert envelope_codes(response) == ["10005"]


def test_rate_limit_headers_count_down(client: httpx.Client) -> None:
    first, second = (client.get("/v2/balance", headers=AUTH) for _ in range(2))
    for response in (first, second):
        assert all(response.headers[name].isdigit() for name in RATE_HEADERS), response.headers
        assert 1 <= int(response.headers["x-ratelimit-reset"]) <= 60
    limit, remaining = int(first.headers["x-ratelimit-limit"]), int(first.headers["x-ratelimit-remaining"])
    # One fewer, unless the 60 s window happened to roll over between the two requests.
    assert int(second.headers["x-ratelimit-remaining"]) in (remaining - 1, limit - 1)


# --- process behaviour -------------------------------------------------------------------------------


def test_rate_limit_gives_429_with_retry_after(shared_spec_path: Path, tmp_path: Path) -> None:
    with serving(shared_spec_path, tmp_path, "--rate-limit", "5/s") as running, httpx.Client(timeout=10.0) as http:
        statuses = []
        for _ in range(50):  # bounded: 5/s must refuse well before this many
            response = http.get(f"{running.url}/balance", headers=AUTH)
            statuses.append(response.status_code)
            if response.status_code == 429:
                break
        assert statuses[-1] == 429, statuses
        assert statuses.count(200) >= 1
        assert response.headers["retry-after"].isdigit() and int(response.headers["retry-after"]) >= 1
        assert response.headers["x-ratelimit-limit"] == "5" and response.headers["x-ratelimit-remaining"] == "0"
        assert envelope_codes(response) == ["10011"]


def test_sigterm_stops_cleanly(shared_spec_path: Path, tmp_path: Path) -> None:
    with serving(shared_spec_path, tmp_path) as running:
        assert httpx.get(f"{running.url}/balance", headers=AUTH, timeout=10.0).status_code == 200
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(STOP_TIMEOUT) == 0
        assert running.process.stderr is not None and "Traceback" not in running.process.stderr.read()


def test_busy_port_is_a_one_line_error(shared_spec_path: Path, tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process = spawn(shared_spec_path, tmp_path, "--port", str(port))
        try:
            stdout, stderr = process.communicate(timeout=START_TIMEOUT)
        finally:
            stop(process)
    assert process.returncode == 2
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "in use" in lines[0], stderr


def test_accepted_connections_have_nagle_off() -> None:
    """Head and body go out in two writes: with Nagle on, each keep-alive response would wait
    ~40 ms for the client's delayed ACK. Accepted sockets inherit TCP_NODELAY from `bind`'s."""
    from conformance.server.serve import bind

    listener = bind("127.0.0.1", 0)
    try:
        with socket.create_connection(listener.getsockname()[:2], timeout=5):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        listener.close()
