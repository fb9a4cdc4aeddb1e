"""The last lines of a run and its exit code, from the results in memory (the words are
`conformance/reporting/headline.py`'s, shared with the matrix)."""

from typing import Any

from conformance.reporting.headline import lines
from conformance.run.options import EXIT_FAILURES, EXIT_OK, EXIT_TARGET, FAIL_ON, RunError
from conformance.target import Target

__all__ = ["lines", "verdict"]


def verdict(summary: dict[str, Any], fail_on: str, target: Target, report_dir: str | None = None) -> int:
    totals = summary["totals"]
    classes = totals["by_classification"]
    for line in lines(summary, report_dir):
        print(line)
    ran = totals["operations"] - totals["skipped"]
    if ran and totals["errored"] == ran and set(classes) == {"setup"}:
        first = next(f for op in summary["operations"] for f in op["failures"])
        raise RunError(f"target unusable: {target.redact(first['message'])}", EXIT_TARGET)
    failing = sum(count for cls, count in classes.items() if cls in FAIL_ON[fail_on])
    return EXIT_FAILURES if failing else EXIT_OK
