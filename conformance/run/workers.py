"""`--workers N`: the run's operations spread over N pytest-xdist processes, one result.

Each worker collects every operation but runs only its share, so each holds a partial Results;
at its end it writes that part to the report dir, and the controller merges the parts before
writing the reports. Merging is by operation: the status comes from the worker that ran the
operation's own test (failures found by another worker's pagination or lifecycle test still
fail it), failures are concatenated, counters summed and sets joined.
"""

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from conformance.reporting.results import FailureRecord, OperationResult, Results, guarded

PARTS = ".workers"  # under the report dir; removed once merged
_RANK = {"passed": 0, "skipped": 1, "errored": 2, "failed": 3}


def part_path(report_dir: Path, worker: str) -> Path:
    return report_dir / PARTS / f"{worker}.json"


def write_part(results: Results, path: Path) -> None:
    """This worker's share of the run (its results already redacted: the key never reaches
    a file, not even one the controller deletes)."""
    part = {
        "operations": {label: _dump(op) for label, op in results.operations.items()},
        "ran": sorted(results.ran),
        "requests": results.requests,
        "rate_limited": results.rate_limited,
        "requests_by_phase": dict(results.requests_by_phase),
        "hostility": dict(results.hostility),
    }
    from conformance.reporting.files import atomic_write

    atomic_write(path, orjson.dumps(guarded(part, results.target)))


def merge_parts(results: Results, report_dir: Path) -> int:
    """Fold every worker's part into `results` (the controller's, empty of operations), remove
    the parts, and return how many were merged."""
    folder = report_dir / PARTS
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    parts = [orjson.loads(path.read_bytes()) for path in paths]
    for part in parts:
        results.requests += part["requests"]
        results.rate_limited += part["rate_limited"]
        results.requests_by_phase.update(part["requests_by_phase"])
        for kind, count in part.get("hostility", {}).items():
            results.hostility[kind] = results.hostility.get(kind, 0) + count
        results.ran.update(part["ran"])
    seen: dict[str, list[tuple[OperationResult, bool]]] = {}
    for part in parts:
        for label, raw in part["operations"].items():
            seen.setdefault(label, []).append((_load(raw), label in part["ran"]))
    for label, copies in seen.items():
        results.operations[label] = _merged(copies)
    for path in paths:
        path.unlink()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    return len(parts)


def _merged(copies: list[tuple[OperationResult, bool]]) -> OperationResult:
    """One operation's result from every worker's copy of it. The status is that of the copy
    whose worker ran the operation's own test (the others only collected it), made worse by any
    copy that failed or errored (another worker's pagination or lifecycle test)."""
    primary = next((op for op, ran in copies if ran), copies[0][0])
    merged = dataclasses.replace(primary)
    for spec in dataclasses.fields(OperationResult):
        value = getattr(primary, spec.name)
        if isinstance(value, Counter | set | list):
            setattr(merged, spec.name, type(value)())
    for op, _ in copies:
        for spec in dataclasses.fields(OperationResult):
            mine, theirs = getattr(merged, spec.name), getattr(op, spec.name)
            if isinstance(mine, Counter | set):
                mine.update(theirs)
            elif isinstance(mine, list):
                mine.extend(theirs)
        if op.status in ("failed", "errored") and _RANK[op.status] > _RANK[merged.status]:
            merged.status, merged.reason = op.status, op.reason
    return merged


def _dump(op: OperationResult) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for spec in dataclasses.fields(OperationResult):
        value = getattr(op, spec.name)
        if isinstance(value, Counter):
            data[spec.name] = {"counter": [[key, count] for key, count in value.items()]}
        elif isinstance(value, set):
            data[spec.name] = {"set": sorted(value, key=str)}
        elif spec.name == "failures":
            data[spec.name] = [dataclasses.asdict(failure) for failure in value]
        else:
            data[spec.name] = value
    return data


def _load(data: dict[str, Any]) -> OperationResult:
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(OperationResult):
        if spec.name not in data:
            continue
        value = data[spec.name]
        if isinstance(value, dict) and "counter" in value:
            value = Counter({key: count for key, count in value["counter"]})
        elif isinstance(value, dict) and "set" in value:
            value = set(value["set"])
        elif spec.name == "failures":
            value = [FailureRecord(**failure) for failure in value]
        values[spec.name] = value
    return OperationResult(**values)
