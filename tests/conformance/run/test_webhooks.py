"""`run --webhooks` end to end: real processes, the embedded (or a separately started) reference
server, the sink on loopback. With no fault the deliveries of at least five event types hold every
check and land in summary.json, JUnit and the matrix; a webhook fault fails the run (exit 1) under
its sink check; the private key never reaches any output or report; a target that cannot reach
the sink, or a bad key file, is refused in one line (exit 2)."""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import orjson
from nacl.signing import SigningKey

from conformance.reporting.results import summary_problems
from conformance.run.embedded import embedded_server
from conformance.server.webhooks.keys import secret_forms, write_pair
from tests.conformance.run.test_run import run_cli

# Four operations whose events the reference server sends: seven event types in all.
TRIGGERING = ("SendMessage", "DialCall", "SendFax", "CreateCustomerServiceRecord")
SELECTION = [arg for op in TRIGGERING for arg in ("--include-operation-id", op)]
SMALL = ["--max-examples", "2", "--seed", "1", "--webhook-grace", "6"]
SENTINEL = SigningKey(b"SENTINEL" * 4)


def run_webhooks(env: dict[str, str], spec: Path, report: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(env, "--spec", str(spec), "--webhooks", *SELECTION, *SMALL, "--report-dir", str(report), *extra)


def test_clean_embedded_run_delivers_five_event_types_without_a_failure(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "report"
    result = run_webhooks(env, shared_spec_path, report)
    output = result.stdout + result.stderr
    data = orjson.loads((report / "summary.json").read_bytes())
    hooks = data["webhooks"]
    assert summary_problems(data) == []
    assert hooks["url"].startswith("http://127.0.0.1:") and hooks["received"] >= 5, output
    assert len(hooks["event_types"]) >= 5, hooks["event_types"]
    assert hooks["totals"]["failed"] == 0 and hooks["totals"]["error"] == 0, output
    assert {"message.sent", "call.initiated", "fax.queued"} <= set(hooks["events"])
    assert all(case["verdict"] == "passed" for checks in hooks["events"].values() for case in checks.values())
    assert f"webhooks: {hooks['received']} deliveries of {len(hooks['event_types'])} event types" in result.stdout
    suites = [s.get("name") for s in ET.parse(report / "junit.xml").getroot()]
    assert "webhooks.message.sent" in suites and "webhooks.fax.delivered" in suites
    assert "## Webhooks" in (report / "matrix.md").read_text()
    assert 'id="webhooks"' in (report / "matrix.html").read_text()
    assert result.returncode == 0, output  # the run's own failure here is the spec's (the messages example)


def test_a_webhook_fault_fails_the_run_and_the_private_key_leaves_no_trace(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    public, private = write_pair(tmp_path / "keys", SENTINEL)
    report = tmp_path / "report"
    faults = ["webhook-bad-signature"]
    with embedded_server(shared_spec_path, "api-key-x", faults=faults, webhook_key=private) as url:
        args = ["--base-url", url, "--api-key", "api-key-x", "--webhook-public-key", str(public)]
        result = run_webhooks(env, shared_spec_path, report, *args)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    hooks = orjson.loads((report / "summary.json").read_bytes())["webhooks"]
    failed = {check for checks in hooks["events"].values() for check, c in checks.items() if c["verdict"] == "failed"}
    assert failed == {"signature"} and hooks["received"] >= 5, output
    assert "telnyx-signature-ed25519" in (report / "summary.json").read_text()  # the curl of a failed delivery
    for secret in secret_forms(SENTINEL):
        assert secret not in output
        for path in report.rglob("*"):
            assert not path.is_file() or secret.encode() not in path.read_bytes(), path


def test_a_target_that_cannot_reach_the_sink_is_refused(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli(env, "--spec", str(shared_spec_path), "--webhooks", "--base-url", "https://api.example.com/v2")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--webhook-public-url" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "reports").exists()


def test_a_bad_public_key_file_is_one_line_exit_2(shared_spec_path: Path, env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "public.key"
    bad.write_text("not base64 at all!\n")
    args = ["--base-url", "http://127.0.0.1:9/v2", "--webhook-public-key", str(bad)]
    result = run_cli(env, "--spec", str(shared_spec_path), "--webhooks", *args)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "--webhook-public-key" in result.stderr and "not base64" in result.stderr
    missing = run_cli(env, "--spec", str(shared_spec_path), "--webhook-public-url", "http://example.com/")
    assert missing.returncode == 2 and "go with --webhooks" in missing.stderr


def test_the_sink_port_taken_is_one_line_exit_2(shared_spec_path: Path, env: dict[str, str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        result = run_cli(env, "--spec", str(shared_spec_path), "--webhooks", "--webhook-port", port)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_only_positive_bodies_of_operations_with_a_url_field_are_pointed_at_the_sink(shared_spec_path: Path) -> None:
    from types import SimpleNamespace

    from schemathesis.generation import GenerationMode

    from conformance.run.webhooks import point, url_fields
    from spec.load import load_spec

    index = load_spec(str(shared_spec_path)).index()
    by_id = {op.operation_id: op for op in index.operations}
    assert url_fields(index, by_id["SendMessage"]) == ("webhook_url",)
    assert url_fields(index, by_id["CreateCallControlApplication"]) == ("webhook_event_url",)
    assert url_fields(index, by_id["CreateNumberOrder"]) == ()

    def case(mode: GenerationMode) -> SimpleNamespace:
        meta = SimpleNamespace(generation=SimpleNamespace(mode=mode))
        return SimpleNamespace(body={"to": "+13125550001", "webhook_url": 5}, meta=meta)

    positive, negative = case(GenerationMode.POSITIVE), case(GenerationMode.NEGATIVE)
    point(positive, by_id["SendMessage"], index, "http://127.0.0.1:1/")
    point(negative, by_id["SendMessage"], index, "http://127.0.0.1:1/")
    assert positive.body["webhook_url"] == "http://127.0.0.1:1/" and negative.body["webhook_url"] == 5
    unchanged = case(GenerationMode.POSITIVE)
    point(unchanged, by_id["SendMessage"], index, None)  # no --webhooks
    assert unchanged.body["webhook_url"] == 5


def test_shards_with_webhooks_merge_into_the_unsharded_runs_section(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """Two shards, each with its own embedded server and sink, and their merge: the same event
    types, deliveries and verdicts as the unsharded run, in summary.json, JUnit and the matrix."""
    whole = tmp_path / "whole"
    assert run_webhooks(env, shared_spec_path, whole).returncode == 0
    shards = [tmp_path / f"k{k}" for k in (1, 2)]
    for k, report in enumerate(shards, 1):
        done = run_webhooks(env, shared_spec_path, report, "--shard", f"{k}/2")
        assert done.returncode == 0, done.stdout + done.stderr
    merged = tmp_path / "merged"
    command = [sys.executable, "-m", "conformance.cli", "merge", *map(str, shards), "--report-dir", str(merged)]
    done = subprocess.run([*command, "--spec", str(shared_spec_path)], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "webhooks: " in done.stdout, done.stdout + done.stderr
    one, many = (
        orjson.loads((whole / "summary.json").read_bytes()),
        orjson.loads((merged / "summary.json").read_bytes()),
    )
    assert summary_problems(many) == []
    parts = [orjson.loads((report / "summary.json").read_bytes())["webhooks"] for report in shards]
    assert all(part["received"] for part in parts)  # both shards' operations sent some

    def verdicts(doc: dict) -> dict:
        return {
            (event, check): case["verdict"] for event, checks in doc["events"].items() for check, case in checks.items()
        }

    assert (
        verdicts(many["webhooks"]) == verdicts(one["webhooks"])
        and many["webhooks"]["received"] == one["webhooks"]["received"]
    )
    assert set(many["webhooks"]["event_types"]) == set(one["webhooks"]["event_types"])
    assert many["webhooks"]["totals"] == one["webhooks"]["totals"]
    suites = {s.get("name") for s in ET.parse(merged / "junit.xml").getroot()}
    assert {f"webhooks.{event}" for event in one["webhooks"]["event_types"]} <= suites
    assert (
        "## Webhooks" in (merged / "matrix.md").read_text() and 'id="webhooks"' in (merged / "matrix.html").read_text()
    )
