"""The last lines of a run and its exit code, from the results in memory."""

from typing import Any

from conformance.run.options import EXIT_FAILURES, EXIT_OK, EXIT_TARGET, FAIL_ON, RunError
from conformance.target import Target


def verdict(summary: dict[str, Any], fail_on: str, target: Target) -> int:
    totals = summary["totals"]
    classes = totals["by_classification"]
    print(
        f"{totals['operations']} operations: {totals['passed']} passed, {totals['failed']} failed, "
        f"{totals['skipped']} skipped, {totals['errored']} errored; {totals['requests']} requests; "
        f"failures by class: {', '.join(f'{k}={v}' for k, v in classes.items()) or 'none'}"
    )
    ran = totals["operations"] - totals["skipped"]
    if ran and totals["errored"] == ran and set(classes) == {"setup"}:
        first = next(f for op in summary["operations"] for f in op["failures"])
        raise RunError(f"target unusable: {target.redact(first['message'])}", EXIT_TARGET)
    failing = sum(count for cls, count in classes.items() if cls in FAIL_ON[fail_on])
    return EXIT_FAILURES if failing else EXIT_OK
