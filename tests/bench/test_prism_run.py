"""bench/prism_run.py without Node: the supervisor and relay that keep a crashing mock
answering (proven with a stand-in server that dies on one path), the crash line, the by-value
count, and the one-line errors; no npm, no Prism."""

import http.client
import sys
import textwrap
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import prism_run  # noqa: E402 - bench/ is not a package: its scripts import each other as siblings
from _common import BenchError  # noqa: E402
from harness.procs import free_port  # noqa: E402
from harness.supervise import crash_line  # noqa: E402

# A stand-in for Prism: answers 200 to everything, and dies the way Node does on GET /crash.
FRAGILE = textwrap.dedent(
    """
    import os, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if self.path == "/crash":
                print("TypeError: Cannot read properties of undefined (reading 'trim')", file=sys.stderr, flush=True)
                os._exit(1)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
    """
)


def get(port: int, path: str) -> int | str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__
    finally:
        connection.close()


def test_a_crash_drops_only_the_request_that_caused_it(tmp_path: Path) -> None:
    script = tmp_path / "fragile.py"
    script.write_text(FRAGILE, encoding="utf-8")
    port = free_port()
    supervisor = prism_run.Supervisor([sys.executable, str(script), str(port)], port, tmp_path, tmp_path)
    supervisor.start()
    relay = None
    try:
        assert supervisor.wait_up(30), supervisor.failed
        relay = prism_run.Relay(port, supervisor)
        relay.start()
        assert get(relay.port, "/addresses") == 200
        assert get(relay.port, "/crash") == "RemoteDisconnected"  # the crashing request loses its connection
        assert get(relay.port, "/addresses") == 200  # the next one waits for the restart, not refused
        assert len(supervisor.crashes) == 1 and len(supervisor.starts) == 2
        assert supervisor.crashes[0].code == 1 and supervisor.crashes[0].last_line.startswith("TypeError:")
        assert relay.connections == 3 and relay.dropped == 1
    finally:
        if relay is not None:
            relay.stop()
        supervisor.stop()
    assert get(port, "/addresses") == "ConnectionRefusedError"  # stopped for good


def test_a_mock_that_never_starts_is_reported(tmp_path: Path) -> None:
    supervisor = prism_run.Supervisor([sys.executable, "-c", "raise SystemExit(3)"], free_port(), tmp_path, tmp_path)
    supervisor.start()
    assert not supervisor.wait_up(30)
    assert supervisor.failed == "Prism exited 3 while starting"
    supervisor.stop()


def test_the_crash_line_is_nodes_error_not_its_stack(tmp_path: Path) -> None:
    err = tmp_path / "prism.err"
    err.write_text(
        "/x/node_modules/@stoplight/prism-http/dist/validator/index.js:12\n"
        'TypeError [ERR_INVALID_CHAR]: Invalid character in header content ["sl-violations"]\n'
        "    at ServerResponse.setHeader (node:_http_outgoing:651:3)\n",
        encoding="utf-8",
    )
    assert crash_line(err).startswith("TypeError [ERR_INVALID_CHAR]")
    assert crash_line(tmp_path / "absent.err") == "(no stderr)"


def test_only_response_failures_put_on_the_spec_by_their_value_count(shared_spec_path: Path) -> None:
    """A `spec` response failure whose reason is the spec's own example echoed counts; one by
    location (a finding at the keyword), a server one, and a status one do not."""

    def failure(check: str, classification: str, reason: str) -> dict:
        return {"check": check, "classification": classification, "reason": reason, "message": "m", "curl": None}

    echoed = "the value is the spec's own example at /components/schemas/X/properties/y/example, which ..."
    summary = {
        "operations": [
            {"method": "GET", "path": "/dynamic_emergency_addresses/{id}", "failures": [
                failure("response_schema_conformance", "spec", echoed),
                failure("response_schema_conformance", "server", "no spec finding"),
                failure("status_code_conformance", "spec", "the operation documents no 401")]},
            {"method": "GET", "path": "/ai/assistants/{assistant_id}/canary-deploys", "failures": [
                failure("response_schema_conformance", "spec", "the audit's oas31-legacy-keywords finding is at")]},
        ]
    }  # fmt: skip
    found = prism_run.judged_by_value(shared_spec_path, summary)
    assert [(f["operation"], f["check"]) for f in found] == [
        ("GET /dynamic_emergency_addresses/{id}", "response_schema_conformance")
    ]


def test_without_node_the_error_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BenchError, match=r"not found on PATH: Prism needs Node\.js and npm"):
        prism_run.install_prism()
    assert prism_run.main(["--operations", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("prism_run: error: node not found on PATH")


def test_bad_arguments_exit_2() -> None:
    with pytest.raises(SystemExit) as exited:
        prism_run.parse_args(["--max-examples", "0"])
    assert exited.value.code == 2
