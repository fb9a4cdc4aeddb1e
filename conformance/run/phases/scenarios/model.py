"""Scenario files: what a scenario says, read and checked before any request is sent.

A scenario is a Telnyx flow across operations, written as data (YAML or JSON) so that users add
their own without writing Python: named steps, each naming an operation of the spec (`request:
"POST /path"` or `operation: OperationId`) with its path, query and body, the values it extracts
from the answer (JSON pointers) and what the answer must show. Everything that can be checked
without a target is checked here (operations exist, path parameters are given, references name a
value an earlier step extracts), so a bad file stops the run at once with one line naming the
file and the place, instead of failing halfway through a flow against a live account.
See docs/scenarios.md for the format.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spec.index import Operation, SpecIndex

BUILTIN = Path(__file__).with_name("builtin")  # the default scenarios, run unless --no-scenarios
SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 256 * 1024  # a scenario is a few dozen lines; anything larger is not one
MAX_STEPS = 50
MAX_NODES = 100_000  # values in one file, aliases expanded: YAML anchors must not explode a body
REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_-]+)*)\}")
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
READS = frozenset({"get", "head", "options"})
_STEP_KEYS = {"name", "request", "operation", "path", "query", "body", "expect", "extract"}
_EXPECT_KEYS = {"status", "body", "error", "contains"}
_CONTAINS_KEYS = {"items", "where", "as"}


class ScenarioError(ValueError):
    """A scenario file that cannot be run: one line naming the file and what is wrong."""


@dataclass(frozen=True)
class Contains:
    """The answer's list (`items`, a pointer) holds an item whose fields equal `where`; `bind`
    names that item for later steps (`${bind.id}`). Lists are walked page by page."""

    items: str
    where: dict[str, Any]
    bind: str | None = None


@dataclass(frozen=True)
class Step:
    name: str
    operation: Operation
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    status: tuple[int, ...] = ()  # empty: any 2xx
    values: dict[str, Any] = field(default_factory=dict)  # JSON pointer -> expected value
    error: bool = False  # the answer carries Telnyx's error envelope
    contains: Contains | None = None
    extract: dict[str, str] = field(default_factory=dict)  # name -> JSON pointer

    @property
    def label(self) -> str:
        return f"{self.operation.method.upper()} {self.operation.path}"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    steps: tuple[Step, ...]
    cleanup: tuple[Step, ...]  # sent at the end whatever happened (deletes); never judged
    source: str  # the file, for messages

    @property
    def writes(self) -> list[str]:
        """The methods it sends that change data (a read-only target skips the scenario)."""
        methods = [s.operation.method.upper() for s in (*self.steps, *self.cleanup)]
        return sorted({m for m in methods if m.lower() not in READS})

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(s.label for s in (*self.steps, *self.cleanup)))


def scenario_files(folders: list[Path]) -> list[Path]:
    """The scenario files of each folder (a file given directly counts as itself), sorted."""
    found: list[Path] = []
    for folder in folders:
        if folder.is_file():
            found.append(folder)
        elif folder.is_dir():
            found += sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
        else:
            raise ScenarioError(f"--scenarios {folder}: no such file or directory")
    return found


def load_scenarios(folders: list[Path], index: SpecIndex, *, lenient: tuple[Path, ...] = ()) -> list[Scenario]:
    """Every scenario of the folders, checked against the spec; names must be unique. A scenario
    of a `lenient` folder (the built-in one, proven against the pinned spec by the suite's tests)
    that does not fit this spec (an operation it lacks, a path parameter renamed) is left out: a
    spec other than Telnyx's pinned one has no reason to stop the run; anywhere else that is an error."""
    scenarios: list[Scenario] = []
    for folder in folders:
        for path in scenario_files([folder]):
            try:
                scenario = load_scenario(path, index)
            except ScenarioError:
                if folder in lenient:
                    continue
                raise
            clash = next((s for s in scenarios if s.name == scenario.name), None)
            if clash is not None:
                raise ScenarioError(f"{path}: scenario name {scenario.name!r} is already used by {clash.source}")
            scenarios.append(scenario)
    return scenarios


def load_scenario(path: Path, index: SpecIndex) -> Scenario:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(f"{path}: over {MAX_FILE_BYTES // 1024} KiB, not a scenario file")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: unreadable ({type(exc).__name__})") from None
    import yaml

    try:
        data = yaml.safe_load(text)  # JSON is YAML
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{path}: not valid YAML or JSON{where}") from None
    return parse_scenario(data, index, str(path))


def parse_scenario(data: Any, index: SpecIndex, source: str) -> Scenario:
    where = _Where(source)
    data = _as_json(data, where)
    if not isinstance(data, dict):
        raise where.error("expected a mapping with name, steps")
    where.keys(data, {"name", "description", "steps", "cleanup"}, "the scenario")
    name = data.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise where.error("name: expected lowercase letters, digits, - or _ (at most 64)")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps or len(raw_steps) > MAX_STEPS:
        raise where.error(f"steps: expected a list of 1 to {MAX_STEPS} steps")
    known: set[str] = set()
    steps = tuple(_step(raw, index, where.at(f"steps[{n}]"), known) for n, raw in enumerate(raw_steps, 1))
    raw_cleanup = data.get("cleanup", [])
    if not isinstance(raw_cleanup, list) or len(raw_cleanup) > MAX_STEPS:
        raise where.error("cleanup: expected a list of steps")
    cleanup = tuple(_step(raw, index, where.at(f"cleanup[{n}]"), set(known)) for n, raw in enumerate(raw_cleanup, 1))
    description = data.get("description", "")
    return Scenario(name, description if isinstance(description, str) else "", steps, cleanup, source)


def _as_json(data: Any, where: "_Where") -> Any:
    """The file's data as JSON values (a YAML date becomes its text, a number key a string), so
    that every body can be sent; bounded, so that nested YAML aliases cannot expand without end."""
    import orjson

    stack, seen = [data], 0
    while stack:
        current = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise where.error(f"over {MAX_NODES:,} values (YAML aliases expanded): not a scenario file")
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    try:
        return orjson.loads(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))
    except (TypeError, orjson.JSONEncodeError):
        raise where.error("holds values JSON cannot carry (binary data, sets)") from None


class _Where:
    """Where in the file a problem is, for the one-line error."""

    def __init__(self, source: str, place: str = "") -> None:
        self.source, self.place = source, place

    def at(self, place: str) -> "_Where":
        return _Where(self.source, f"{self.place}.{place}" if self.place else place)

    def error(self, message: str) -> ScenarioError:
        return ScenarioError(f"{self.source}: {self.place + ': ' if self.place else ''}{message}")

    def keys(self, data: dict[str, Any], allowed: set[str], what: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.error(f"unknown key {unknown[0]!r} in {what} (allowed: {', '.join(sorted(allowed))})")


def _step(raw: Any, index: SpecIndex, where: _Where, known: set[str]) -> Step:
    """One step; `known` holds the names extracted so far (this step's are added)."""
    if not isinstance(raw, dict):
        raise where.error("expected a mapping with request (or operation), and optionally path, query, body")
    where.keys(raw, _STEP_KEYS, "a step")
    operation = _operation(raw, index, where)
    path = _mapping(raw, "path", where)
    needed = set(re.findall(r"\{([^}]+)\}", operation.path))
    if needed - set(path) or set(path) - needed:
        raise where.error(f"path: {operation.path} takes {sorted(needed) or 'no parameters'}, given {sorted(path)}")
    query, body = _mapping(raw, "query", where), raw.get("body")
    for key, values in (("path", path), ("query", query)):
        if not all(isinstance(v, (str, int, float, bool)) for v in values.values()):
            raise where.error(f"{key}: values must be text, numbers or booleans (one query key per value)")
    expect = _mapping(raw, "expect", where)
    where.keys(expect, _EXPECT_KEYS, "expect")
    for value in (path, query, body, expect):
        _check_references(value, known, where)
    extract = _mapping(raw, "extract", where)
    for name, pointer in extract.items():
        if not REFERENCE.fullmatch("${" + str(name) + "}") or not _is_pointer(pointer):
            raise where.error(f"extract: {name!r}: expected a name and a JSON pointer such as /data/id")
    contains = _contains(expect.get("contains"), where)
    known.update(extract)
    if contains is not None and contains.bind:
        known.add(contains.bind)
    values = expect.get("body", {})
    if not isinstance(values, dict) or not all(_is_pointer(k) for k in values):
        raise where.error("expect.body: expected a mapping of JSON pointers (/data/name) to values")
    name = raw.get("name") or f"{operation.method.upper()} {operation.path}"
    return Step(
        name=str(name),
        operation=operation,
        path=path,
        query=query,
        body=body,
        status=_statuses(expect.get("status"), where),
        values=values,
        error=expect.get("error") is True,
        contains=contains,
        extract={str(k): str(v) for k, v in extract.items()},
    )


def _operation(raw: dict[str, Any], index: SpecIndex, where: _Where) -> Operation:
    request, operation_id = raw.get("request"), raw.get("operation")
    if (request is None) == (operation_id is None):
        raise where.error('give one of request ("POST /path") or operation (an operationId)')
    for operation in index.operations:
        if operation_id is not None and operation.operation_id == operation_id:
            return operation
        if request is not None and f"{operation.method.upper()} {operation.path}" == str(request).strip():
            return operation
    wanted = f"operation {operation_id!r}" if operation_id is not None else f"request {request!r}"
    raise where.error(f"{wanted}: no such operation in the spec")


def _mapping(raw: dict[str, Any], key: str, where: _Where) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise where.error(f"{key}: expected a mapping")
    return value


def _statuses(value: Any, where: _Where) -> tuple[int, ...]:
    values = value if isinstance(value, list) else [] if value is None else [value]
    if not all(isinstance(v, int) and not isinstance(v, bool) and 100 <= v <= 599 for v in values):
        raise where.error("expect.status: expected an HTTP status or a list of them")
    return tuple(values)


def _contains(value: Any, where: _Where) -> Contains | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("where"), dict) or not value["where"]:
        raise where.error("expect.contains: expected items (a pointer, default /data), where (fields), as (a name)")
    where.keys(value, _CONTAINS_KEYS, "expect.contains")
    items, bind = value.get("items", "/data"), value.get("as")
    if not _is_pointer(items) or (bind is not None and not REFERENCE.fullmatch("${" + str(bind) + "}")):
        raise where.error("expect.contains: items must be a JSON pointer and as a name")
    return Contains(items, dict(value["where"]), str(bind) if bind is not None else None)


def _check_references(value: Any, known: set[str], where: _Where) -> None:
    """Every `${name...}` names a value an earlier step extracted."""
    if isinstance(value, dict):
        for item in value.values():
            _check_references(item, known, where)
    elif isinstance(value, list):
        for item in value:
            _check_references(item, known, where)
    elif isinstance(value, str):
        for match in REFERENCE.finditer(value):
            if match.group(1) not in known:
                raise where.error(f"${{{match.group(1)}}} is not extracted by an earlier step")


def _is_pointer(value: Any) -> bool:
    return isinstance(value, str) and (value == "" or value.startswith("/"))
