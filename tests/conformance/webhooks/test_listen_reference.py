"""`webhooks listen` against `serve --webhook-private-key`, both as users run them (two processes on
loopback): the reference server's deliveries pass every check, a webhook fault of its catalogue
fails the check that names it, the server prints its public key and never its private key, and a
bad key file is one line, exit 2."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import httpx
import orjson

from conformance.run.embedded import first_line, stop_process
from conformance.server.sample_requests import DEFAULT_TOKEN, build_request
from conformance.server.webhooks.keys import read_private, secret_forms
from spec.index import SpecIndex
from tests.conformance.webhooks.test_listen import listening

CSR = "customer_service_record.status_changed"


def trigger(index: SpecIndex, server: str, operation_id: str, url: str) -> None:
    operation = next(op for op in index.operations if op.operation_id == operation_id)
    request = build_request(index, operation, seed=0, token=DEFAULT_TOKEN)
    body = {**orjson.loads(request.body), "webhook_url": url}
    answer = httpx.post(server + request.target, content=orjson.dumps(body), headers=request.all_headers(), timeout=10)
    assert 200 <= answer.status_code < 300, answer.text[:300]


def serving(spec: Path, private: Path, *extra: str) -> tuple[subprocess.Popen[str], str, str]:
    """`serve --port 0 --webhook-private-key FILE`: the process, its origin, its key line."""
    command = [sys.executable, "-m", "conformance.cli", "serve", "--spec", str(spec), "--port", "0"]
    command += ["--webhook-private-key", str(private), "--token", DEFAULT_TOKEN, *extra]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    assert process.stdout is not None
    ready = first_line(process.stdout, 60) or ""
    assert ready.startswith("listening on http://127.0.0.1:"), ready
    key_line = first_line(process.stdout, 10) or ""
    return process, ready.split()[-1].removesuffix("/v2"), key_line


def test_listen_takes_the_reference_servers_deliveries(index, shared_spec_path: Path, tmp_path: Path, keys) -> None:
    public, private, public_text = keys
    process, server, key_line = serving(shared_spec_path, private)
    try:
        assert key_line.strip() == f"webhook public key: {public_text}"
        with listening(public, tmp_path / "r", "--count", "4") as (url, listener):
            trigger(index, server, "SendFax", url)  # fax.queued, fax.sending.started, fax.delivered
            trigger(index, server, "CreateCustomerServiceRecord", url)
            code, lines, err = listener.finish()
    finally:
        stop_process(process)
        rest = process.stderr.read() if process.stderr else ""
    assert code == 0, [*lines, err]
    types = [line.split()[3] for line in lines if line.startswith("#")]
    assert sorted(types) == sorted(["fax.queued", "fax.sending.started", "fax.delivered", CSR])
    assert [t for t in types if t != CSR] == ["fax.queued", "fax.sending.started", "fax.delivered"]  # in order
    for secret in secret_forms(read_private(private)):
        assert secret not in key_line + rest + "".join(lines) + err


def test_listen_flags_the_webhook_stale_timestamp_fault(index, shared_spec_path: Path, tmp_path: Path, keys) -> None:
    public, private, _ = keys
    process, server, _ = serving(shared_spec_path, private, "--fault", "webhook-stale-timestamp")
    try:
        with listening(public, tmp_path / "r", "--count", "1") as (url, listener):
            trigger(index, server, "CreateCustomerServiceRecord", url)
            code, lines, _ = listener.finish()
    finally:
        stop_process(process)
    assert code == 1 and "FAIL" in lines[0] and "timestamp: " in lines[0], lines
    events = orjson.loads((tmp_path / "r" / "summary.json").read_bytes())["webhooks"]["events"]
    assert events["CustomerServiceRecordStatusChanged"]["timestamp"]["reason"].startswith("stale-timestamp: ")


def test_serve_generates_a_key_and_refuses_a_bad_key_file(shared_spec_path: Path, tmp_path: Path, cli) -> None:
    bad = tmp_path / "private.key"
    bad.write_text("c2hvcnQ=\n")  # base64, but 5 bytes
    code, out, err = cli("serve", "--spec", str(shared_spec_path), "--port", "0", "--webhook-private-key", str(bad))
    assert code == 2 and err.count("\n") == 1 and "--webhook-private-key" in err and "32-byte" in err, err
    assert "c2hvcnQ" not in out + err and "Traceback" not in err


def test_serve_without_a_key_prints_a_generated_public_key(shared_spec_path: Path) -> None:
    command = [sys.executable, "-m", "conformance.cli", "serve", "--spec", str(shared_spec_path), "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert (first_line(process.stdout, 60) or "").startswith("listening on ")
        line = first_line(process.stdout, 10) or ""
    finally:
        stop_process(process)
    prefix, _, rest = line.strip().partition(": ")
    value, _, note = rest.partition(" ")
    assert prefix == "webhook public key" and note == "(generated)"
    assert len(base64.b64decode(value, validate=True)) == 32  # as public.key files hold it
