"""`telnyx-conformance merge`: shard dirs written by the shards' own code (conformance/run/shards.py
`finish`, the results' writers) merged in process, without a server: a failure one shard's
lifecycle filed under another shard's operation survives, the totals add up, and the merge
refuses, exit 2 in one line, shards of different specs, seeds, selections or N, and names the
shards missing or given twice. The end-to-end equality with an unsharded run is in
tests/conformance/run/test_shards.py."""

from pathlib import Path
from typing import Any

import orjson
import pytest

from conformance.cli import main
from conformance.reporting.durations import write_durations
from conformance.reporting.results import FailureRecord, OperationResult, Results
from conformance.run.shards import Shard, ShardPlan, finish
from conformance.target import Target

SENTINEL = "sentinel-key-merge-5d1e"
TARGET = Target(base_url="http://127.0.0.1:4010/v2", api_key=SENTINEL)
LABELS = ("GET /addresses", "POST /addresses", "GET /addresses/{id}", "GET /balance")
OWNERS = {"GET /addresses": 1, "POST /addresses": 1, "GET /addresses/{id}": 1, "GET /balance": 2}


@pytest.fixture(scope="module")
def sha(shared_spec_path: Path) -> str:
    from spec.load import load_spec

    return load_spec(shared_spec_path).sha256


def write_shard(
    directory: Path,
    index: int,
    total: int,
    sha: str,
    *,
    seed: int = 3,
    selection: str = "abc",
    owners: Any = None,
    partition: str = "",
    interrupted: bool = False,
    lifecycle_failure: bool = True,
) -> Path:
    """A shard dir as a shard run leaves it: every label collected, its own run."""
    owners = owners or OWNERS
    results = Results(target=TARGET, spec_sha256=sha, seed=seed)
    for label in LABELS:
        method, path = label.split(" ", 1)
        results.operations[label] = OperationResult(None, method, path)
    mine = {label for label, owner in owners.items() if owner == index}
    for label in mine:
        op = results.operations[label]
        results.ran.add(label)
        op.observed_statuses[200] += 2
        op.checks_run.add("status_code_conformance")
        op.cost.update({"seconds": 0.5, "requests": 2})
        results.requests += 2
    if index == 1 and lifecycle_failure:  # its lifecycle (POST /addresses) found GET /balance, shard 2's, broken
        balance = results.operations["GET /balance"]
        balance.status = "failed"
        balance.failures.append(FailureRecord("telnyx_created_resource_retrievable", "server", f"x {SENTINEL}", None))
    if interrupted:  # Ctrl-C before its own tests ran: what it did not run it reports skipped
        results.ran.clear()
        results.mark_interrupted()
    finish(results, directory, ShardPlan(Shard(index, total), selection, frozenset(mine), partition))
    results.write(directory)
    write_durations(results, directory)
    allure = directory / "allure-results"
    allure.mkdir(parents=True, exist_ok=True)
    (allure / f"shard{index}-result.json").write_text("{}")
    return directory


def merge(capsys: pytest.CaptureFixture[str], spec: Path, out: Path, *dirs: Path) -> tuple[int, str, str]:
    code = main(["merge", *map(str, dirs), "--report-dir", str(out), "--spec", str(spec)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_two_shards_merge_into_one_run(
    tmp_path: Path, sha: str, shared_spec_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one, two = write_shard(tmp_path / "one", 1, 2, sha), write_shard(tmp_path / "two", 2, 2, sha)
    shard_one = orjson.loads((one / "summary.json").read_bytes())
    assert shard_one["shard"] == {"index": 1, "total": 2, "selection": "abc"}
    # shard 1 reports its own operations, and the one its lifecycle found failing
    assert [f"{op['method']} {op['path']}" for op in shard_one["operations"]] == list(LABELS)
    assert [
        op["method"] + " " + op["path"] for op in orjson.loads((two / "summary.json").read_bytes())["operations"]
    ] == ["GET /balance"]
    out = tmp_path / "merged"
    code, stdout, stderr = merge(capsys, shared_spec_path, out, two, one)  # any order
    assert code == 1, stderr  # a server failure, as the whole run would exit
    assert "merged 2 shards" in stdout and "target does not conform" in stdout
    merged = orjson.loads((out / "summary.json").read_bytes())
    assert "shard" not in merged and merged["seed"] == 3 and merged["spec"]["sha256"] == sha
    statuses = {f"{op['method']} {op['path']}": op["status"] for op in merged["operations"]}
    assert list(statuses) == list(LABELS)  # the order of the run's collection
    assert statuses == {"GET /addresses": "passed", "POST /addresses": "passed", "GET /addresses/{id}": "passed"} | {
        "GET /balance": "failed"
    }
    assert merged["totals"]["requests"] == 8 and merged["totals"]["failed"] == 1
    durations = orjson.loads((out / "durations.json").read_bytes())
    assert list(durations["operations"]) == list(LABELS) and durations["totals"]["requests"] == 8
    for name in ("junit.xml", "matrix.html", "matrix.md", "audit.sarif"):
        assert (out / name).is_file(), name
    allure = out / "allure-results"
    assert {p.name for p in allure.glob("shard*")} == {"shard1-result.json", "shard2-result.json"}
    assert (allure / "environment.properties").is_file()
    for path in out.rglob("*"):
        if path.is_file():
            assert SENTINEL.encode() not in path.read_bytes(), path
    from conformance.run.runner import last_failed

    assert last_failed(str(out)) == (["GET /balance"], 3)  # --last-failed reads a merged dir as a run's


@pytest.mark.parametrize(
    ("changed", "words"),
    [
        ({"seed": 4}, "different seeds"),
        ({"selection": "xyz"}, "different selections"),
        ({"total": 3}, "different shard counts"),
        ({"sha": "0" * 64}, "different specs"),
        ({"partition": "p2"}, "different partitions"),
    ],
)
def test_shards_of_different_runs_are_refused(
    tmp_path: Path,
    sha: str,
    shared_spec_path: Path,
    capsys: pytest.CaptureFixture[str],
    changed: dict[str, Any],
    words: str,
) -> None:
    one = write_shard(tmp_path / "one", 1, 2, sha, partition="p1")
    other = {"seed": 3, "selection": "abc", "total": 2, "sha": sha, "partition": "p1"} | changed
    two = write_shard(
        tmp_path / "two",
        2,
        other["total"],
        other["sha"],
        seed=other["seed"],
        selection=other["selection"],
        partition=other["partition"],
    )
    code, _, stderr = merge(capsys, shared_spec_path, tmp_path / "out", one, two)
    assert code == 2 and words in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert not (tmp_path / "out" / "summary.json").exists()


def test_missing_and_duplicated_shards_are_named(
    tmp_path: Path, sha: str, shared_spec_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    owners = {"GET /addresses": 1, "POST /addresses": 2, "GET /addresses/{id}": 3, "GET /balance": 3}
    one = write_shard(tmp_path / "one", 1, 3, sha, owners=owners)
    again = write_shard(tmp_path / "again", 1, 3, sha, owners=owners)
    three = write_shard(tmp_path / "three", 3, 3, sha, owners=owners)
    code, _, stderr = merge(capsys, shared_spec_path, tmp_path / "out", one, three)
    assert code == 2 and "missing shard 2/3" in stderr and len(stderr.strip().splitlines()) == 1
    code, _, stderr = merge(capsys, shared_spec_path, tmp_path / "out", one, again, three)
    assert code == 2 and "missing shard 2/3" in stderr
    assert f"shard 1/3 in {one}, {again} twice" in stderr
    assert not (tmp_path / "out").exists()


def test_what_is_no_shard_is_refused(
    tmp_path: Path, sha: str, shared_spec_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = write_shard(tmp_path / "one", 1, 1, sha)
    code, _, stderr = merge(capsys, shared_spec_path, one, one)
    assert code == 2 and "is one of the shard dirs" in stderr
    code, _, stderr = merge(capsys, shared_spec_path, tmp_path / "out", tmp_path / "nothing")
    assert code == 2 and "no summary.json" in stderr
    plain = tmp_path / "plain"
    Results(target=TARGET, spec_sha256=sha, seed=1).write(plain)  # an unsharded run's dir
    code, _, stderr = merge(capsys, shared_spec_path, tmp_path / "out", plain)
    assert code == 2 and "not a shard" in stderr
    (one / "shard-results.json").unlink()
    code, _, stderr = merge(capsys, shared_spec_path, tmp_path / "out", one)
    assert code == 2 and "no shard-results.json" in stderr
    code, _, stderr = merge(capsys, shared_spec_path, tmp_path / "out", write_shard(tmp_path / "odd", 1, 1, "f" * 64))
    assert code == 2 and "is not the shards'" in stderr


@pytest.mark.parametrize(
    ("second", "words"),
    [
        (
            {"GET /addresses/{id}": 2, "GET /balance": 2},
            "1 operations ran in more than one shard (e.g. GET /addresses/{id} in 1/2 and 2/2)",
        ),
        (
            {"GET /addresses": 3, "POST /addresses": 3, "GET /addresses/{id}": 3, "GET /balance": 3},
            "1 operations ran in no shard (e.g. GET /balance)",
        ),
    ],
)
def test_shards_that_planned_apart_are_refused_not_counted_twice_or_passed_unrun(
    tmp_path: Path,
    sha: str,
    shared_spec_path: Path,
    capsys: pytest.CaptureFixture[str],
    second: dict[str, int],
    words: str,
) -> None:
    """Shards of one tag but different plans (as a plan that depended on the process's hash seed
    made them): an operation run twice, or run by none and else merged as a pass."""
    one = write_shard(tmp_path / "one", 1, 2, sha)
    two = write_shard(tmp_path / "two", 2, 2, sha, owners=second)
    code, _, stderr = merge(capsys, shared_spec_path, tmp_path / "out", one, two)
    assert code == 2 and words in stderr and len(stderr.strip().splitlines()) == 1, stderr
    assert not (tmp_path / "out" / "summary.json").exists()


def test_what_an_interrupted_shard_did_not_run_is_skipped_in_the_merge(
    tmp_path: Path, sha: str, shared_spec_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = write_shard(tmp_path / "one", 1, 2, sha)
    two = write_shard(tmp_path / "two", 2, 2, sha, interrupted=True)
    code, _, stderr = merge(capsys, shared_spec_path, tmp_path / "out", one, two)
    merged = orjson.loads((tmp_path / "out" / "summary.json").read_bytes())
    statuses = {f"{op['method']} {op['path']}": op["status"] for op in merged["operations"]}
    # GET /balance: shard 2 never ran its test; shard 1's lifecycle had failed it
    assert statuses == {"GET /addresses": "passed", "POST /addresses": "passed", "GET /addresses/{id}": "passed"} | {
        "GET /balance": "failed"
    }, stderr
    three = write_shard(tmp_path / "three", 2, 2, sha, interrupted=True, owners={**OWNERS, "GET /addresses/{id}": 2})
    code2, _, stderr = merge(
        capsys,
        shared_spec_path,
        tmp_path / "out2",
        write_shard(tmp_path / "four", 1, 2, sha, owners={**OWNERS, "GET /addresses/{id}": 2}),
        three,
    )
    merged = orjson.loads((tmp_path / "out2" / "summary.json").read_bytes())
    by_label = {f"{op['method']} {op['path']}": op for op in merged["operations"]}
    assert code == code2 == 1 and by_label["GET /addresses/{id}"]["status"] == "skipped", stderr  # no unearned pass


def webhooks_section(verdict: str, event: str, received: int) -> dict[str, Any]:
    """A shard's `webhooks` section as `run --webhooks` amends its summary.json."""
    case = {"verdict": verdict, "status": 200, "elapsed": 0.01, "reason": f"{verdict} here", "curl": None}
    totals = {"cases": 1, "passed": 0, "failed": 0, "error": 0, "skipped": 0} | {verdict: 1}
    return {
        "url": f"http://127.0.0.1:{9000 + received}/",
        "received": received,
        "event_types": [event],
        "events": {event: {"signature": case}},
        "totals": totals,
    }


def test_the_shards_webhook_sections_fold_into_one_and_a_failed_check_fails_the_merge(
    tmp_path: Path, sha: str, shared_spec_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dirs = [write_shard(tmp_path / f"k{k}", k, 2, sha, lifecycle_failure=False) for k in (1, 2)]
    sections = [webhooks_section("passed", "message.sent", 3), webhooks_section("failed", "message.sent", 2)]
    for directory, section in zip(dirs, sections, strict=True):
        data = orjson.loads((directory / "summary.json").read_bytes())
        (directory / "summary.json").write_bytes(orjson.dumps(data | {"webhooks": section}))
    code, stdout, stderr = merge(capsys, shared_spec_path, tmp_path / "out", *dirs)
    merged = orjson.loads((tmp_path / "out" / "summary.json").read_bytes())["webhooks"]
    assert merged["received"] == 5 and merged["event_types"] == ["message.sent"]
    case = merged["events"]["message.sent"]["signature"]
    assert case["verdict"] == "failed" and case["reason"] == "shard 2/2: failed here"  # the worst, and where
    assert merged["totals"]["failed"] == 1 and "1 event type checks did not hold" in stdout
    assert code == 1, stdout + stderr  # every operation passed: the webhook check fails the merge
    assert "webhooks.message.sent" in (tmp_path / "out" / "junit.xml").read_text()
    clean = [write_shard(tmp_path / f"c{k}", k, 2, sha, lifecycle_failure=False) for k in (1, 2)]
    code, stdout, stderr = merge(capsys, shared_spec_path, tmp_path / "clean", *clean)
    assert code == 0 and "webhooks" not in orjson.loads((tmp_path / "clean" / "summary.json").read_bytes())
