"""--workers: each xdist worker's share merged into one result, as if one process had run it."""

from pathlib import Path

from conformance.reporting.results import FailureRecord, OperationResult, Results
from conformance.run.session import per_worker_rate
from conformance.run.workers import PARTS, merge_parts, part_path, write_part
from conformance.target import Target
from tests.conformance.run.test_run import SENTINEL, SMALL, run_cli, summary

TARGET = Target(base_url="http://127.0.0.1:1/v2", api_key=SENTINEL)


def _results(*labels: str) -> Results:
    results = Results(target=TARGET, spec_sha256="0" * 64, seed=1)
    for label in labels:
        method, path = label.split(" ", 1)
        results.operations[label] = OperationResult(label.replace(" ", ""), method, path)
    return results


def test_parts_merge_by_who_ran_each_operation(tmp_path: Path) -> None:
    one, two = _results("GET /a", "GET /b", "POST /c"), _results("GET /a", "GET /b", "POST /c")
    one.ran.add("GET /a")
    one.operations["GET /a"].status = "failed"
    one.operations["GET /a"].failures.append(FailureRecord("status_code_conformance", "server", "x", "curl"))
    one.operations["GET /a"].observed_statuses[500] += 2
    # worker two ran /b and /c, and a pagination test there found /a's list broken too
    two.ran.update({"GET /b", "POST /c"})
    two.operations["POST /c"].status, two.operations["POST /c"].reason = "skipped", "POST not sent: --read-only"
    two.operations["GET /a"].failures.append(FailureRecord("telnyx_page_totals", "server", "y", None))
    two.operations["GET /a"].observed_statuses[500] += 1
    one.requests, two.requests = 10, 5
    write_part(one, part_path(tmp_path, "gw0"))
    write_part(two, part_path(tmp_path, "gw1"))

    merged = _results()
    assert merge_parts(merged, tmp_path) == 2
    assert not (tmp_path / PARTS).exists()  # the parts are gone once merged
    ops = merged.operations
    assert ops["GET /a"].status == "failed" and ops["GET /a"].observed_statuses[500] == 3
    assert {f.check for f in ops["GET /a"].failures} == {"status_code_conformance", "telnyx_page_totals"}
    assert ops["GET /b"].status == "passed" and not ops["GET /b"].failures
    assert (ops["POST /c"].status, ops["POST /c"].reason) == ("skipped", "POST not sent: --read-only")
    assert merged.requests == 15 and merged.ran == {"GET /a", "GET /b", "POST /c"}


def test_parts_never_hold_the_key(tmp_path: Path) -> None:
    results = _results("GET /a")
    results.operations["GET /a"].failures.append(FailureRecord("x", "server", f"echo {SENTINEL}", None))
    write_part(results, part_path(tmp_path, "gw0"))
    assert SENTINEL.encode() not in part_path(tmp_path, "gw0").read_bytes()


def test_the_rate_limit_is_shared_out() -> None:
    assert per_worker_rate("10/s", 1) == "10/s"
    assert per_worker_rate("10/s", 3) == "3/s"
    # a share that would round to nothing is given in a finer unit: 1/m over 4 is 15/h each
    assert per_worker_rate("1/m", 4) == "15/h" and per_worker_rate("10/s", 12) == "50/m"
    assert per_worker_rate("1/d", 3) == "1/d"  # no finer unit than a day: at least 1 each


def test_a_two_worker_run_finds_what_one_process_finds(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    from conformance.run.embedded import embedded_server

    ids = ["--include-operation-id", "FindAddresses", "--include-operation-id", "GetUserBalance"]
    with embedded_server(shared_spec_path, SENTINEL, faults=["undocumented-status:FindAddresses"]) as url:
        base = ["--base-url", url, "--api-key", SENTINEL, "--spec", str(shared_spec_path), *ids, *SMALL]
        single = run_cli(env, *base, "--report-dir", str(tmp_path / "one"))
        double = run_cli(env, *base, "--workers", "2", "--report-dir", str(tmp_path / "two"))
    assert single.returncode == double.returncode == 1, double.stdout + double.stderr

    def verdicts(report: Path) -> dict[str, tuple[str, list[str]]]:
        return {
            op["operation_id"]: (op["status"], sorted(f["check"] for f in op["failures"]))
            for op in summary(report)["operations"]
        }

    assert verdicts(tmp_path / "two") == verdicts(tmp_path / "one")
    assert verdicts(tmp_path / "two")["FindAddresses"][0] == "failed"
    assert summary(tmp_path / "two")["totals"]["requests"] == summary(tmp_path / "one")["totals"]["requests"]
    assert SENTINEL not in double.stdout + double.stderr
