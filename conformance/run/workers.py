"""`--workers N`: the run's operations spread over N pytest-xdist processes, one result.

Each worker collects every operation but runs only its share, so each holds a partial Results;
at its end it writes that part to the report dir, and the controller merges the parts before
writing the reports (conformance/reporting/parts.py: by operation, the status from the worker
that ran the operation's own test, failures concatenated, counters summed, sets joined).
"""

from pathlib import Path

import orjson

from conformance.reporting.parts import dump_results, fold
from conformance.reporting.results import Results, guarded

PARTS = ".workers"  # under the report dir; removed once merged


def part_path(report_dir: Path, worker: str) -> Path:
    return report_dir / PARTS / f"{worker}.json"


def write_part(results: Results, path: Path) -> None:
    """This worker's share of the run (its results already redacted: the key never reaches
    a file, not even one the controller deletes)."""
    from conformance.reporting.files import atomic_write

    atomic_write(path, orjson.dumps(guarded(dump_results(results), results.target)))


def merge_parts(results: Results, report_dir: Path) -> int:
    """Fold every worker's part into `results` (the controller's, empty of operations), remove
    the parts, and return how many were merged."""
    folder = report_dir / PARTS
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    fold(results, [orjson.loads(path.read_bytes()) for path in paths])
    for path in paths:
        path.unlink()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    return len(paths)
