"""`telnyx-conformance run --client`: DataFire's Swagger 2.0 client (2020) driven against the
embedded reference server, which serves the pinned spec (OpenAPI 3.1). Real processes, real
requests, a few operations and examples each, so every run takes seconds.

The operations were picked from `drift`'s verdicts on the two files: `getUserBalance` is
compatible; `SimCardsGet` reads `data[].status` as a string where the pinned spec returns an
object (response-property-type-changed); `listCallEvents` sends `filter[status]=delivered`,
which the pinned spec's enum no longer has (parameter-enum-narrowed); `retrieveVerifyProfile`'s
path has only GET for the client, while today's has PATCH and DELETE too; `retrieveRecording`'s
`{id}` is today's `{recording_id}`; two operations are gone.
"""

import re
from pathlib import Path
from typing import Any

import pytest

from conformance.run.embedded import embedded_server
from tests.conformance.run.test_run import SENTINEL, assert_no_key, run_cli, summary

CLIENT = Path(__file__).resolve().parents[3].parent / "shared" / "clients" / "datafire-telnyx" / "openapi.json"
SMALL = ["--max-examples", "3", "--seed", "1"]
GONE = ("MobileOperatorNetworksGet", "CreateBulkTelephonyCredential")


@pytest.fixture
def client() -> Path:
    if not CLIENT.is_file():
        pytest.skip(f"DataFire's client is not at {CLIENT}")
    return CLIENT


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operation_id"]: op for op in data["operations"]}


def test_client_run_reports_gone_passes_compatible_and_finds_drift(
    client: Path, shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "report"
    ids = ("getUserBalance", "SimCardsGet", "listCallEvents", "retrieveVerifyProfile", "retrieveRecording", *GONE)
    selection = [arg for name in ids for arg in ("--include-operation-id", name)]
    args = ["--spec", str(shared_spec_path), "--client", str(client), "--api-key", SENTINEL, *selection, *SMALL]
    result = run_cli(env, *args, "--report-dir", str(report))
    assert result.returncode == 0, result.stdout + result.stderr  # --fail-on server: drift alone passes
    data = summary(report)
    assert data["client"] == {
        "spec": "openapi.json",
        "sha256": data["client"]["sha256"],
        "operations": {"gone": 30, "breaking": 85, "compatible": 123},
    }
    ops = by_id(data)
    assert set(ops) == set(ids)
    for name in GONE:
        assert ops[name]["status"] == "skipped" and ops[name]["reason"].startswith("gone: the pinned spec has no ")
    assert ops["MobileOperatorNetworksGet"]["path"] == "/mobile_operator_networks"
    assert ops["getUserBalance"] == {
        "operation_id": "getUserBalance",
        "method": "GET",
        "path": "/balance",
        "status": "passed",
        "failures": [],
    }
    (schema,) = [f for f in ops["SimCardsGet"]["failures"] if f["check"] == "response_schema_conformance"][:1]
    assert schema["classification"] == "drift"
    assert "the pinned spec's GET /sim_cards (telnyx.yml:" in schema["reason"]  # both operations, located
    assert (
        "accepts this answer" in schema["reason"] and "SimCardsGet (GET /sim_cards, openapi.json:" in schema["reason"]
    )
    assert "/definitions/SimpleSIMCard" in schema["message"]  # judged by the client's schema
    refused = [f for f in ops["listCallEvents"]["failures"] if f["check"] == "positive_data_acceptance"]
    assert refused and refused[0]["classification"] == "drift"
    assert (
        "'filter[status]'" in refused[0]["reason"]
        and "invalid by the pinned spec's GET /call_events" in refused[0]["reason"]
    )
    methods = [f for f in ops["retrieveVerifyProfile"]["failures"] if f["check"] == "unsupported_method"]
    assert methods and methods[0]["classification"] == "drift" and "added since" in methods[0]["reason"]
    allow = [f for f in ops["retrieveRecording"]["failures"] if f["check"] == "allow_header_conformance"]
    assert allow and allow[0]["classification"] == "drift"  # today's DELETE /recordings/{recording_id}
    assert "server" not in data["totals"]["by_classification"]
    assert "client drift: 4 operations of the client would break" in result.stdout
    assert "2 gone from the spec (not sent)" in result.stdout
    assert "[drift]" in (report / "junit.xml").read_text()
    matrix = (report / "matrix.md").read_text()
    assert "drift" in matrix
    assert re.search(r"`retrieveRecording` GET /recordings/\{id\} \(line [1-9]", matrix)  # the pinned line
    assert_no_key(SENTINEL, result, report)
    _fail_on_drift_exits_1(data)


def _fail_on_drift_exits_1(data: dict[str, Any]) -> None:
    """`--fail-on drift` (and `any`) turn the same results into exit 1; `server` does not."""
    from conformance.run.verdict import verdict
    from conformance.target import Target

    target = Target(base_url="http://127.0.0.1:1/v2", api_key=SENTINEL)
    assert verdict(data, "drift", target) == 1
    assert verdict(data, "any", target) == 1
    assert verdict(data, "server", target) == 0


@pytest.fixture
def faulty_server(request: pytest.FixtureRequest, shared_spec_path: Path, env: dict[str, str]) -> Any:
    with embedded_server(shared_spec_path, SENTINEL, faults=[request.param]) as url:
        yield url


@pytest.mark.parametrize(
    ("faulty_server", "check", "why"),
    [
        ("wrong-property-type:GetUserBalance", "response_schema_conformance", "rejects this answer too"),
        ("valid-input-rejected:GetUserBalance", "positive_data_acceptance", "no evidence"),
    ],
    indirect=["faulty_server"],
)
def test_a_server_violating_both_specs_stays_server(
    faulty_server: str, check: str, why: str, client: Path, shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "report"
    args = ["--base-url", faulty_server, "--api-key", SENTINEL, "--spec", str(shared_spec_path)]
    args += ["--client", str(client), "--include-operation-id", "getUserBalance", *SMALL]
    result = run_cli(env, *args, "--report-dir", str(report))
    assert result.returncode == 1, result.stdout + result.stderr
    (op,) = summary(report)["operations"]
    failure = next(f for f in op["failures"] if f["check"] == check)
    assert failure["classification"] == "server" and why in failure["reason"]
    assert "drift" not in summary(report)["totals"]["by_classification"]


@pytest.mark.parametrize(
    "content",
    ["paths: [unclosed\n", '{"info": {"title": "not an API"}, "paths": {}}', "swagger: '2.0'\npaths: 7\n", None],
)
def test_a_malformed_client_spec_is_one_line_exit_2(
    content: str | None, shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "client.yaml"
    if content is not None:  # None: no such file
        bad.write_text(content)
    result = run_cli(env, "--spec", str(shared_spec_path), "--client", str(bad), "--report-dir", str(tmp_path / "r"))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("telnyx-conformance: error: --client"), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "r" / "summary.json").exists()  # refused before any server started


def test_the_write_policy_holds_for_the_clients_writes(
    client: Path, shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """A client's POST is refused under --read-only like any write: skipped with the refusal, never sent."""
    report = tmp_path / "report"
    args = ["--spec", str(shared_spec_path), "--client", str(client), "--read-only", *SMALL]
    ids = ["--include-operation-id", "CreateAddress", "--include-operation-id", "getUserBalance"]
    result = run_cli(env, *args, *ids, "--report-dir", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    ops = by_id(summary(report))
    assert ops["CreateAddress"]["status"] == "skipped" and "--read-only" in ops["CreateAddress"]["reason"]
    assert ops["getUserBalance"]["status"] == "passed"


def test_the_pinned_spec_as_its_own_client_has_no_drift(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """An OpenAPI 3.1 client (the pinned spec itself: its servers' /v2 base path) matches every
    operation, is sent where the ordinary run sends it, and the server conforming to the spec
    cannot drift from it."""
    report = tmp_path / "report"
    args = ["--spec", str(shared_spec_path), "--client", str(shared_spec_path), *SMALL]
    ids = ["--include-operation-id", "GetUserBalance", "--include-operation-id", "FindAddresses"]
    result = run_cli(env, *args, *ids, "--report-dir", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    data = summary(report)
    assert data["client"]["operations"] == {"gone": 0, "breaking": 0, "compatible": 822}
    ops = by_id(data)
    assert {(op["method"], op["path"], op["status"]) for op in ops.values()} == {
        ("GET", "/balance", "passed"),
        ("GET", "/addresses", "passed"),
    }
    assert data["totals"]["by_classification"] == {}
    assert "client drift: 0 operations of the client would break, 0 gone" in result.stdout


def test_a_sharded_client_run_merges_into_the_whole(
    client: Path, shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """Two shards of one client run merge into its report: the gone operation, the client's
    counts and the drift failure all survive (the shards' parts carry them)."""
    import subprocess
    import sys

    ids = ["--include-operation-id", "SimCardsGet", "--include-operation-id", "getUserBalance"]
    ids += ["--include-operation-id", "MobileOperatorNetworksGet"]
    for k in (1, 2):
        args = ["--spec", str(shared_spec_path), "--client", str(client), *ids, *SMALL, "--shard", f"{k}/2"]
        result = run_cli(env, *args, "--report-dir", str(tmp_path / f"s{k}"))
        assert result.returncode == 0, result.stdout + result.stderr
    merge = [sys.executable, "-m", "conformance.cli", "merge", str(tmp_path / "s1"), str(tmp_path / "s2")]
    merge += ["--spec", str(shared_spec_path), "--report-dir", str(tmp_path / "all"), "--fail-on", "drift"]
    result = subprocess.run(merge, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 1, result.stdout + result.stderr  # --fail-on drift
    data = summary(tmp_path / "all")
    assert data["client"]["operations"] == {"gone": 30, "breaking": 85, "compatible": 123}
    ops = by_id(data)
    assert ops["MobileOperatorNetworksGet"]["status"] == "skipped"
    assert ops["getUserBalance"]["status"] == "passed"
    assert {f["classification"] for f in ops["SimCardsGet"]["failures"]} == {"drift"}
