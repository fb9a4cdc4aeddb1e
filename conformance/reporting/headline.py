"""The verdict in words, first what the user came for: does the target conform (its `server`
failures), then what the spec itself gets wrong (`spec`, by kind), then what kept the run from
testing (`setup`), then, in a run with `--client`, what would break the old client (`drift`).
The run's last lines, the top of the matrix and the JUnit suite's
properties all say it this way, from one summary. "failed" alone is never the headline: an
operation that failed only on the spec's defects is no failure of the target.
"""

from collections import Counter
from typing import Any

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
    operations = summary.get("operations") or []
    totals = summary.get("totals") or {
        "operations": len(operations),
        "skipped": sum(op.get("status") == "skipped" for op in operations),
        "requests": 0,
    }
    by_class: dict[str, Counter[str]] = {cls: Counter() for cls in ("server", "spec", "setup", "drift")}
    touched: dict[str, set[str]] = {cls: set() for cls in ("server", "spec", "setup", "drift")}
    for op in operations:
        for failure in op["failures"]:
            cls = failure.get("classification", "server")
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
    if summary.get("client") or by_class["drift"]:
        found.append(drift_line(summary, by_class["drift"], len(touched["drift"]), report_dir))
    skipped = f", {totals['skipped']} not sent" if totals["skipped"] else ""
    found.append(
        f"{count} operations{skipped}, {totals['requests']} requests{_scenarios(summary)}"
        + (f"; see {report_dir}/matrix.html" if report_dir else "")
    )
    return found


def drift_line(summary: dict[str, Any], drift: Counter[str], operations: int, report_dir: str | None) -> str:
    """`--client`: how many of the client's operations would break, and how many are gone."""
    gone = sum(
        op.get("status") == "skipped" and str(op.get("reason", "")).startswith("gone:")
        for op in summary.get("operations") or []
    )
    checks = ", ".join(f"{check} {n}" for check, n in drift.most_common(3))
    where = f"; see {report_dir}/matrix.html" if report_dir else ""
    return (
        f"client drift: {operations} operations of the client would break"
        + (f" ({sum(drift.values())} drift failures: {checks})" if drift else "")
        + f", {gone} gone from the spec (not sent){where}"
    )


def _scenarios(summary: dict[str, Any]) -> str:
    """`, scenarios 3 of 3 passed` (and which broke, at which step): named flows the run ran."""
    scenarios = summary.get("scenarios") or []
    ran = [s for s in scenarios if s.get("status") != "skipped"]
    if not ran:
        return ""
    passed = sum(s.get("status") == "passed" for s in ran)
    broken = [f"{s['name']} at step {s['step']}" for s in ran if s.get("status") == "failed" and s.get("step")]
    return f", scenarios {passed} of {len(ran)} passed" + (f" (broken: {', '.join(broken)})" if broken else "")
