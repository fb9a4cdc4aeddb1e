"""`telnyx-conformance run` end to end: real processes, a real (embedded) reference server,
schemathesis generating requests. Each run is limited to one or two operations and a few
examples so the file stays well under a minute.

A fault injected into the server must show up in summary.json under the check the fault
catalogue says catches it; the API key must not leak into anything the run writes.
"""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from conformance.run.embedded import embedded_server

SENTINEL = "sentinel-key-0f9c2b7e41d3"
RUN_TIMEOUT = 120
SMALL = ["--max-examples", "3", "--seed", "1"]


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "conformance.cli", "run", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT, check=False)


def summary(report_dir: Path) -> dict[str, Any]:
    return orjson.loads((report_dir / "summary.json").read_bytes())


def failing_checks(data: dict[str, Any]) -> set[str]:
    return {f["check"] for op in data["operations"] for f in op["failures"]}


def assert_no_key(key: str, result: subprocess.CompletedProcess[str], report_dir: Path) -> None:
    assert key not in result.stdout
    assert key not in result.stderr
    for path in report_dir.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path


@pytest.fixture
def faulty_server(request: pytest.FixtureRequest, shared_spec_path: Path, env: dict[str, str]) -> Iterator[str]:
    with embedded_server(shared_spec_path, SENTINEL, faults=[request.param]) as url:
        yield url


def test_clean_embedded_run_passes(shared_spec_path: Path, env: dict[str, str], tmp_path: Path) -> None:
    report = tmp_path / "report"
    ids = ["--include-operation-id", "FindAddresses", "--include-operation-id", "GetUserBalance"]
    result = run_cli(env, "--spec", str(shared_spec_path), *ids, *SMALL, "--report-dir", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "seed: 1" in result.stdout
    data = summary(report)
    assert set(data) == {"target", "spec", "seed", "operations", "totals"}
    assert data["target"]["base_url"].startswith("http://127.0.0.1:")
    assert len(data["spec"]["sha256"]) == 64 and data["seed"] == 1
    assert {op["operation_id"] for op in data["operations"]} == {"FindAddresses", "GetUserBalance"}
    for op in data["operations"]:
        assert set(op) == {"operation_id", "method", "path", "status", "failures"}
        assert op["status"] == "passed" and op["method"] == "GET"
    totals = data["totals"]
    assert totals["operations"] == 2 and totals["passed"] == 2 and totals["requests"] > 2
    assert totals["by_classification"].get("server", 0) == 0
    assert (report / "junit.xml").is_file()


FAULT_CASES = [
    ("required-property-dropped:ListConferences", "ListConferences", "response_schema_conformance"),
    ("wrong-property-type:ListConferences", "ListConferences", "response_schema_conformance"),
    ("null-in-non-nullable:ListConferences", "ListConferences", "response_schema_conformance"),
    ("invalid-json-body:FindAddresses", "FindAddresses", "response_schema_conformance"),
    ("undocumented-status:FindAddresses", "FindAddresses", "status_code_conformance"),
    ("wrong-content-type:FindAddresses", "FindAddresses", "content_type_conformance"),
    ("missing-content-type:FindAddresses", "FindAddresses", "response_schema_conformance"),
    ("malformed-error-envelope", "FindAddresses", "telnyx_error_envelope"),
    ("missing-rate-limit-headers", "GetUserBalance", "telnyx_rate_limit_headers"),
    ("inconsistent-rate-limit-headers", "GetUserBalance", "telnyx_rate_limit_headers"),
    ("auth-not-enforced:FindAddresses", "FindAddresses", "ignored_auth"),
    ("invalid-input-accepted:FindAddresses", "FindAddresses", "negative_data_rejection"),
    ("valid-input-rejected:FindAddresses", "FindAddresses", "positive_data_acceptance"),
    ("server-error-on-edge-input:FindAddresses", "FindAddresses", "not_a_server_error"),
    ("oversized-body:FindAddresses", "FindAddresses", "response_size_limit"),
    # the value conventions: bodies that stay schema-valid, caught by their value check only
    ("non-rfc3339-timestamp:FindAddresses", "FindAddresses", "telnyx_timestamp_format"),
    ("invalid-country-code:FindAddresses", "FindAddresses", "telnyx_country_code"),
    ("invalid-currency-code:GetUserBalance", "GetUserBalance", "telnyx_currency_code"),
    ("e164-wrong-country:FindAddresses", "FindAddresses", "telnyx_phone_number"),
    ("record-type-malformed:FindAddresses", "FindAddresses", "telnyx_record_type"),
    ("connection-reset:FindAddresses", "FindAddresses", "connection_error"),
    # not FindAddresses: preflight probes GET /addresses, and a target that hangs there is unusable (exit 3)
    ("hang:GetUserBalance", "GetUserBalance", "request_timeout"),
]


VALUE_CHECKS = {
    "telnyx_timestamp_format",
    "telnyx_country_code",
    "telnyx_currency_code",
    "telnyx_phone_number",
    "telnyx_record_type",
}


def test_each_tested_fault_names_the_check_that_caught_it() -> None:
    """The pairs above must agree with the catalogue: its `caught_by` is what users read."""
    from conformance.server.faults import BY_NAME

    for fault, _, check in FAULT_CASES:
        assert BY_NAME[fault.split(":")[0]].caught_by == check, fault


@pytest.mark.parametrize(
    ("faulty_server", "operation_id", "check"),
    FAULT_CASES,
    indirect=["faulty_server"],
)
def test_fault_is_caught_by_its_check(
    faulty_server: str, operation_id: str, check: str, shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "report"
    transport = check in ("request_timeout", "connection_error")  # no response to judge: errored
    args = ["--base-url", faulty_server, "--api-key", SENTINEL, "--spec", str(shared_spec_path)]
    args += ["--timeout", "1"] if transport else []
    result = run_cli(env, *args, "--include-operation-id", operation_id, *SMALL, "--report-dir", str(report))
    assert result.returncode == 1, result.stdout + result.stderr
    data = summary(report)
    assert check in failing_checks(data)
    (op,) = data["operations"]
    assert op["status"] == ("errored" if transport else "failed")
    failure = next(f for f in op["failures"] if f["check"] == check)
    assert failure["classification"] == "server"
    if check in VALUE_CHECKS:  # the body stays schema-valid: only the value check sees the fault
        assert failing_checks(data) == {check}
    if not transport:
        assert failure["curl"].startswith("curl -X GET ")  # the shrunk case may be an unauthenticated one
    assert data["totals"]["by_classification"]["server"] >= 1
    assert_no_key(SENTINEL, result, report)


def test_sentinel_key_leaves_no_trace(shared_spec_path: Path, env: dict[str, str], tmp_path: Path) -> None:
    """Against the embedded server (which accepts the key), on a failing operation, so the
    report holds curl reproductions and schemathesis prints its failure reports."""
    report = tmp_path / "report"
    args = ["--api-key", SENTINEL, "--spec", str(shared_spec_path), "--include-operation-id", "CreateAddress"]
    result = run_cli(env, *args, *SMALL, "--report-dir", str(report), "--fail-on", "any")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert summary(report)["totals"]["requests"] > 0
    assert_no_key(SENTINEL, result, report)


def test_read_only_skips_writes_with_the_refusal(shared_spec_path: Path, env: dict[str, str], tmp_path: Path) -> None:
    report = tmp_path / "report"
    ids = ["--include-operation-id", "CreateAddress", "--include-operation-id", "GetUserBalance"]
    result = run_cli(env, "--spec", str(shared_spec_path), *ids, *SMALL, "--read-only", "--report-dir", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    ops = {op["operation_id"]: op for op in summary(report)["operations"]}
    assert ops["CreateAddress"]["status"] == "skipped"
    assert "--read-only" in ops["CreateAddress"]["reason"]
    assert ops["GetUserBalance"]["status"] == "passed"


def test_unreachable_target_is_one_line_exit_3(shared_spec_path: Path, env: dict[str, str], tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        args = ["--base-url", f"http://127.0.0.1:{port}/v2", "--api-key", SENTINEL, "--spec", str(shared_spec_path)]
        result = run_cli(env, *args, "--include-operation-id", "GetUserBalance", "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 3, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("telnyx-conformance: error:")
    assert "Traceback" not in result.stdout + result.stderr
    assert SENTINEL not in result.stdout + result.stderr


def test_unknown_operation_id_is_a_usage_error(shared_spec_path: Path, env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(env, "--spec", str(shared_spec_path), "--include-operation-id", "NoSuchOperation")
    assert result.returncode == 2
    assert "NoSuchOperation" in result.stderr and "Traceback" not in result.stderr
