"""`webhooks listen` as a process on loopback: it prints `listening on URL` once ready, answers
200 to correct deliveries and 4xx to bad ones (one line each), writes summary.json and junit.xml
by event and check, and survives malformed HTTP, huge bodies and floods."""

import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pytest
from nacl.signing import SigningKey

from conformance.server.webhooks import payloads
from conformance.server.webhooks.catalogue import catalogue
from conformance.server.webhooks.signing import signed_headers
from conformance.webhooks.report import summary_problems

ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def listening(public: Path, report: Path, *extra: str) -> Iterator[tuple[str, "Listener"]]:
    command = [sys.executable, "-m", "conformance.cli", "webhooks", "listen", "--port", "0"]
    command += ["--public-key", str(public), "--report-dir", str(report), *extra]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    listener = Listener(process)
    try:
        line = listener.next_line(timeout=60)
        assert line.startswith("listening on http://127.0.0.1:"), line + process.stderr.read()
        yield line.split()[-1], listener
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


class Listener:
    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next_line(self, timeout: float) -> str:
        return self.lines.get(timeout=timeout)

    def finish(self, timeout: float = 30) -> tuple[int, list[str], str]:
        code = self.process.wait(timeout=timeout)
        time.sleep(0.05)
        found = []
        while not self.lines.empty():
            found.append(self.lines.get())
        return code, found, self.process.stderr.read()


def delivery(index, name: str, key: SigningKey, mutate=None, timestamp: int | None = None) -> tuple[dict, bytes]:
    event = catalogue(index).select([name])[0]
    body = payloads.fresh(index, event, payloads.document(index, event, 0), time.time())
    if mutate:
        mutate(body)
    raw = orjson.dumps(body)
    return signed_headers(key, str(int(time.time()) if timestamp is None else timestamp), raw), raw


def test_listen_accepts_correct_deliveries_and_flags_each_bad_kind(index, tmp_path: Path, keys) -> None:
    public, private, _ = keys
    from conformance.server.webhooks.keys import read_private

    key = read_private(private)
    sent = [
        ("ok", delivery(index, "callAnswered", key), 200),
        ("ok", delivery(index, "fax.queued", key), 200),
        ("ok", delivery(index, "campaignStatusUpdate", key), 200),
        ("bad signature", delivery(index, "callHangup", SigningKey(b"x" * 32)), 401),
        ("stale", delivery(index, "callBridged", key, timestamp=int(time.time()) - 400), 401),
        ("schema", delivery(index, "inboundMessage", key, lambda b: b["data"].update(occurred_at="yesterday")), 422),
        ("unknown", delivery(index, "callInitiated", key, lambda b: b["data"].update(event_type="call.nope")), 422),
    ]
    headers, raw = delivery(index, "callSpeakEnded", key)
    del headers["telnyx-timestamp"]
    sent.append(("missing header", (headers, raw), 400))
    with listening(public, tmp_path / "r", "--count", str(len(sent))) as (url, listener):
        with httpx.Client(timeout=10) as client:
            statuses = [client.post(url + "hooks", headers=h, content=body).status_code for _, (h, body), _ in sent]
        code, lines, err = listener.finish()
    assert statuses == [status for *_, status in sent]
    assert code == 1 and "Traceback" not in err
    assert len([line for line in lines if line.startswith("#")]) == len(sent)
    assert lines[0].startswith("#1 200 ok call.answered callAnswered id=")
    document = orjson.loads((tmp_path / "r" / "summary.json").read_bytes())
    assert summary_problems(document) == []
    events = document["webhooks"]["events"]
    assert all(case["verdict"] == "passed" for case in events["callAnswered"].values())
    assert events["fax.queued"]["schema"]["verdict"] == "passed"
    assert events["campaignStatusUpdate"]["event_type"]["reason"] == "held in 1 deliveries"
    assert events["callHangup"]["signature"]["verdict"] == "failed"
    assert events["callHangup"]["signature"]["reason"].startswith("bad-signature: ")
    assert events["callBridged"]["timestamp"]["reason"].startswith("stale-timestamp: ")
    assert events["inboundMessage"]["schema"]["reason"].startswith("schema-invalid: ")
    assert events["(unidentified)"]["event_type"]["reason"].startswith("unknown-event-type: ")
    assert events["callSpeakEnded"]["headers"]["reason"].startswith("missing-header: ")
    assert events["callHangup"]["signature"]["curl"].startswith("curl -X POST ")
    junit = (tmp_path / "r" / "junit.xml").read_text()
    assert junit.count("<testcase ") == 8 * len(events)
    assert len(document["webhooks"]["deliveries"]) == len(sent) and document["webhooks"]["received"] == len(sent)


def test_listen_survives_malformed_http_huge_bodies_and_floods(index, tmp_path: Path, keys) -> None:
    public, private, _ = keys
    from conformance.server.webhooks.keys import read_private

    key = read_private(private)
    with listening(public, tmp_path / "r", "--duration", "30") as (url, listener):
        host, port = url.removeprefix("http://").rstrip("/").split(":")
        for garbage in (b"\x16\x03\x01 not http\r\n\r\n", b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n"):
            with socket.create_connection((host, int(port)), timeout=5) as raw:
                raw.sendall(garbage)
                raw.recv(1024)  # answered (400) or closed, never a hang
        idle = [socket.create_connection((host, int(port)), timeout=5) for _ in range(300)]  # a flood of connections
        with httpx.Client(timeout=10) as client:
            flooded = client.post(url, headers=delivery(index, "callAnswered", key)[0], content=b"{}").status_code
            for sock in idle:
                sock.close()
            time.sleep(0.5)
            huge = client.post(url, headers={"content-type": "application/json"}, content=b"x" * (3 * 1024 * 1024))
            headers, raw_body = delivery(index, "callAnswered", key)
            after = client.post(url, headers=headers, content=raw_body)
        assert flooded == 503  # bounded: refused past the concurrency limit, not queued
        assert huge.status_code == 413
        assert after.status_code == 200  # still serving
        listener.process.terminate()  # SIGTERM: a clean stop that still writes the reports
        code, lines, err = listener.finish()
    assert code == 1 and "Traceback" not in err, err  # the huge delivery failed
    assert any(" 413 FAIL " in line for line in lines) and any(" 200 ok " in line for line in lines)
    document = orjson.loads((tmp_path / "r" / "summary.json").read_bytes())
    assert document["webhooks"]["received"] == 2


def test_listen_with_only_correct_deliveries_exits_0(index, tmp_path: Path, keys) -> None:
    public, private, _ = keys
    from conformance.server.webhooks.keys import read_private

    key = read_private(private)
    with listening(public, tmp_path / "r", "--count", "2") as (url, listener):
        with httpx.Client(timeout=10) as client:
            for name in ("deliveryUpdate", "replacedLinkClick"):
                headers, body = delivery(index, name, key)
                assert client.post(url, headers=headers, content=body).status_code == 200
            headers, body = delivery(index, "callAnswered", key)
            assert client.post(url, headers=headers, content=body).status_code == 503  # past --count
        code, lines, _ = listener.finish()
    assert code == 0 and lines[-1].startswith("all verdicts hold: 16 cases over 2 events")


@pytest.mark.parametrize("argv", [("--count", "0"), ("--duration", "-1"), ("--count", "1", "--duration", "1")])
def test_bad_listen_options_are_exit_2(cli, keys, argv: tuple[str, ...]) -> None:
    public, _, _ = keys
    code, _, err = cli("webhooks", "listen", "--public-key", str(public), *argv)
    assert code == 2 and err.count("\n") == 1
