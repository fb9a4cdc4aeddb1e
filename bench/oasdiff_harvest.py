"""Harvest oasdiff's own expectations from its Go tests, without Go.

oasdiff cannot be installed here (no Go module proxy, no GitHub downloads), but its
`checker/*_test.go` tests load pairs of spec files from `data/` and assert which change ids
the checker reports: its authors' verdicts on those pairs. This module reads the Go source
with regular expressions (the tests are regular enough) and keeps the tests that compare two
whole data files with no edit in the test, as `Case`s; every other test is a `Skip` with the
reason, so the harvest's coverage is counted, not assumed. The mirror is read with `git show`
(a bare mirror has no work tree); nothing of oasdiff's is copied into this repository.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LEVELS = ("INFO", "WARN", "ERR")

_TEST_FUNC = re.compile(r"^func (Test\w+)\(t \*testing\.T\) \{\n(.*?)^\}", re.S | re.M)
_DATA_FN = re.compile(r"(\w+)\s*=\s*dataFileFn\(\"([^\"]+)\"\)")
_OPEN = re.compile(r"\bopen\(((?:\"[^\"]*\")|(?:\w+\(\"[^\"]*\"\))|\w+)")
_NUMBERED = re.compile(r"\bl\(t, (\d+)\b")
_D_HELPER = re.compile(r"(?<![\w.])d\(t, (.+?), (\d+), (\d+)[,)]")
_RUN = re.compile(r"checker\.CheckBackwardCompatibility(UntilLevel)?\((.+?), \w+, \w+(?:, checker\.(\w+))?\)")
_SINGLE = re.compile(r"^singleCheckConfig\(checker\.(\w+)\)$")
_EDIT = re.compile(r"\.Spec\b|load\.SpecInfo\{|\.Extensions\[|config\.\w+\s*=|WithSeverityLevels")
_TABLE = re.compile(r"\bt\.Run\(|for _, \w+ := range (?!(?:errs|changes|r)\b)")
_EXPECT_PRESENT = (
    re.compile(r"requireSingleChange\(t, \w+, checker\.(\w+)\)"),
    re.compile(r"requireChange\(t, \w+, checker\.(\w+)\)"),
    re.compile(r"require\.Equal\(t, checker\.(\w+Id), \w+(?:\[\d+\])?\.GetId\(\)"),
    re.compile(r"require\.Equal\(t, (\"[a-z0-9-]+\"), \w+(?:\[\d+\])?\.GetId\(\)"),
    re.compile(r"\bId:\s*checker\.(\w+)"),
    re.compile(r"require\.True\(t, containsId\(\w+, checker\.(\w+)\)"),
    re.compile(r"require\.True\(t, ids\[checker\.(\w+)\]"),
    re.compile(r"\.GetId\(\) == checker\.(\w+)"),  # a loop that sets `found`, then require.True(t, found)
    re.compile(r"require\.Equal\(t, (checker\.\w+Id|\"[a-z0-9-]+\"), \w+\.Id\)"),
)
_EXPECT_ABSENT = (
    re.compile(r"requireNoChange\(t, \w+, checker\.(\w+)\)"),
    re.compile(r"require\.False\(t, containsId\(\w+, checker\.(\w+)\)"),
)
_EXPECT_EMPTY = re.compile(r"require\.(?:Empty\(t, (?!err\))\w+\)|Len\(t, (?!err,)\w+, 0\))")
_CONST = re.compile(r"^\s*(\w+Id)\s*=\s*\"([^\"]+)\"", re.M)
_RULE = re.compile(r"newBackwardCompatibilityRule\((\w+), (INFO|WARN|ERR), (\w+),")


@dataclass(frozen=True)
class Case:
    """One oasdiff test that diffs two whole files: what it loads and what it expects.

    `check` is the single check the test enables (None: all checks); `level` the lowest level
    it asks for (`CheckBackwardCompatibility` stops at WARN). `present` and `absent` are the
    change ids it asserts, as written (Go constant names, or quoted id strings: see
    `Catalogue.id_of`); `empty` that it asserts no change at all; `exact` that `present` is all
    the run reports (so any other breaking change of ours is one oasdiff does not see)."""

    test: str
    base: str
    revision: str
    check: str | None
    level: str
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    empty: bool = False
    exact: bool = False  # the test lists every change it expects (requireSingleChange, a matching Len...)


@dataclass(frozen=True)
class Skip:
    test: str
    reason: str


@dataclass
class Catalogue:
    """oasdiff's change ids: Go constant -> id string, id string -> (level, check)."""

    ids: dict[str, str] = field(default_factory=dict)
    rules: dict[str, tuple[str, str]] = field(default_factory=dict)

    def id_of(self, token: str) -> str | None:
        """A test's expectation token (a Go constant, or a quoted id string) as an id."""
        if token.startswith('"'):
            return token.strip('"')
        return self.ids.get(token.removeprefix("checker."))

    def level(self, change_id: str) -> str | None:
        rule = self.rules.get(change_id)
        return rule[0] if rule else None

    def ids_of_check(self, check: str) -> list[str]:
        return sorted(i for i, (_, c) in self.rules.items() if c == check)


def git_show(repo: Path, path: str, commit: str = "HEAD") -> str:
    """A file of the mirror at `commit` (a bare mirror has no work tree to read)."""
    done = subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{path}"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise FileNotFoundError(f"{path}: {done.stderr.strip()}")
    return done.stdout


def git_ls(repo: Path, folder: str, commit: str = "HEAD") -> list[str]:
    done = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "--name-only", f"{commit}:{folder}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return [f"{folder}/{name}" for name in done.stdout.split()]


def catalogue(constants_go: str, rules_go: str) -> Catalogue:
    """Parse the id constants (all of checker/*.go, concatenated) and the rule registry."""
    ids = dict(_CONST.findall(constants_go))
    rules = {ids[c]: (level, check) for c, level, check in _RULE.findall(rules_go) if c in ids}
    return Catalogue(ids, rules)


def data_functions(helpers_go: str) -> dict[str, str]:
    """`deprecationFile = dataFileFn("deprecation")` -> {"deprecationFile": "deprecation"}."""
    return dict(_DATA_FN.findall(helpers_go))


def _data_path(expr: str, folders: dict[str, str]) -> str | None:
    """A file expression of a test as a repository path, or None when it is not a literal."""
    if expr.startswith('"'):
        return posixpath.normpath(posixpath.join("checker", expr.strip('"')))
    call = re.fullmatch(r"(\w+)\(\"([^\"]*)\"\)", expr)
    if call and call.group(1) in folders:
        return f"data/{folders[call.group(1)]}/{call.group(2)}"
    return None


def _files(body: str, folders: dict[str, str]) -> tuple[list[str], str | None, str | None]:
    """(files loaded, the d() helper's diff config if used, why the files cannot be known)."""
    helper = _D_HELPER.search(body)
    if helper:
        return [f"data/openapi-test{helper.group(2)}.yaml", f"data/openapi-test{helper.group(3)}.yaml"], helper[1], None
    files = [f"data/openapi-test{n}.yaml" for n in _NUMBERED.findall(body)]
    for expr in _OPEN.findall(body):
        path = _data_path(expr, folders)
        if path is None:
            return [], None, f"file name not a literal ({expr})"
        files.append(path)
    return files, None, None


def _edits_loaded(body: str) -> bool:
    """Whether a spec the test loaded is handed to anything but the diff (a helper that edits it)."""
    names = re.findall(r"^\s*(\w+), err :?= open\(|^\s*(\w+) :?= l\(t,", body, re.M)
    for name in {a or b for a, b in names}:
        for line in body.splitlines():
            if re.search(rf"\b{name}\b", line) and not re.search(r"open\(|\bl\(t,|diff\.Get", line):
                return True
    return False


_EXACT = re.compile(r"\brequire(?:SingleChange|SingleApiChange|ApiChanges)\(")
_LEN = re.compile(r"require\.Len\(t, (?!err,)\w+, (\d+)\)")


def _expectations(body: str) -> tuple[tuple[str, ...], tuple[str, ...], bool, bool]:
    """(ids asserted present, ids asserted absent, no change asserted, the list is complete)."""
    found = [m.removeprefix("checker.") for pattern in _EXPECT_PRESENT for m in pattern.findall(body)]
    found = [m for m in found if not m.endswith("Check")]
    absent = sorted({m for pattern in _EXPECT_ABSENT for m in pattern.findall(body)})
    lengths = {int(n) for n in _LEN.findall(body)}
    exact = bool(found) and (bool(_EXACT.search(body)) or lengths == {len(found)})
    return tuple(sorted(set(found))), tuple(absent), bool(_EXPECT_EMPTY.search(body)), exact


def _run_config(body: str, helper_config: str | None) -> tuple[str | None, str, str | None]:
    """(single check or None for all, level threshold, why the run cannot be compared)."""
    runs = _RUN.findall(body)
    if helper_config is not None:
        if runs:
            return None, "WARN", "several checker runs"
        if helper_config != "diff.NewConfig()":
            return None, "WARN", "diff config changed"
        return None, "WARN", None
    if len(runs) != 1:
        return None, "WARN", "no checker run" if not runs else "several checker runs"
    until, config, level = runs[0]
    assigned = re.search(rf"^\s*{re.escape(config)} := (.+)$", body, re.M)
    config = assigned.group(1).strip() if assigned else config
    level = level if until else "WARN"
    if level not in LEVELS:
        return None, "WARN", f"level {level}"
    if "diff.NewConfig()" not in body or re.search(r"diff\.NewConfig\(\)\.With", body):
        return None, level, "diff config changed"
    if config == "allChecksConfig()":
        return None, level, None
    single = _SINGLE.match(config)
    if single:
        return single.group(1), level, None
    return None, level, f"checker options: {config}"


def harvest_test(name: str, body: str, folders: dict[str, str]) -> Case | Skip:
    """One test function's body as a comparable case, or the reason it is not one."""
    if _TABLE.search(body):
        return Skip(name, "table-driven")
    files, helper_config, unknown = _files(body, folders)
    if unknown:
        return Skip(name, unknown)
    if len(files) != 2:
        return Skip(name, "loads no pair of data files")
    if _EDIT.search(body) or _edits_loaded(body):
        return Skip(name, "edits a loaded spec or the config in the test")
    check, level, problem = _run_config(body, helper_config)
    if problem:
        return Skip(name, problem)
    present, absent, empty, exact = _expectations(body)
    if empty and present:
        return Skip(name, "expects both changes and none")
    if not (present or absent or empty):
        return Skip(name, "no recognised expectation")
    return Case(name, files[0], files[1], check, level, present, absent, empty, exact)


def harvest_source(source: str, file_name: str, folders: dict[str, str]) -> list[Case | Skip]:
    """Every test function of one Go test file, harvested."""
    return [harvest_test(f"{file_name}:{name}", body, folders) for name, body in _TEST_FUNC.findall(source)]


def harvest(repo: Path) -> tuple[Catalogue, list[Case | Skip]]:
    """oasdiff's catalogue and every checker test of the mirror at `repo`, harvested."""
    checker = [p for p in git_ls(repo, "checker") if p.endswith(".go")]
    constants = "\n".join(git_show(repo, p) for p in checker if not p.endswith("_test.go"))
    found = catalogue(constants, git_show(repo, "checker/rules.go"))
    folders = data_functions(git_show(repo, "checker/helpers_test.go"))
    results: list[Case | Skip] = []
    for path in sorted(p for p in checker if p.endswith("_test.go")):
        results += harvest_source(git_show(repo, path), posixpath.basename(path), folders)
    return found, results
