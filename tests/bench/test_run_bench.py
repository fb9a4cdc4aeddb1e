"""bench/run_bench.py: the process-tree measurement, the request count given to `st run`, the
targets' verdicts and the markdown section; no network, no npm, no whole-spec run."""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import run_bench  # noqa: E402 - bench/ is not a package: its scripts import each other as siblings
from _common import BenchError  # noqa: E402


def test_the_peak_rss_counts_a_child_that_exited_before_the_end(tmp_path: Path) -> None:
    """A child holding ~120 MB for a second, then exiting while its parent lives on: its peak
    must be in the tree's figure even though it is gone when the parent ends."""
    child = "b = bytearray(120 * 1024 * 1024); import time; time.sleep(0.8)"
    parent = f"import subprocess, sys, time; subprocess.run([sys.executable, '-c', {child!r}]); time.sleep(0.3)"
    timed = run_bench.run_timed([sys.executable, "-c", parent], {}, tmp_path, "tree", timeout_s=60)
    assert timed.code == 0
    assert timed.rss_kb > 120 * 1024  # the child's 120 MB, plus two interpreters
    assert 1.0 < timed.wall_s < 30


def test_a_tool_past_its_timeout_is_killed_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(BenchError, match=r"ran past --timeout 0\.5 s"):
        run_bench.run_timed([sys.executable, "-c", "import time; time.sleep(60)"], {}, tmp_path, "slow", timeout_s=0.5)


TINY = {
    "openapi": "3.0.3",
    "info": {"title": "tiny", "version": "1"},
    "paths": {
        "/items": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "integer"}}],
                           "responses": {"200": {"description": "ok"}}}},
        "/items/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": True,
                                                "schema": {"type": "string"}}],
                                "responses": {"200": {"description": "ok"}}}},
    },
}  # fmt: skip


def test_the_st_hook_counts_every_request_the_server_receives(tmp_path: Path) -> None:
    """The hooks file given to `st run` counts exactly what reached the server."""
    st = run_bench.venv_tool("st")
    if st is None:
        pytest.skip("the schemathesis CLI is not installed")
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    spec = tmp_path / "tiny.json"
    spec.write_text(json.dumps(TINY), encoding="utf-8")
    hooks, counted = tmp_path / "hook.py", tmp_path / "count.txt"
    hooks.write_text(run_bench.COUNT_HOOK, encoding="utf-8")
    env = {"SCHEMATHESIS_HOOKS": str(hooks), "RUN_BENCH_COUNT_FILE": str(counted), "PATH": "/usr/bin:/bin"}
    command = [str(st), "run", str(spec), "--url", f"http://127.0.0.1:{server.server_port}", "--max-examples", "5"]
    command += ["--phases", run_bench.PHASES, "--seed", "1", "--generation-database", "none", "--no-color"]
    try:
        timed = run_bench.run_timed(command, env, tmp_path, "st", timeout_s=120)
    finally:
        server.shutdown()
    assert timed.code in (0, 1), run_bench.tail(timed.stdout, 5)
    assert len(received) > 5
    assert int(counted.read_text(encoding="utf-8")) == len(received)


def result(label: str, wall: float, requests: int, rss_mib: float) -> run_bench.Result:
    return run_bench.Result(label, f"{label} --flag", wall, requests, int(rss_mib * 1024), "tree")


def test_the_targets_are_judged_met_or_not() -> None:
    figures = {
        what: verdict
        for what, _, verdict in run_bench.ratios(
            result("ours", 200, 9000, 500), result("st", 180, 9500, 300), subset=False
        )
    }
    assert figures["wall time, telnyx-conformance run"].endswith(": met")
    assert figures["wall time, ours / bare st"] == "≤ 1.2x: met"  # 1.11x
    assert figures["peak RSS, run + embedded server"].endswith(": met")
    slow = {w: v for w, _, v in run_bench.ratios(result("ours", 320, 1, 700), result("st", 200, 1, 300), subset=False)}
    assert slow["wall time, telnyx-conformance run"].endswith("NOT met")
    assert slow["wall time, ours / bare st"].endswith("NOT met")  # 1.6x
    assert slow["peak RSS, run + embedded server"].endswith("NOT met")


def test_a_subset_is_not_judged_against_the_whole_spec_targets() -> None:
    figures = {w: v for w, _, v in run_bench.ratios(result("ours", 12, 90, 400), result("st", 4, 97, 280), subset=True)}
    assert "subset" in figures["wall time, telnyx-conformance run"]


def test_a_failed_tool_gives_no_ratio() -> None:
    st = result("st", 100, 1, 300)
    st.failure = "exit 2: usage"
    assert not [w for w, _, _ in run_bench.ratios(result("ours", 100, 1, 400), st, subset=False) if "/ bare st" in w]


def test_the_section_replaces_only_its_own_markers(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n<!-- audit-bench:start -->\nkept\n<!-- audit-bench:end -->\n", encoding="utf-8")
    rows = [result("ours", 200, 9000, 500), result("st", 180, 9500, 300)]
    context = {
        "command": ".venv/bin/python bench/run_bench.py",
        "date": "2026-01-01 00:00 UTC",
        "machine": {"nproc": "2", "cpu": "cpu", "memory": "1 GiB RAM", "load": "0.1 / 0.1 / 0.1", "python": "3"},
        "load_end": "0.1 / 0.1 / 0.1",
        "spec": "SPEC",
        "spec_size": 10,
        "spec_sha": "a" * 64,
        "scope": "every operation",
        "max_examples": 25,
        "seed": 1,
        "versions": "x 1",
        "ratios": run_bench.ratios(rows[0], rows[1], subset=False),
        "notes": ["shared"],
    }
    for _ in range(2):  # written twice: replaced, not appended
        run_bench.update_markdown(
            doc, run_bench.markdown_section(rows, context), run_bench.MARK_START, run_bench.MARK_END
        )
    text = doc.read_text(encoding="utf-8")
    assert "kept" in text and text.count(run_bench.MARK_START) == 1
    assert "`.venv/bin/python bench/run_bench.py`" in text and "| ours | 200.0 s | 9,000 | 45 |" in text
    assert "after_call" in text  # how requests were counted


def test_bad_arguments_and_a_missing_spec_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run_bench.parse_args(["--max-examples", "0"])
    assert exited.value.code == 2
    assert run_bench.main(["--spec", str(tmp_path / "missing.yml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("run_bench: error: spec not found:") and "Traceback" not in "".join(err)
