"""The report files a run writes beside summary.json, at the end of the session:

- `matrix.html` and `matrix.md`: the conformance matrix (conformance.reporting.matrix), with the audit's
  findings per operation and, with `--compare DIR`, the changes since that run;
- `junit.xml`: one testcase per operation and check (conformance.reporting.junit);
- `audit.sarif`: the audit of the spec the run used, for code scanning;
- `allure-results/environment.properties` and `categories.json` when Allure results are written.

Every file is rendered from the results model, whose texts are redacted already; the audit's
SARIF holds the spec's own text only.
"""

from pathlib import Path
from typing import Any

import orjson

from conformance.target import Target

ALLURE_DIR = "allure-results"


def write_text(path: Path, text: str, target: Target) -> Path:
    from conformance.reporting.files import atomic_write

    return atomic_write(path, text)


def audit(loaded: Any) -> Any:
    """The full audit as `telnyx-conformance audit` would run it here (the project's config)."""
    from spec.audit import run_audit
    from spec.config import find_pyproject, load_config
    from spec.rules import all_rules

    rules = all_rules()
    config = load_config(find_pyproject(Path.cwd()), {r.id for r in rules})
    return run_audit(loaded, config, rules=rules)


def load_previous(directory: Path) -> dict[str, Any]:
    """The summary.json of a previous run's report dir (for --compare)."""
    path = directory / "summary.json" if directory.is_dir() else directory
    try:
        return orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ValueError(f"--compare: no readable summary.json at {path}: {exc}") from None


def write_all(
    context: Any, report_dir: Path, previous: tuple[str, dict[str, Any]] | None = None, allure_dir: Path | None = None
) -> list[str]:
    """Every report beside summary.json, each writer on its own (`files.write_each`): the
    errors of those that failed, in one line each."""
    from conformance.reporting.files import write_each

    state: dict[str, Any] = {}

    def matrix() -> Any:
        if "matrix" not in state:
            state["matrix"] = _matrix(context, previous, _audit_or_none(context, state))
        return state["matrix"]

    def write_matrix(render: Any, name: str) -> None:
        write_text(report_dir / name, render(matrix()), context.target)

    from conformance.reporting.matrix import html, markdown

    writers = [
        ("matrix.html", lambda: write_matrix(html.render, "matrix.html")),
        ("matrix.md", lambda: write_matrix(markdown.render, "matrix.md")),
        ("audit.sarif", lambda: _write_sarif(report_dir, _audit_or_none(context, state), context.target)),
        ("junit.xml", lambda: _write_junit(context, report_dir)),
    ]
    if allure_dir is not None:
        writers.append(("allure-results", lambda: _write_allure_frame(context, allure_dir)))
    return write_each(writers)


def _audit_or_none(context: Any, state: dict[str, Any]) -> Any:
    from spec.errors import SpecError

    if "audit" not in state:
        try:
            state["audit"] = audit(context.loaded)
        except SpecError:  # an unresolvable $ref stops the audit; the run's own reports still matter
            state["audit"] = None
    return state["audit"]


def _matrix(context: Any, previous: tuple[str, dict[str, Any]] | None, result: Any) -> Any:
    from conformance.reporting.matrix import build, compare

    loaded = context.loaded
    index = context.index if context.index is not None else loaded.index()
    pointers = [op.pointer for op in index.operations]
    lines = {p: pos[0] for p, pos in loaded.locator.locate_all(pointers).items()}
    summary = context.results.summary()
    findings = result.findings if result else ()
    matrix = build(summary, context.results.operations, index, lines, findings, getattr(context, "operations", None))
    if previous is not None:
        compare(matrix, previous[1], previous[0])
    return matrix


def _write_sarif(report_dir: Path, result: Any, target: Target) -> None:
    from spec.output import renderer

    if result is not None:
        write_text(report_dir / "audit.sarif", renderer("sarif")(result), target)


def _write_junit(context: Any, report_dir: Path) -> None:
    from conformance.reporting import junit
    from conformance.reporting.matrix import operation_tag

    operations = context.operations
    tagged = [(operation_tag(operations.get(label)), op) for label, op in context.results.operations.items()]
    write_text(report_dir / "junit.xml", junit.render(tagged, context.results.scenarios), context.target)


def _write_allure_frame(context: Any, allure_dir: Path) -> None:
    from conformance import __version__
    from conformance.reporting.allure import SEVERITY, write_frame

    target: Target = context.target
    values = {
        "target": target.redact_url(target.base_url),
        "spec.sha256": context.loaded.sha256,
        "spec.path": str(context.loaded.path),
        "suite.version": __version__,
        "seed": str(context.results.seed),
    }
    checks = set(SEVERITY) | {f.check for op in context.results.operations.values() for f in op.failures}
    write_frame(allure_dir, target, values, checks)
