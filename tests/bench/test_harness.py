"""bench/harness: the pieces the benchmark scripts share (no network, no npm, no benchmark run)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from harness import docs, load, measure, peers, procs  # noqa: E402 - bench/ is not a package

WRK_REPORT = """Running 10s test @ http://127.0.0.1:8080/v2/addresses
  1 threads and 8 connections
  Latency Distribution
     50%  310.00us
     99%    2.50ms
  52000 requests in 10.01s, 100.00MB read
  Socket errors: connect 1, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   5195.00
"""


def test_wrk_report_is_read_with_its_units() -> None:
    result = load.parse_wrk(WRK_REPORT)
    assert result.requests_per_s == 5195.0 and result.requests == 52000 and result.non_2xx == 7
    assert result.p50_ms == pytest.approx(0.31) and result.p99_ms == pytest.approx(2.5)
    assert result.errors == 6 and result.elapsed_s == pytest.approx(10.01)
    assert result.ok_per_s == pytest.approx((52000 - 7) / 10.01)


def test_a_wrk_report_without_a_rate_is_one_line() -> None:
    with pytest.raises(procs.BenchError, match="cannot read wrk's output: boom"):
        load.parse_wrk("boom\n")


def test_the_peak_rss_of_a_live_tree_is_read_from_proc() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        assert child.pid in measure.process_tree(os.getpid())
        assert (measure.peak_rss_kb(child.pid) or 0) > 1000
    finally:
        child.kill()
        child.wait()
    assert measure.peak_rss_kb(child.pid) is None  # gone


def test_one_command_is_timed_with_its_exit_code(tmp_path: Path) -> None:
    sample = measure.run_measured(
        [sys.executable, "-c", "raise SystemExit(1)"],
        cwd=tmp_path,
        env=dict(os.environ),
        stdout=tmp_path / "out",
        stderr=tmp_path / "err",
        timeout_s=60,
    )
    assert sample.returncode == 1 and sample.wall_s > 0 and (sample.rss_kb or 0) > 0


def test_the_telling_lines_of_a_process_output(tmp_path: Path) -> None:
    log = tmp_path / "err"
    log.write_text("starting\n\nError: no spec\n  done  \n\n", encoding="utf-8")
    assert procs.first_line(log) == "Error: no spec"
    assert procs.last_line(log) == "done"
    assert procs.tail(log, 2) == "Error: no spec | done"
    assert procs.tail(tmp_path / "absent") == "(no output)"
    assert procs.last_line(tmp_path / "absent") == procs.first_line(tmp_path / "absent") == "(no stderr)"


def test_without_node_no_peer_is_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    installed = peers.install_peers(tmp_path, {"@stoplight/prism-cli": "5.14.2"}, ["prism"])
    assert installed.bins == {} and installed.problem == "node not found on PATH"
    assert not any(tmp_path.iterdir())  # npm was never called


def test_commands_are_shown_without_install_paths() -> None:
    spec = Path("/somewhere/telnyx.yml")
    command = ["/cache/node_modules/.bin/redocly", "lint", "--config", "/cache/redocly.yaml", str(spec)]
    assert docs.shown(command, spec, "note") == "redocly lint --config redocly.yaml SPEC  # note"
    assert docs.shown(command, spec, label="SPEC.json").endswith(" SPEC.json")


def test_the_shared_section_header(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yml"
    spec.write_bytes(b"openapi: 3.1.0\n")
    machine = {"nproc": "2", "cpu": "cpu", "memory": "1 GiB RAM", "load": "0.1 / 0.1 / 0.1", "python": "3"}
    context = docs.run_facts(["--runs", "1"], machine, spec)
    assert context["command"].endswith(" --runs 1") and context["spec_size"] == 15
    lines = docs.header_lines("<!-- x:start -->", "## X", "Written by X.", context)
    assert lines[:5] == ["<!-- x:start -->", "## X", "", "Written by X.", ""]
    assert lines[5] == f"- Command: `{context['command']}`" and lines[6].startswith("- Date: ")
    assert docs.spec_text(context).endswith(f"(15 bytes, sha256 `{context['spec_sha'][:12]}`)")
    assert docs.met(True, "< 1 s") == "< 1 s: met" and docs.met(False, "< 1 s") == "< 1 s: NOT met"
