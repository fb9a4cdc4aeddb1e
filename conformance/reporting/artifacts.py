"""The report files a run writes beside summary.json, at the end of the session:

- `matrix.html` and `matrix.md`: the conformance matrix (conformance.reporting.matrix), with the audit's
  findings per operation and, with `--compare DIR`, the changes since that run;
- `junit.xml`: one testcase per operation and check (conformance.reporting.junit);
- `audit.sarif`: the audit of the spec the run used, for code scanning;
- `allure-results/environment.properties` and `categories.json` when Allure results are written.

Every file goes through `Target.redact`.
"""

from pathlib import Path
from typing import Any

import orjson

from conformance.target import Target

ALLURE_DIR = "allure-results"


def write_text(path: Path, text: str, target: Target) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(target.redact(text), encoding="utf-8")
    return path


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
) -> list[Path]:
    from conformance import __version__
    from conformance.reporting import junit
    from conformance.reporting.matrix import build, compare, html, markdown, operation_tag
    from spec.errors import SpecError
    from spec.output import renderer

    target: Target = context.target
    loaded = context.loaded
    try:
        result = audit(loaded)
    except SpecError:  # an unresolvable $ref stops the audit; the run's own reports still matter
        result = None
    index = context.index if context.index is not None else loaded.index()
    pointers = [op.pointer for op in index.operations]
    lines = {p: pos[0] for p, pos in loaded.locator.locate_all(pointers).items()}
    summary = context.results.summary()
    matrix = build(summary, context.results.operations, index, lines, result.findings if result else ())
    if previous is not None:
        compare(matrix, previous[1], previous[0])
    written = [
        write_text(report_dir / "matrix.html", html.render(matrix), target),
        write_text(report_dir / "matrix.md", markdown.render(matrix), target),
    ]
    if result is not None:
        written.append(write_text(report_dir / "audit.sarif", renderer("sarif")(result), target))
    operations = context.operations
    tagged = [(operation_tag(operations.get(label)), op) for label, op in context.results.operations.items()]
    written.append(write_text(report_dir / "junit.xml", junit.render(tagged), target))
    if allure_dir is not None:
        from conformance.reporting.allure import SEVERITY, write_frame

        values = {
            "target": target.base_url,
            "spec.sha256": loaded.sha256,
            "spec.path": str(loaded.path),
            "suite.version": __version__,
            "seed": str(context.results.seed),
        }
        checks = set(SEVERITY) | {f.check for op in context.results.operations.values() for f in op.failures}
        write_frame(allure_dir, target, values, checks)
        written += [allure_dir / "environment.properties", allure_dir / "categories.json"]
    return written
