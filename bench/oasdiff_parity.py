"""Our diff's breaking verdicts against oasdiff's, with oasdiff's own test suite as the oracle.

oasdiff (Go) cannot be installed here, but its checker tests state, for pairs of spec files
in its `data/`, which change ids it reports and at which level (ERR, WARN, INFO): its authors'
verdicts, kept in step with its code. `oasdiff_harvest` reads them from a git mirror of
oasdiff; this script extracts each pair (with the files they `$ref`) into a temporary folder,
diffs it in-process with `spec.diff.diff_models` (what `telnyx-conformance diff` runs) and
compares, through a hand-made table of ids that mean the same as one of our rules:

- an id oasdiff expects at ERR: we must report its rule as breaking;
- an id oasdiff expects at WARN or INFO: we must not report its rule as breaking;
- an ERR id a test asserts absent, or a test expecting no change: no breaking change of ours
  (of the rules mapped from the test's single check; of any rule when all checks ran).

A file our loader refuses is an `ours-errors` row, never a crash. The table goes into
docs/diff.md between its markers; the reasons for the disagreements are written by hand below.
Nothing of oasdiff's is copied into this repository: the mirror is read at run time.

Usage: python bench/oasdiff_parity.py [--oasdiff-repo PATH] [--output-md PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import posixpath
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import REPO_ROOT
from harness.docs import update_markdown
from oasdiff_harvest import Case, Catalogue, Skip, git_show, harvest

DEFAULT_REPO = Path("/work/.mirror/oasdiff+oasdiff/repo")
MARK_START, MARK_END = "<!-- oasdiff-parity -->", "<!-- /oasdiff-parity -->"
_REF = re.compile(r"\$ref['\"]?\s*:\s*['\"]?([^'\"#\s]+)")

_BOUNDS_REQ = ("max-decreased", "exclusive-max-decreased", "min-increased", "exclusive-min-increased")
_BOUNDS_REQ += ("max-length-decreased", "min-length-increased", "min-items-increased", "max-items-decreased")
_BOUNDS_REQ += ("max-set", "exclusive-max-set", "min-set", "exclusive-min-set", "max-length-set", "min-items-set")
_BOUNDS_RESP = ("max-increased", "exclusive-max-increased", "min-decreased", "exclusive-min-decreased")
_BOUNDS_RESP += ("max-length-increased", "max-length-unset", "min-length-decreased", "min-items-decreased")
_BOUNDS_RESP += ("min-items-unset",)

# oasdiff change id -> our rules of the same meaning (by hand; an id left out has no rule of ours).
MAPPING: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        [
            "api-path-removed-without-deprecation",
            "api-path-removed-before-sunset",
            "api-path-removed-with-deprecation",
            "api-removed-without-deprecation",
            "api-removed-before-sunset",
            "api-removed-with-deprecation",
        ],
        ("operation-removed",),
    ),
    "endpoint-added": ("operation-added",),
    "endpoint-deprecated": ("operation-deprecated",),
    "endpoint-deprecated-with-sunset": ("operation-deprecated",),
    **dict.fromkeys(
        [
            "request-parameter-removed",
            "request-parameter-removed-with-deprecation",
            "request-parameter-removed-before-sunset",
        ],
        ("parameter-removed",),
    ),
    "new-required-request-parameter": ("parameter-added-required",),
    "new-required-request-default-parameter-to-existing-path": ("parameter-added-required",),
    "new-optional-request-parameter": ("parameter-added-optional",),
    "new-optional-request-default-parameter-to-existing-path": ("parameter-added-optional",),
    "request-parameter-became-required": ("parameter-became-required",),
    "request-parameter-became-optional": ("parameter-became-optional",),
    "request-parameter-type-changed": ("parameter-type-changed", "parameter-format-changed"),
    "request-parameter-enum-value-removed": ("parameter-enum-narrowed",),
    "request-parameter-became-enum": ("parameter-enum-narrowed",),
    **{f"request-parameter-{b}": ("parameter-bounds-tightened",) for b in _BOUNDS_REQ},
    "request-parameter-pattern-added": ("parameter-pattern-added",),
    "request-parameter-pattern-changed": ("parameter-pattern-changed",),
    "request-body-added-required": ("request-body-added-required",),
    "request-body-added-optional": ("request-body-added-optional",),
    "request-body-became-required": ("request-body-became-required",),
    "request-body-removed": ("request-body-removed",),
    "request-body-media-type-removed": ("request-media-type-removed",),
    "request-body-media-type-added": ("request-media-type-added",),
    "request-property-became-required": ("request-property-became-required",),
    "request-property-became-required-with-default": ("request-property-became-required",),
    "new-required-request-property": ("request-property-became-required",),
    "new-required-request-property-with-default": ("request-property-became-required",),
    "new-optional-request-property": ("request-property-added",),
    "request-property-removed": ("request-property-removed",),
    **dict.fromkeys(
        ["request-property-type-changed", "request-body-type-changed"],
        ("request-property-type-changed", "request-property-format-changed"),
    ),
    **dict.fromkeys(
        [
            "request-property-enum-value-removed",
            "request-property-became-enum",
            "request-body-enum-value-removed",
            "request-body-became-enum",
        ],
        ("request-property-enum-narrowed",),
    ),
    **{f"request-{w}-{b}": ("request-property-bounds-tightened",) for w in ("body", "property") for b in _BOUNDS_REQ},
    "request-property-pattern-added": ("request-property-pattern-added",),
    "request-property-pattern-changed": ("request-property-pattern-changed",),
    "response-success-status-removed": ("response-status-removed",),
    "response-non-success-status-removed": ("response-error-status-removed",),
    "response-success-status-added": ("response-status-added",),
    "response-non-success-status-added": ("response-status-added",),
    "response-media-type-removed": ("response-media-type-removed",),
    "response-media-type-added": ("response-media-type-added",),
    "required-response-header-removed": ("response-header-removed",),
    "optional-response-header-removed": ("response-header-removed",),
    "response-header-added": ("response-header-added",),
    "response-required-property-removed": ("response-property-removed",),
    "response-optional-property-removed": ("response-property-removed",),
    "response-required-property-added": ("response-property-added",),
    "response-optional-property-added": ("response-property-added",),
    **dict.fromkeys(
        ["response-property-type-changed", "response-body-type-changed"],
        ("response-property-type-changed", "response-property-format-changed"),
    ),
    "response-property-became-nullable": ("response-property-became-nullable",),
    "response-body-became-nullable": ("response-property-became-nullable",),
    "response-property-became-optional": ("response-property-became-optional",),
    "response-property-enum-value-added": ("response-enum-widened",),
    **{f"response-{w}-{b}": ("response-bounds-relaxed",) for w in ("body", "property") for b in _BOUNDS_RESP},
    "api-security-added": ("security-requirement-added",),
    "api-global-security-added": ("security-requirement-added",),
    "api-security-removed": ("security-requirement-removed",),
    "api-global-security-removed": ("security-requirement-removed",),
    "api-security-scope-added": ("security-scopes-added",),
    "api-global-security-scope-added": ("security-scopes-added",),
}

# oasdiff walks into `not` and reports each change there under the id it gives the same change
# outside (a shorter maxLength inside `not` is its request-property-max-length-decreased); we
# compare a `not` whole, as one change of the rule keyed here, which stands in for these rules
# when a verdict is judged (the tables name the mapped rules only).
_UNDER_NOT = {
    "parameter-not-schema-changed": (
        *("parameter-type-changed", "parameter-format-changed", "parameter-enum-narrowed"),
        *("parameter-bounds-tightened", "parameter-pattern-added", "parameter-pattern-changed"),
    ),
    "request-not-schema-changed": (
        *("request-property-type-changed", "request-property-format-changed", "request-property-enum-narrowed"),
        *("request-property-bounds-tightened", "request-property-pattern-added", "request-property-pattern-changed"),
        *("request-property-became-required", "request-property-removed", "request-property-added"),
    ),
    "response-not-schema-changed": (
        *("response-property-type-changed", "response-property-format-changed", "response-enum-widened"),
        *("response-property-became-nullable", "response-property-became-optional", "response-bounds-relaxed"),
        *("response-property-removed", "response-property-added"),
    ),
}


@dataclass(frozen=True)
class Check:
    """One verdict compared: oasdiff's (`label`, breaking or not) and what we reported."""

    label: str  # the oasdiff id, or "no change" for an expectation of none
    level: str  # oasdiff's level of it (ERR, WARN, INFO), or the test's threshold
    rules: tuple[str, ...]
    breaking: bool  # oasdiff's verdict: the mapped change is breaking
    ours: str  # what we reported of those rules: "rule (level)", or "nothing"

    @property
    def agrees(self) -> bool:
        return self.breaking == ("(breaking)" in self.ours)


@dataclass(frozen=True)
class Row:
    case: Case
    checks: tuple[Check, ...]
    error: str | None = None

    @property
    def verdict(self) -> str:
        if self.error:
            return "ours-errors"
        if not self.checks:
            return "not comparable"
        return "agree" if all(c.agrees for c in self.checks) else "disagree"


def extract(repo: Path, path: str, target: Path, seen: set[str] | None = None) -> Path:
    """Write `path` of the mirror, and every file it `$ref`s, under `target` (same layout)."""
    seen = set() if seen is None else seen
    seen.add(path)
    text = git_show(repo, path)
    out = target / path
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    for ref in _REF.findall(text):
        other = posixpath.normpath(posixpath.join(posixpath.dirname(path), ref))
        if "://" not in ref and other not in seen and not other.startswith(".."):
            with contextlib.suppress(FileNotFoundError):  # a dangling $ref: our loader says so, as a row
                extract(repo, other, target, seen)
    return out


def our_changes(repo: Path, case: Case, work: Path, cache: dict[str, object]) -> list | str:
    """Our changes from the case's base to its revision, or why our loader refused a file."""
    from spec.diff import diff_models
    from spec.model import load_model

    models = []
    for path in (case.base, case.revision):
        if path not in cache:
            try:
                cache[path] = load_model(extract(repo, path, work), use_cache=False)
            except Exception as exc:  # a refusal is a row of the table, never a crash
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                cache[path] = f"{posixpath.basename(path)}: {first}"
        models.append(cache[path])
    refused = [m for m in models if isinstance(m, str)]
    if refused:
        return refused[0]
    try:
        return diff_models(models[0], models[1]).changes
    except Exception as exc:  # as above: the row says what failed
        return f"diff failed: {type(exc).__name__}: {exc}"


def _ours(changes: list, rules: Sequence[str]) -> str:
    rules = (*rules, *(n for n, facets in _UNDER_NOT.items() if set(rules) & set(facets)))
    found = sorted({(c.rule, c.level.label) for c in changes if c.rule in rules}, key=lambda f: (f[1] != "breaking", f))
    return ", ".join(f"{rule} ({level})" for rule, level in found) or "nothing"


def checks_of(case: Case, catalogue: Catalogue, changes: list) -> list[Check]:
    """The verdicts of one case that a mapped rule of ours can be held to."""
    checks: list[Check] = []
    present = [i for i in (catalogue.id_of(t) for t in case.present) if i]
    covered = {r for i in present for r in MAPPING.get(i, ())}
    for change_id in present:
        level = catalogue.level(change_id) or "?"
        if change_id in MAPPING and level != "?":
            rules = MAPPING[change_id]
            checks.append(Check(change_id, level, rules, level == "ERR", _ours(changes, rules)))
    for change_id in (i for i in (catalogue.id_of(t) for t in case.absent) if i):
        rules = tuple(r for r in MAPPING.get(change_id, ()) if r not in covered)
        if rules and catalogue.level(change_id) == "ERR":
            checks.append(Check(f"no {change_id}", "ERR", rules, False, _ours(changes, rules)))
    if case.exact:
        checks += _nothing_else(case, catalogue, changes, covered)
    if case.empty:
        if case.check is None:
            from spec.diff.rules import all_rules

            rules = tuple(rule.id for rule in all_rules())
        else:
            wanted = LEVEL_ORDER[case.level]
            ids = [i for i in catalogue.ids_of_check(case.check) if LEVEL_ORDER[catalogue.rules[i][0]] >= wanted]
            rules = tuple(sorted({r for i in ids for r in MAPPING.get(i, ())}))
        if rules:
            label = "no change" if case.check is None else f"no change ({case.check})"
            checks.append(Check(label, case.level, rules, False, _ours(changes, rules)))
    return checks


LEVEL_ORDER = {"INFO": 1, "WARN": 2, "ERR": 3}


def _nothing_else(case: Case, catalogue: Catalogue, changes: list, expected: set[str]) -> list[Check]:
    """A test that lists every change it expects: no breaking change of ours beyond them, among
    the rules oasdiff has too (mapped from an id of the check(s) the test ran)."""
    ids = catalogue.ids_of_check(case.check) if case.check else list(catalogue.rules)
    rules = {
        r for i in ids if LEVEL_ORDER[catalogue.rules[i][0]] >= LEVEL_ORDER[case.level] for r in MAPPING.get(i, ())
    }
    others = tuple(sorted(rules - expected))
    if not others:
        return []
    return [Check("nothing else", case.level, others, False, _ours(changes, others))]


def compare(repo: Path, catalogue: Catalogue, cases: list[Case]) -> list[Row]:
    """Every harvested case that names a mapped id or expects nothing, diffed by us."""
    rows: list[Row] = []
    cache: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="oasdiff-parity-") as tmp:
        for case in cases:
            ids = [catalogue.id_of(t) for t in case.present + case.absent]
            if not case.empty and not any(i in MAPPING for i in ids):
                continue
            changes = our_changes(repo, case, Path(tmp), cache)
            if isinstance(changes, str):
                rows.append(Row(case, (), changes))
                continue
            rows.append(Row(case, tuple(checks_of(case, catalogue, changes))))
    return rows


def _files(case: Case) -> str:
    return f"`{case.base.removeprefix('data/')}` → `{case.revision.removeprefix('data/')}`"


_SUMMED = {
    "no change": ("no change expected", "every mapped rule of the check run (all rules when all checks ran)"),
    "nothing else": ("nothing else (the test lists every change)", "the other mapped rules of the check(s) run"),
}


def _by_id(rows: list[Row]) -> list[str]:
    """The verdicts tallied by what oasdiff expects (expectations of nothing summed into one row each)."""
    tally: dict[tuple[str, str, str], Counter] = {}
    for row in rows:
        for check in row.checks:
            summed = next((v for k, v in _SUMMED.items() if check.label.startswith(k)), None)
            if summed:
                key = (f"`{summed[0]}`".replace(" (", "` (").replace(")`", ")"), "-", summed[1])
            else:
                key = (f"`{check.label}`", check.level, ", ".join(f"`{r}`" for r in check.rules))
            tally.setdefault(key, Counter())["agree" if check.agrees else "disagree"] += 1
    lines = ["| oasdiff expects | its level | our rule | checks | agree | disagree |", "|---|---|---|---:|---:|---:|"]
    for (label, level, rules), count in sorted(tally.items()):
        total = sum(count.values())
        lines.append(f"| {label} | {level} | {rules} | {total} | {count['agree']} | {count['disagree']} |")
    return lines


def _disagreements(rows: list[Row]) -> list[str]:
    lines = ["| oasdiff test | files (base → revision) | oasdiff | ours |", "|---|---|---|---|"]
    for row in rows:
        for check in row.checks:
            if not check.agrees:
                theirs = f"{check.label} ({check.level})"
                lines.append(f"| `{row.case.test}` | {_files(row.case)} | {theirs} | {check.ours} |")
    return lines


def section(commit: str, results: list, rows: list[Row]) -> str:
    """The markdown between the markers: the run's provenance, counts and tables."""
    cases = [r for r in results if isinstance(r, Case)]
    skips = Counter(re.sub(r" \(.*|:.*", "", s.reason) for s in results if isinstance(s, Skip))
    verdicts = Counter(row.verdict for row in rows)
    lines = [
        MARK_START,
        "Written by `python bench/oasdiff_parity.py` (`tox -e bench-oasdiff`) from oasdiff's tests at commit "
        f"`{commit}`; do not edit between the markers.",
        "",
        f"- oasdiff's checker tests read: {len(results)}; **harvested** (two whole data files, no edit in the test): "
        f"**{len(cases)}**; skipped: " + ", ".join(f"{reason} {n}" for reason, n in skips.most_common()) + ".",
        f"- **comparable** (a mapped id expected, or no change): **{verdicts['agree'] + verdicts['disagree']}** "
        f"cases ({sum(len(r.checks) for r in rows)} verdicts); **agree {verdicts['agree']}**, "
        f"**disagree {verdicts['disagree']}**, ours-errors {verdicts['ours-errors']}, "
        f"no mapped verdict {verdicts['not comparable']}.",
        "",
        "Verdicts by what oasdiff expects (ERR: we must call it breaking; WARN or INFO: we must not):",
        "",
        *_by_id(rows),
        "",
        "The disagreements (reasons below the markers):",
        "",
        *_disagreements(rows),
    ]
    errors = [row for row in rows if row.error]
    if errors:
        lines += ["", "Pairs our loader refuses:", ""]
        lines += [f"- `{row.case.test}` ({_files(row.case)}): {row.error}" for row in errors]
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--oasdiff-repo", metavar="PATH", default=str(DEFAULT_REPO))
    parser.add_argument("--output-md", metavar="PATH", default=str(REPO_ROOT / "docs" / "diff.md"))
    args = parser.parse_args(argv)
    repo = Path(args.oasdiff_repo)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    if not repo.is_dir() or head.returncode != 0:
        print(
            f"oasdiff_parity: error: no oasdiff git mirror at {repo} (fetch github:oasdiff/oasdiff, or git clone "
            "https://github.com/oasdiff/oasdiff, and pass --oasdiff-repo PATH)",
            file=sys.stderr,
        )
        return 2
    catalogue, results = harvest(repo)
    rows = compare(repo, catalogue, [r for r in results if isinstance(r, Case)])
    text = section(head.stdout.strip()[:12], results, rows)
    print(text)
    update_markdown(Path(args.output_md), text, MARK_START, MARK_END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
