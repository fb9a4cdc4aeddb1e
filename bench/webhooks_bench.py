"""Benchmark the signed-webhook contract: `webhooks send` of every event and variant against a
minimal loopback consumer, and the sink's verify+validate throughput on one core next to a bare
PyNaCl verify loop (the floor: the signature check alone), plus the sink over HTTP.

Usage: python bench/webhooks_bench.py [--spec PATH] [--deliveries N] [--seconds S] [--output-md PATH]
       [--no-markdown]

Everything runs on 127.0.0.1 and is bounded (each child has a deadline). Prints the figures and
rewrites the webhooks section of docs/benchmarks.md (between its markers only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from _common import DEFAULT_MD, REPO_ROOT, BenchError, display_path, resolve_spec
from harness.docs import command_line, machine_info, machine_line, section_tail, update_markdown

MARK_START, MARK_END = "<!-- webhooks-bench -->", "<!-- /webhooks-bench -->"
TARGET_SEND_S = 30.0
TARGET_SINK_PER_S = 2000.0
CHILD_DEADLINE_S = 120.0

# The minimal consumer: reads each request on a keep-alive connection and answers 200 at once.
CONSUMER = r"""
import asyncio, sys
async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()
asyncio.run(main())
"""


@dataclass(frozen=True)
class Row:
    label: str
    display: str


def progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr)


@contextmanager
def child(command: list[str], **kwargs):
    """A child process and the first line it prints; the rest of its output is drained (a sink
    prints a line per delivery: a full pipe would stall it)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, **kwargs)
    try:
        first = process.stdout.readline()
        threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
        yield first
    finally:
        process.kill()
        process.wait(timeout=10)


def time_send(spec: Path, work: Path) -> dict:
    """The whole send matrix (every event x every variant) through the CLI, wall clock."""
    from conformance.server.webhooks.keys import new_key, write_pair

    write_pair(work / "keys", new_key(), force=True)
    with child([sys.executable, "-c", CONSUMER]) as first:
        port = int(first)
        command = [sys.executable, "-m", "conformance.cli", "webhooks", "send", "--spec", str(spec)]
        command += ["--url", f"http://127.0.0.1:{port}/hooks", "--private-key", str(work / "keys" / "private.key")]
        command += ["--max-examples", "1", "--report-dir", str(work / "send")]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=CHILD_DEADLINE_S)
        wall = time.perf_counter() - started
    import orjson

    summary = orjson.loads((work / "send" / "summary.json").read_bytes())["webhooks"]
    if done.returncode not in (0, 1):
        raise BenchError(f"webhooks send exited {done.returncode}: {done.stderr.strip()[-300:]}")
    elapsed = [c["elapsed"] for cases in summary["events"].values() for c in cases.values() if c["elapsed"]]
    return {"wall": wall, "cases": summary["totals"]["cases"], "events": len(summary["events"]), "answer": elapsed}


def deliveries(index, count: int):
    """`count` correctly signed deliveries spread over all 64 events, each with its own id."""
    from nacl.signing import SigningKey

    from conformance.server.webhooks import payloads
    from conformance.server.webhooks.catalogue import catalogue
    from conformance.server.webhooks.signing import signed_headers
    from conformance.webhooks.checks import Received

    key = SigningKey.generate()
    events = catalogue(index).events
    now = time.time()
    found = []
    for n in range(count):
        event = events[n % len(events)]
        body = payloads.fresh(index, event, payloads.document(index, event, (n // len(events)) % 3), now)
        raw = payloads.compact(body)
        found.append(Received(signed_headers(key, str(int(now)), raw), raw, now))
    return key, found


def one_core() -> str:
    """Pin this process to one CPU (the sink's figure is per core); the CPU's number."""
    if not hasattr(os, "sched_setaffinity"):
        return "unpinned"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def rate(function, items: list, seconds: float) -> float:
    """Items per second of `function` over `items`, repeated for at least `seconds`."""
    done, started = 0, time.perf_counter()
    while True:
        function(items)
        done += len(items)
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return done / elapsed


def time_sink(index, count: int, seconds: float) -> dict:
    from conformance.server.webhooks.catalogue import catalogue
    from conformance.server.webhooks.signing import message
    from conformance.webhooks.checks import Seen, SinkContext, inspect

    key, received = deliveries(index, count)
    context = SinkContext(index, catalogue(index), key.verify_key)
    pinned = one_core()
    assert all(inspect(r, context, Seen()).ok for r in received), "a benchmark delivery does not pass the sink"
    import base64

    signed = [
        (message(r.headers["telnyx-timestamp"], r.body), base64.b64decode(r.headers["telnyx-signature-ed25519"]))
        for r in received
    ]
    verify = key.verify_key.verify

    def sink(items: list) -> None:
        seen = Seen()
        for item in items:
            inspect(item, context, seen)

    def floor(items: list) -> None:
        for signed_message, signature in items:
            verify(signed_message, signature)

    return {
        "sink": rate(sink, received, seconds),
        "floor": rate(floor, signed, seconds),
        "pinned": pinned,
        "mean_body": sum(len(r.body) for r in received) / len(received),
        "count": count,
    }


def time_sink_http(spec: Path, index, work: Path, seconds: float) -> float:
    """Deliveries per second through `webhooks listen` (a child process), from one keep-alive
    client (http.client: the lightest client there is, so the figure is the sink's)."""
    import base64
    import http.client

    key, received = deliveries(index, 640)
    public = work / "sink-public.key"
    public.write_text(base64.b64encode(bytes(key.verify_key)).decode())
    command = [sys.executable, "-m", "conformance.cli", "webhooks", "listen", "--spec", str(spec), "--port", "0"]
    command += ["--public-key", str(public), "--duration", str(seconds + 30), "--report-dir", str(work / "listen")]
    with child(command, cwd=REPO_ROOT) as first:
        host, port = first.split()[-1].removeprefix("http://").rstrip("/").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            item = received[done % len(received)]
            connection.request("POST", "/", body=item.body, headers=dict(item.headers))
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise BenchError(f"the sink answered {response.status} to a correct delivery")
            done += 1
        connection.close()
        return done / (time.perf_counter() - started)


def markdown_section(figures: dict, context: dict) -> str:
    send, sink = figures["send"], figures["sink"]
    answers = sorted(send["answer"])
    p50 = answers[len(answers) // 2] * 1000 if answers else 0.0
    lines = [
        MARK_START,
        "## Signed webhooks: the send matrix and the sink",
        "",
        "Written by `bench/webhooks_bench.py` (`tox -e bench-webhooks`); do not edit by hand between the markers.",
        "",
        f"- Command: `{context['command']}`",
        f"- Date: {context['date']}",
        f"- Machine: {machine_line(context['machine'])}",
        f"- Spec: `{context['spec']}`",
        f"- Versions: python {context['machine']['python']}, PyNaCl {context['nacl']}, "
        f"jsonschema-rs {context['jsonschema_rs']}",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| `webhooks send`, {send['events']} events x 13 variants = {send['cases']} deliveries, whole command "
        f"| {send['wall']:.2f} s |",
        f"| one delivery's answer, median (minimal consumer, keep-alive) | {p50:.2f} ms |",
        f"| sink `inspect` (verify + parse + identify + validate + id), one core | {sink['sink']:,.0f} deliveries/s |",
        f"| bare PyNaCl `VerifyKey.verify` loop (the floor), one core | {sink['floor']:,.0f} verifies/s |",
        "| `webhooks listen` over HTTP (its own process), one keep-alive http.client client "
        f"| {figures['http']:,.0f} deliveries/s |",
    ]
    ratios = [
        (
            "send matrix, whole command",
            f"{send['wall']:.2f} s",
            _verdict(send["wall"] < TARGET_SEND_S, f"< {TARGET_SEND_S:g} s"),
        ),
        (
            "sink verify+validate",
            f"{sink['sink']:,.0f}/s",
            _verdict(sink["sink"] >= TARGET_SINK_PER_S, f"≥ {TARGET_SINK_PER_S:,.0f}/s"),
        ),
        ("sink / bare verify", f"{sink['sink'] / sink['floor']:.2f}x", "reported"),
    ]
    rows = [
        Row(
            "send matrix",
            "telnyx-conformance webhooks send --url http://127.0.0.1:PORT/hooks --private-key private.key "
            "--max-examples 1  # PORT: a consumer answering 200 at once",
        ),
        Row(
            "sink",
            f"conformance.webhooks.checks.inspect over {sink['count']} signed deliveries of all 64 events "
            f"(mean body {sink['mean_body']:,.0f} bytes), {sink['pinned']}",
        ),
        Row(
            "sink over HTTP",
            "telnyx-conformance webhooks listen --port 0 --public-key public.key, deliveries POSTed one at a time",
        ),
    ]
    notes = [
        "`standardwebhooks` (PyPI, 1.3.0) is not measured: it does not fit Telnyx's scheme. It verifies an "
        "HMAC-SHA256 shared secret (`v1,` signatures) over `{webhook-id}.{webhook-timestamp}.{body}` and requires "
        "the `webhook-id` header; Telnyx signs `{timestamp}|{body}` with Ed25519, verified with a public key, and "
        "sends no id header (the spec only notes the headers map to Standard Webhooks' names).",
    ]
    lines += section_tail(rows, ratios, notes, MARK_END)
    return "\n".join(lines) + "\n"


def _verdict(met: bool, target: str) -> str:
    return f"{target}: {'met' if met else 'NOT met'}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", help="spec file (default: $TELNYX_SPEC, then ../shared/spec/telnyx.yml)")
    parser.add_argument(
        "--deliveries", type=int, default=640, help="distinct deliveries in the sink loop (default: 640)"
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per throughput figure (default: 3)")
    parser.add_argument("--output-md", type=Path, default=DEFAULT_MD, help="the benchmarks page to update")
    parser.add_argument("--no-markdown", action="store_true", help="print only, leave docs/benchmarks.md alone")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        spec = resolve_spec(args.spec)
        from spec.load import load_spec

        index = load_spec(str(spec)).index()
        machine = machine_info()
        with tempfile.TemporaryDirectory(prefix="webhooks-bench-") as folder:
            work = Path(folder)
            progress("send matrix ...")
            send = time_send(spec, work)
            progress("sink over HTTP ...")
            http = time_sink_http(spec, index, work, args.seconds)
            progress("sink on one core ...")
            sink = time_sink(index, args.deliveries, args.seconds)
    except (BenchError, subprocess.TimeoutExpired, OSError) as exc:
        print(f"webhooks_bench: error: {exc}", file=sys.stderr)
        return 1
    figures = {"send": send, "sink": sink, "http": http}
    from importlib import metadata

    import nacl

    context = {
        "command": command_line(sys.argv if argv is None else [sys.argv[0], *argv]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "spec": display_path(spec),
        "nacl": nacl.__version__,
        "jsonschema_rs": metadata.version("jsonschema-rs"),
    }
    section = markdown_section(figures, context)
    print(section)
    if not args.no_markdown:
        update_markdown(args.output_md, section, MARK_START, MARK_END)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO_ROOT))
    sys.exit(main())
