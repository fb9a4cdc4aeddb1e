"""`telnyx-conformance run` survives every hostile target of the catalogue (`hostile_servers.py`).

Each mode runs twice: hostile from the first request, and hostile only once the preflight has
passed (`@preflight`: the run itself meets it). Every run is a real child process against a
real loopback server, `GET /addresses` only, 2 examples, a 2 s timeout. For every one: the
exit code, a wall-time bound, no traceback, a valid summary.json that keeps what was gathered
(the operation is there, failed or errored, not lost), the run's peak RSS, the key nowhere,
and the redirects bounded.

Exit codes: 3 when the preflight finds the target unusable (no answer, a reset, garbage) or
when the run could test nothing (every operation rate-limited); 1 when the run reports server
failures (a timeout, a dropped connection or a bad answer on the operation); never anything
else. The whole file takes about three minutes on two cores.
"""

from pathlib import Path

import orjson
import pytest

from conformance.target.transport import MAX_REDIRECTS
from tests.conformance.run.test_run import SENTINEL
from tests.conformance.target.hostile_servers import MODES, Measured, run_measured

WALL_LIMIT = 60.0  # seconds per run
RSS_LIMIT_MB = 600.0

# mode -> (exit code hostile from the start, exit code hostile after the preflight)
EXIT = {
    "hang_headers": (3, 1),
    "hang_body": (1, 1),
    "drip": (1, 1),
    "reset": (3, 1),
    "garbage": (3, 1),
    "huge_body": (1, 1),
    "event_stream_flood": (1, 1),
    "length_over": (1, 1),
    "length_under": (1, 1),
    "invalid_utf8": (1, 1),
    "nan": (1, 1),
    "deep_nesting": (1, 1),
    "gzip_bomb": (1, 1),
    "redirect_off_host": (1, 1),
    "redirect_loop": (1, 1),
    "header_flood": (3, 1),
    "informational_flood": (3, 1),
    "rate_limited": (3, 3),
    "dies": (3, 1),
}
# mode -> the check the operation fails (or errors) under, once the run meets the hostility
CHECK = {
    "hang_headers": "request_timeout",
    "hang_body": "request_timeout",
    "drip": "request_timeout",
    "reset": "connection_error",
    "garbage": "connection_error",
    "huge_body": "response_size_limit",
    "event_stream_flood": "content_type_conformance",  # cut at the limit or at the deadline, whichever first
    "length_over": "connection_error",
    "length_under": "response_schema_conformance",
    "invalid_utf8": "response_schema_conformance",
    "nan": "response_schema_conformance",
    "deep_nesting": "response_schema_conformance",
    "gzip_bomb": "response_size_limit",
    "redirect_off_host": "status_code_conformance",
    "redirect_loop": "status_code_conformance",
    "header_flood": "connection_error",
    "informational_flood": "request_timeout",
    "rate_limited": "rate_limited",
    "dies": "connection_error",
}
# mode -> the kind conformance.target.hostility records for it (none: a bad body, judged by the checks)
KIND = {
    "hang_headers": "hang",
    "hang_body": "slow_body",
    "drip": "slow_body",
    "reset": "reset",
    "garbage": "garbage",
    "huge_body": "oversized",
    "length_over": "reset",
    "gzip_bomb": "decompression_bomb",
    "redirect_off_host": "redirect_off_host",
    "redirect_loop": "redirect_loop",
    "header_flood": "garbage",
    "informational_flood": "hang",
    "rate_limited": "rate_limited",
    "dies": "reset",
}
CASES = [
    pytest.param(mode, after, id=f"{mode}@preflight" if after else mode) for after in (False, True) for mode in EXIT
]


def test_the_catalogue_covers_every_mode() -> None:
    assert set(EXIT) == set(MODES) == set(CHECK)


@pytest.mark.parametrize(("mode", "after_preflight"), CASES)
def test_the_run_survives(
    mode: str, after_preflight: bool, shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "report"
    run = run_measured(mode, after_preflight, key=SENTINEL, spec=str(shared_spec_path), report_dir=str(report), env=env)
    output = run.stdout + run.stderr
    assert run.exit_code == EXIT[mode][after_preflight], output[-3000:]
    assert run.wall < WALL_LIMIT, f"{run.name}: {run.wall:.1f} s"
    assert "Traceback" not in output, output[-3000:]
    assert run.peak_rss_mb < RSS_LIMIT_MB, f"{run.name}: {run.peak_rss_mb:.0f} MB"
    assert_no_key(run, report)
    assert run.stats.recorded == [], "a redirect left the target's host"
    if mode == "redirect_loop":
        assert run.stats.max_hop <= MAX_REDIRECTS
        assert run.requests < 200
    if (report / "summary.json").is_file():
        assert_gathered(run, orjson.loads((report / "summary.json").read_bytes()))
    else:  # refused by the preflight: one error line (after at most one warning), nothing run
        assert run.exit_code == 3 and not after_preflight
        lines = run.stderr.strip().splitlines()
        assert lines[-1].startswith("telnyx-conformance: error: ") and len(lines) <= 2, run.stderr


def assert_gathered(run: Measured, data: dict) -> None:
    """The summary holds the operation with what the run saw of it, and the hostility met."""
    (operation,) = data["operations"]
    assert operation["operation_id"] == "FindAddresses"
    assert operation["status"] in ("failed", "errored"), operation
    assert CHECK[run.mode] in {f["check"] for f in operation["failures"]}, operation
    kind = KIND.get(run.mode)
    if kind is not None:
        assert data["hostility"].get(kind, 0) >= 1, data.get("hostility")


def assert_no_key(run: Measured, report: Path) -> None:
    assert SENTINEL not in run.stdout
    assert SENTINEL not in run.stderr
    for path in report.rglob("*") if report.is_dir() else ():
        if path.is_file():
            assert SENTINEL.encode() not in path.read_bytes(), path
