"""The last lines of a run and its exit code, from the results in memory.

Read first what the user came for: does the target conform (its `server` failures), then what
the spec itself gets wrong (`spec`), then what kept the run from testing (`setup`), then where
the details are. "failed" alone is never the headline: an operation that failed only on the
spec's defects is no failure of the target.
"""

from collections import Counter
from typing import Any

from conformance.run.options import EXIT_FAILURES, EXIT_OK, EXIT_TARGET, FAIL_ON, RunError
from conformance.target import Target

# What the spec's defects are, in words, by the check that met them.
SPEC_DEFECTS = {
    "status_code_conformance": "undocumented status codes",
    "telnyx_error_envelope": "error bodies other than the envelope",
    "positive_data_acceptance": "valid requests the spec's own examples break",
    "negative_data_rejection": "fields typed beyond what the wire carries",
    "response_schema_conformance": "response schemas that contradict themselves",
    "content_type_conformance": "malformed media types",
    "ignored_auth": "auth-like header parameters",
}


def lines(summary: dict[str, Any], report_dir: str | None = None) -> list[str]:
    totals = summary["totals"]
    operations = summary["operations"]
    by_class: dict[str, Counter[str]] = {"server": Counter(), "spec": Counter(), "setup": Counter()}
    touched: dict[str, set[str]] = {"server": set(), "spec": set(), "setup": set()}
    for op in operations:
        for failure in op["failures"]:
            cls = failure["classification"]
            by_class.setdefault(cls, Counter())[failure["check"]] += 1
            touched.setdefault(cls, set()).add(f"{op['method']} {op['path']}")
    count, tested = totals["operations"], totals["operations"] - totals["skipped"]
    server = sum(by_class["server"].values())
    found = []
    if server:
        checks = ", ".join(f"{check} {n}" for check, n in by_class["server"].most_common(4))
        found.append(
            f"target does not conform: {server} server failures in {len(touched['server'])} of {tested} "
            f"operations tested ({checks})"
        )
    else:
        found.append(f"target conforms: 0 server failures in {tested} operations tested")
    spec = sum(by_class["spec"].values())
    kinds = ", ".join(f"{SPEC_DEFECTS.get(check, check)} {n}" for check, n in by_class["spec"].most_common())
    found.append(f"spec defects seen: {spec}" + (f" ({kinds})" if spec else ""))
    setup = sum(by_class["setup"].values())
    setup_kinds = ", ".join(f"{check} {n}" for check, n in by_class["setup"].most_common(3))
    found.append(f"setup problems: {setup}" + (f" ({setup_kinds})" if setup else ""))
    skipped = f", {totals['skipped']} not sent" if totals["skipped"] else ""
    found.append(
        f"{count} operations{skipped}, {totals['requests']} requests"
        + (f"; see {report_dir}/matrix.html" if report_dir else "")
    )
    return found


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
