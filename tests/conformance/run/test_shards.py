"""--shard K/N: the partition (deterministic, disjoint, balanced), the CI engines' variables,
the rate shared out, and end to end: for one seed on a small selection, N shards against one
reference server run each selected operation exactly once, and their merge says what the
unsharded run says, operation by operation, for N from 1 to 5.

One embedded server (with a fault, so some verdicts are server failures) serves every run;
the runs go two at a time (the machine has two cores): about 20 runs of 6 operations.
"""

import os
import random
import subprocess
import sys
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import pytest

from conformance.run.options import RunOptions
from conformance.run.session import pytest_args
from conformance.run.shards import (
    Shard,
    ShardError,
    costs,
    from_environment,
    parse_shard,
    partition,
    partition_operations,
    resolve,
    selection_digest,
)
from conformance.target import Target
from tests.conformance.run.test_run import RUN_TIMEOUT, SENTINEL, summary

TAGS = ("Addresses", "Billing", "Audit Logs", "IP Ranges", "Country Coverage")  # 13 operations in 7 collections
SELECTION = [*(w for tag in TAGS for w in ("--include-tag", tag)), "--max-examples", "2", "--seed", "7"]
FAULT = "undocumented-status:FindAddresses"  # GET /addresses answers an undocumented status: a server failure
SHARD_ENV = ("TELNYX_SHARD", "TELNYX_SHARD_TOTAL", "CI_NODE_INDEX", "CI_NODE_TOTAL", "JOB_COMPLETION_INDEX")


# --- K/N and the engines' variables -----------------------------------------------------------


def test_k_of_n_parses_and_what_is_no_shard_is_refused() -> None:
    assert parse_shard("2/4") == Shard(2, 4) and str(parse_shard(" 1 / 1 ")) == "1/1"
    for text in ("0/4", "5/4", "1/0", "2", "a/b", "-1/3", ""):
        with pytest.raises(ShardError):
            parse_shard(text)


def test_the_ci_engines_variables_select_the_shard() -> None:
    assert from_environment({}) is None
    assert from_environment({"TELNYX_SHARD": "3/5"}) == Shard(3, 5)
    assert from_environment({"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"}) == Shard(2, 3)  # GitLab: 1-based
    assert from_environment({"CI_NODE_TOTAL": "1"}) is None  # GitLab sets the total alone without parallel:
    assert from_environment({"JOB_COMPLETION_INDEX": "0", "TELNYX_SHARD_TOTAL": "4"}) == Shard(1, 4)  # 0-based
    assert from_environment({"JOB_COMPLETION_INDEX": "3", "TELNYX_SHARD_TOTAL": "4"}) == Shard(4, 4)
    with pytest.raises(ShardError, match="TELNYX_SHARD_TOTAL"):
        from_environment({"JOB_COMPLETION_INDEX": "0"})  # an Indexed Job must say how many there are
    with pytest.raises(ShardError):
        from_environment({"JOB_COMPLETION_INDEX": "4", "TELNYX_SHARD_TOTAL": "4"})
    # the generic variable wins over an engine's, and the flag over every variable
    both = {"TELNYX_SHARD": "1/2", "CI_NODE_INDEX": "3", "CI_NODE_TOTAL": "3"}
    assert resolve(None, both) == Shard(1, 2) and resolve("2/2", both) == Shard(2, 2)


# --- the partition --------------------------------------------------------------------------


def test_the_partition_is_deterministic_disjoint_and_balanced() -> None:
    rng = random.Random(14)
    cost = {f"GET /op{i}": float(rng.randint(1, 100)) for i in range(60)}
    for total in range(1, 9):
        parts = partition(cost, total)
        shuffled = dict(rng.sample(sorted(cost.items()), len(cost)))  # another order, the same costs
        assert partition(shuffled, total) == parts
        flat = [label for part in parts for label in part]
        assert sorted(flat) == sorted(cost) and len(flat) == len(set(flat))
        loads = [sum(cost[label] for label in part) for part in parts]
        assert max(loads) - min(loads) <= max(cost.values())  # greedy longest-first's bound


def test_ties_are_broken_by_label_and_more_shards_than_operations_leave_some_empty() -> None:
    assert partition({"b": 1.0, "a": 1.0, "c": 1.0}, 2) == [["a", "c"], ["b"]]
    assert partition({"a": 1.0}, 3) == [["a"], [], []]


def test_the_operations_of_one_collection_stay_in_one_shard() -> None:
    cost = {
        "GET /addresses": 5.0,
        "POST /addresses": 5.0,
        "GET /addresses/{id}": 5.0,
        "DELETE /addresses/{id}/actions/x": 5.0,
        "POST /addresses/actions/validate": 1.0,  # no parameter: a collection of its own
        "GET /balance": 4.0,
        "GET /audit_events": 3.0,
    }
    parts = partition_operations(cost, 3)
    assert parts[0] == ["DELETE /addresses/{id}/actions/x", "GET /addresses", "GET /addresses/{id}", "POST /addresses"]
    assert parts[1:] == [["GET /balance"], ["GET /audit_events", "POST /addresses/actions/validate"]]


def test_the_partition_does_not_depend_on_the_order_the_costs_come_in() -> None:
    """The selection reaches the plan as a set, whose order differs per process (hash seeds):
    float sums taken in that order differ in their last bit, and near ties then fell apart
    differently on each machine (8 shards of the whole spec ran 83 operations twice and 83 never)."""
    rng = random.Random(14)
    values = (0.1, 0.2, 0.3, 0.7, 1.1, 0.05)
    cost = {
        f"{m} /c{c}{s}": values[(c + i) % len(values)]
        for c in range(40)
        for i, (m, s) in enumerate((("GET", ""), ("POST", ""), ("GET", "/{id}"), ("DELETE", "/{id}")))
    }
    estimates = {label: 5.0 for label in cost}
    measured = {label: value for label, value in cost.items() if not label.startswith("DELETE /c3")}
    expected = partition_operations(costs(estimates, measured), 8)
    for _ in range(20):
        shuffled_estimates = dict(rng.sample(sorted(estimates.items()), len(estimates)))
        shuffled_measured = dict(rng.sample(sorted(measured.items()), len(measured)))
        assert partition_operations(costs(shuffled_estimates, shuffled_measured), 8) == expected


def test_measured_time_decides_and_unknown_operations_get_their_estimate_in_seconds() -> None:
    estimates = {"A": 10.0, "B": 10.0, "C": 10.0, "D": 40.0}
    measured = {"A": 9.0, "B": 1.0, "C": 1.0}  # D is new: 40 estimated x (11 s / 30 estimated)
    cost = costs(estimates, measured)
    assert cost["A"] == 9.0 and abs(cost["D"] - 40.0 * 11.0 / 30.0) < 1e-9
    assert costs(estimates, None) == estimates
    assert partition(cost, 2) == [["D"], ["A", "B", "C"]]  # 14.7 s against 9 + 1 + 1


def test_the_selection_digest_ignores_order_but_not_content() -> None:
    one = selection_digest({"include_tags": ["A", "B"], "max_examples": 2}, None)
    assert one == selection_digest({"max_examples": 2, "include_tags": ["B", "A"]}, None)
    assert one != selection_digest({"include_tags": ["A"], "max_examples": 2}, None)
    assert one != selection_digest({"include_tags": ["A", "B"], "max_examples": 3}, None)
    assert one != selection_digest({"include_tags": ["A", "B"], "max_examples": 2}, b"{}")


def test_the_rate_limit_is_the_total_of_all_shards_unless_scoped_to_one() -> None:
    target = Target(base_url="http://127.0.0.1:1/v2", api_key=SENTINEL)

    def rate(**kw: Any) -> str:
        args = pytest_args(RunOptions(rate_limit="100/s", **kw), target, Path("spec.yml"), 1)
        return args[args.index("--rate-limit") + 1]

    assert rate() == "100/s"
    assert rate(shard=Shard(2, 4)) == "25/s"  # default scope: total, each shard 1/N
    assert rate(shard=Shard(2, 4), workers=2) == "12/s"
    assert rate(shard=Shard(2, 4), rate_limit_scope="shard") == "100/s"
    assert rate(shard=Shard(2, 4), rate_limit_scope="shard", workers=4) == "25/s"
    args = pytest_args(RunOptions(shard=Shard(3, 5), durations="d.json"), target, Path("spec.yml"), 1)
    assert args[args.index("--shard") + 1] == "3/5" and args[args.index("--shard-durations") + 1] == "d.json"


# --- end to end -----------------------------------------------------------------------------


def _environ(cache: Path, **extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in (*SHARD_ENV, "TELNYX_API_KEY")}
    return {**environ, "TELNYX_CONFORMANCE_CACHE": str(cache), **extra}


def _cli(environ: dict[str, str], command: str, *args: str) -> subprocess.CompletedProcess[str]:
    full = [sys.executable, "-m", "conformance.cli", command, *args]
    return subprocess.run(full, capture_output=True, text=True, env=environ, timeout=RUN_TIMEOUT, check=False)


class Runs:
    """The report dirs of every run of the module, against one server."""

    def __init__(self, root: Path, url: str, spec: Path, cache: Path) -> None:
        self.root, self.cache = root, cache
        self.base = ["--base-url", url, "--api-key", SENTINEL, "--spec", str(spec), *SELECTION, "--quiet"]
        self.spec = spec
        self.outputs: dict[str, subprocess.CompletedProcess[str]] = {}

    def run(self, name: str, *extra: str, env: dict[str, str] | None = None) -> None:
        """One run in a process with a hash seed of its own, as on another machine (tox gives
        every process of a session one PYTHONHASHSEED; a plan that read a set's order would
        then agree with itself here and fall apart on N machines)."""
        report = self.root / name
        own = {"PYTHONHASHSEED": str(zlib.crc32(name.encode())), **(env or {})}
        self.outputs[name] = _cli(_environ(self.cache, **own), "run", *self.base, *extra, "--report-dir", str(report))

    def merge(self, name: str, shards: list[str]) -> subprocess.CompletedProcess[str]:
        args = [*(str(self.root / s) for s in shards), "--report-dir", str(self.root / name), "--spec", str(self.spec)]
        return _cli(_environ(self.cache), "merge", *args)


def _shard_names(total: int) -> list[str]:
    return [f"n{total}-k{k}" for k in range(1, total + 1)]


@pytest.fixture(scope="module")
def runs(shared_spec_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    from conformance.run.embedded import embedded_server

    root, cache = tmp_path_factory.mktemp("shards"), tmp_path_factory.mktemp("shards-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TELNYX_CONFORMANCE_CACHE", str(cache))
        with embedded_server(shared_spec_path, SENTINEL, seed=7, faults=[FAULT]) as url:
            found = Runs(root, url, shared_spec_path, cache)
            found.run("whole")  # first, alone: what the shards are compared with
            jobs: list[tuple[str, tuple[str, ...], dict[str, str] | None]] = [
                (name, ("--shard", f"{k}/{total}"), None)
                for total in range(1, 6)
                for k, name in enumerate(_shard_names(total), 1)
            ]
            jobs += [
                ("env-gitlab", (), {"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "3"}),
                ("env-k8s", (), {"JOB_COMPLETION_INDEX": "0", "TELNYX_SHARD_TOTAL": "3"}),
                ("env-flag-wins", ("--shard", "3/3"), {"TELNYX_SHARD": "1/3"}),
            ]
            durations = str(root / "whole" / "durations.json")
            jobs += [(f"timed-k{k}", ("--shard", f"{k}/2", "--durations", durations), None) for k in (1, 2)]
            jobs += [(f"workers-k{k}", ("--shard", f"{k}/2", "--workers", "2"), None) for k in (1, 2)]
            with ThreadPoolExecutor(max_workers=2) as pool:
                list(pool.map(lambda job: found.run(job[0], *job[1], env=job[2]), jobs))
            yield found


def _verdicts(data: dict[str, Any]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [
        (
            f"{op['method']} {op['path']}",
            op["status"],
            sorted((f["check"], f["classification"]) for f in op["failures"]),
        )
        for op in data["operations"]
    ]


def _testcases(report: Path) -> list[tuple[str | None, str | None, list[str | None]]]:
    import xml.etree.ElementTree as ET

    root = ET.parse(report / "junit.xml").getroot()
    return [(c.get("classname"), c.get("name"), [child.get("type") for child in c]) for c in root.iter("testcase")]


def _part(report: Path) -> dict[str, Any]:
    return orjson.loads((report / "shard-results.json").read_bytes())


def test_every_run_completed_without_leaking_the_key(runs: Runs) -> None:
    for name, done in runs.outputs.items():
        # 1: the shard that runs GET /addresses meets the fault; the others pass (spec defects do not fail a run)
        assert done.returncode in (0, 1), f"{name}: {done.stdout}{done.stderr}"
        assert SENTINEL not in done.stdout + done.stderr
    assert runs.outputs["whole"].returncode == 1
    whole = summary(runs.root / "whole")
    assert "shard" not in whole and whole["totals"]["operations"] >= 5
    assert ("GET /addresses", "failed") in [(label, status) for label, status, _ in _verdicts(whole)]
    for path in runs.root.rglob("*"):
        if path.is_file():
            assert SENTINEL.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("total", range(1, 6))
def test_n_shards_run_each_selected_operation_exactly_once(runs: Runs, total: int) -> None:
    selected = [label for label, _, _ in _verdicts(summary(runs.root / "whole"))]
    ran: list[str] = []
    digests = set()
    for k, name in enumerate(_shard_names(total), 1):
        report = runs.root / name
        tag = summary(report)["shard"]
        assert (tag["index"], tag["total"]) == (k, total)
        digests.add(tag["selection"])
        part = _part(report)
        ran += part["ran"]
        assert sorted(orjson.loads((report / "durations.json").read_bytes())["operations"]) == sorted(part["ran"])
        assert list(part["operations"]) == selected  # every shard collected the whole selection, in one order
    assert sorted(ran) == sorted(selected) and len(ran) == len(set(ran))
    assert len(digests) == 1


@pytest.mark.parametrize("total", range(1, 6))
def test_the_merge_of_n_shards_is_the_unsharded_run(runs: Runs, total: int) -> None:
    done = runs.merge(f"merged-{total}", _shard_names(total))
    assert done.returncode == 1, done.stdout + done.stderr  # the server failure, as the unsharded run
    merged, whole = summary(runs.root / f"merged-{total}"), summary(runs.root / "whole")
    assert set(merged) == set(whole) and merged["seed"] == whole["seed"] == 7
    assert _verdicts(merged) == _verdicts(whole)
    assert merged["totals"] == whole["totals"]  # requests too: a collection's tests share one process
    assert merged["totals"]["requests"] == sum(
        summary(runs.root / n)["totals"]["requests"] for n in _shard_names(total)
    )
    out = runs.root / f"merged-{total}"
    for name in ("junit.xml", "matrix.html", "matrix.md", "audit.sarif", "durations.json"):
        assert (out / name).is_file(), name
    assert not (out / "shard-results.json").exists()
    durations = orjson.loads((out / "durations.json").read_bytes())["operations"]
    assert list(durations) == list(orjson.loads((runs.root / "whole" / "durations.json").read_bytes())["operations"])
    assert _testcases(out) == _testcases(runs.root / "whole")
    whole_lines = (runs.root / "whole" / "matrix.md").read_text().splitlines()[3:]  # below the target's URL
    assert (out / "matrix.md").read_text().splitlines()[3:] == whole_lines


def test_the_engines_variables_select_the_shard_the_flag_would(runs: Runs) -> None:
    for env_run, flag_run in (("env-gitlab", "n3-k2"), ("env-k8s", "n3-k1"), ("env-flag-wins", "n3-k3")):
        assert summary(runs.root / env_run)["shard"] == summary(runs.root / flag_run)["shard"]
        assert _part(runs.root / env_run)["ran"] == _part(runs.root / flag_run)["ran"]


def test_shards_packed_by_measured_time_merge_to_the_same_verdicts(runs: Runs) -> None:
    tags = [summary(runs.root / f"timed-k{k}")["shard"] for k in (1, 2)]
    assert tags[0]["selection"] == tags[1]["selection"] != summary(runs.root / "n2-k1")["shard"]["selection"]
    done = runs.merge("merged-timed", ["timed-k1", "timed-k2"])
    assert done.returncode == 1, done.stdout + done.stderr
    assert _verdicts(summary(runs.root / "merged-timed")) == _verdicts(summary(runs.root / "whole"))
    mixed = runs.merge("merged-mixed", ["timed-k1", "n2-k2"])  # another packing: the selection digest differs
    assert mixed.returncode == 2 and "different selections" in mixed.stderr


def test_shards_with_workers_of_their_own_merge_to_the_same_run(runs: Runs) -> None:
    assert [summary(runs.root / f"workers-k{k}")["shard"] for k in (1, 2)] == [
        summary(runs.root / f"n2-k{k}")["shard"] for k in (1, 2)
    ]
    done = runs.merge("merged-workers", ["workers-k1", "workers-k2"])
    assert done.returncode == 1, done.stdout + done.stderr
    merged, whole = summary(runs.root / "merged-workers"), summary(runs.root / "whole")
    assert _verdicts(merged) == _verdicts(whole) and merged["totals"] == whole["totals"]


def test_the_last_failed_of_a_merged_dir_reruns_what_failed_with_its_seed(runs: Runs) -> None:
    from conformance.run.runner import last_failed

    merged = runs.root / "merged-2"
    if not merged.is_dir():
        assert runs.merge("merged-2", _shard_names(2)).returncode == 1
    labels, seed = last_failed(str(merged))
    whole = [label for label, status, _ in _verdicts(summary(runs.root / "whole")) if status in ("failed", "errored")]
    assert labels == whole and seed == 7


def test_a_shard_without_a_seed_or_of_no_shard_is_refused(shared_spec_path: Path, tmp_path: Path) -> None:
    environ = _environ(tmp_path / "cache")
    args = ["--spec", str(shared_spec_path), "--include-tag", "Billing", "--report-dir", str(tmp_path / "r")]
    done = _cli(environ, "run", *args, "--shard", "1/2")
    assert done.returncode == 2 and "--seed" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    done = _cli(environ, "run", *args, "--shard", "3/2")
    assert done.returncode == 2 and "3/2" in done.stderr
    done = _cli({**environ, "JOB_COMPLETION_INDEX": "1"}, "run", *args, "--seed", "1")
    assert done.returncode == 2 and "TELNYX_SHARD_TOTAL" in done.stderr
