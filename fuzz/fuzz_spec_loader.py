"""Fuzz target: the spec loader (`spec/parse.py`, `spec/load.py`) on hostile bytes.

The documented outcome for bad input is `spec.errors.SpecError` (one line, no traceback);
anything else escaping is a bug. For the same bytes, the target checks:

1. `parse_document` returns data and the decoded text, or raises SpecError;
2. `load_spec` on a file holding the bytes (no cache) fails with SpecError whenever the parse
   did, and otherwise returns the parse's data;
3. a loaded document can be indexed (`LoadedSpec.index()`), and the targeted locator
   (`LazyLocator`, the `--no-cache` path) agrees with the full scan (`build_locator`, the
   cached path) on the document's pointers, every position inside the text;
4. through the parse cache (a private cache directory), a second load is a cache hit with
   the same data and the same positions.
"""

from __future__ import annotations

import atexit
import json
import marshal
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from spec.errors import SpecError
from spec.load import load_spec
from spec.locate import build_locator
from spec.parse import MAX_DEPTH, parse_document
from spec.pointer import escape

NAME = "spec_loader"
MAX_POINTERS = 300  # the pointers of one document the locators are compared on

_MINIMAL = b"openapi: 3.1.0\ninfo:\n  title: t\n  version: '1'\npaths: {}\n"
SEEDS: list[bytes] = [
    _MINIMAL,
    b'{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}',
    b'{\n  "openapi": "3.1.0",\n  "info": {"title": "t", "version": "1"},\n  "paths": {\n    "/a": {}\n  }\n}\n',
    _MINIMAL.replace(
        b"paths: {}",
        b"paths:\n  /a/{id}:\n    get:\n      parameters:\n        - name: id\n          in: path\n"
        b"          required: true\n          schema: {type: string}\n      responses:\n"
        b"        200: {description: ok}\n        default:\n          $ref: '#/components/responses/E'\n"
        b"components:\n  responses:\n    E:\n      description: |\n        an error\n        on two lines\n",
    ),
    _MINIMAL + b"x-a: 1\nx-a: 2\n",  # duplicate keys: only PyYAML takes them
    _MINIMAL + b"x-base: &base {a: 1}\nx-derived:\n  <<: *base\n  b: 2\n",
    _MINIMAL + b"x-when: 2024-01-02\nx-nan: .nan\nx-inf: -.inf\ntrue: yes\n~: null\n1.5: float key\n",
    b"\xef\xbb\xbf" + _MINIMAL,  # a byte-order mark
    b"openapi: 3.1.0\ninfo: [a, b\npaths: {}\n",
    b'{"openapi": "3.1.0",\n "info": }',
    b"- just\n- a list\n",
    b"swagger: '2.0'\n",
    b"openapi: 4.0.0\n",
    b"openapi: 3.1.0\ninfo: \xff\xfe\n",
    b"   \n",
    b"",
    b"[" * MAX_DEPTH + b"]" * MAX_DEPTH,
    b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
    b"".join(b" " * i + b"k%d:\n" % i for i in range(MAX_DEPTH)) + b" " * MAX_DEPTH + b"v: 1\n",
    b"openapi: 3.1.0\n---\nopenapi: 3.0.0\n",
    b"%YAML 1.2\n---\nopenapi: !!str 3.1.0\npaths: !!map {}\n...\n",
    b"openapi: 3.1.0\n? [complex, key]\n: value\n",
    b"openapi: 3.1.0\npaths:\n  '/a':\n\t  get: {}\n",
]

# Pieces of YAML and JSON syntax the mutations splice in.
_TOKENS = [
    b": ", b"- ", b"\n", b"\n  ", b"\t", b"{", b"}", b"[", b"]", b",", b"'", b'"', b"#", b"&a ", b"*a",
    b"<<: ", b"? ", b"|\n", b">-\n", b"!!binary ", b"!!python/object ", b"---\n", b"...\n", b"%YAML 1.1\n",
    b"\xef\xbb\xbf", b"\\u0000", b"\x00", b"\xff", b"\r\n", b"~", b"null", b"true", b"1e309", b"-0",
    b"2024-01-01", b".nan", b"0x1F", b"openapi: 3.1.0\n", b'"openapi": "3.0.0"', b"$ref: '#/a'",
]  # fmt: skip


def target(data: bytes) -> None:
    """Raises only on a bug: a non-SpecError exception, or a broken invariant (AssertionError)."""
    try:
        parsed, text = parse_document(data, "spec.yml")
    except SpecError:
        parsed = text = None
    else:
        assert text == data.decode("utf-8-sig"), "the decoded text is not the file's text"
    path = _workdir() / "spec.yml"
    path.write_bytes(data)
    try:
        loaded = load_spec(path, allow_unpinned=True, use_cache=False)
    except SpecError:
        return
    assert text is not None, "load_spec accepted bytes that parse_document refused"
    assert _same(loaded.data, parsed), "load_spec's data differs from parse_document's"
    loaded.index()
    pointers = list(_pointers(loaded.data))
    full = build_locator(text).locate_all(pointers)
    lazy = loaded.locator.locate_all(pointers)
    assert lazy == full, f"the targeted locator disagrees with the full scan: {_first_difference(lazy, full)}"
    _check_positions(full, text)
    _check_cache(path, loaded.data, pointers, full)


def _check_positions(positions: dict[str, tuple[int, int]], text: str) -> None:
    lines = text.split("\n")
    for pointer, (line, column) in positions.items():
        assert 1 <= line <= len(lines), f"{pointer!r} located at line {line} of {len(lines)}"
        assert 1 <= column <= len(lines[line - 1]) + 1, f"{pointer!r} located at column {column} of line {line}"


def _check_cache(path: Path, data: Any, pointers: list[str], positions: dict[str, tuple[int, int]]) -> None:
    """Through a private parse cache: a miss that stores, then a hit with the same data and places."""
    cache = _workdir() / "cache"
    previous = os.environ.get("TELNYX_CONFORMANCE_CACHE")
    os.environ["TELNYX_CONFORMANCE_CACHE"] = str(cache)
    try:
        first = load_spec(path, allow_unpinned=True)
        second = load_spec(path, allow_unpinned=True)
    finally:
        if previous is None:
            os.environ.pop("TELNYX_CONFORMANCE_CACHE", None)
        else:
            os.environ["TELNYX_CONFORMANCE_CACHE"] = previous
        shutil.rmtree(cache, ignore_errors=True)
    for loaded in (first, second):
        assert _same(loaded.data, data), f"the cached path's data differs (from_cache={loaded.from_cache})"
        found = loaded.locator.locate_all(pointers)
        assert found == positions, f"the cached path's positions differ: {_first_difference(found, positions)}"
    assert second.from_cache or not _marshallable(data), "a second load of a cacheable spec missed the cache"


def _marshallable(data: Any) -> bool:
    try:
        marshal.dumps(data)
    except ValueError:
        return False
    return True


def _pointers(data: Any) -> Iterator[str]:
    """The document's JSON pointers, breadth first, at most MAX_POINTERS."""
    queue: list[tuple[str, Any]] = [("", data)]
    for count, (pointer, node) in enumerate(queue, 1):
        yield pointer
        if count >= MAX_POINTERS:
            return
        if isinstance(node, dict):
            queue.extend((f"{pointer}/{escape(str(key))}", value) for key, value in node.items())
        elif isinstance(node, list):
            queue.extend((f"{pointer}/{i}", value) for i, value in enumerate(node))


def _same(a: Any, b: Any) -> bool:
    """Equal as data, NaN equal to NaN (YAML's .nan) and types kept apart (1 is not True)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _first_difference(found: dict[str, Any], expected: dict[str, Any]) -> str:
    for pointer, place in expected.items():
        if found.get(pointer) != place:
            return f"{pointer!r}: {found.get(pointer)} instead of {place}"
    return "(none)"


_WORKDIR: list[Path] = []


def _workdir() -> Path:
    """One private directory per process for the spec file and the cache (removed at exit)."""
    if not _WORKDIR:
        _WORKDIR.append(Path(tempfile.mkdtemp(prefix="fuzz-spec-loader-")))
        atexit.register(shutil.rmtree, _WORKDIR[0], True)
    return _WORKDIR[0]


# --- inputs -------------------------------------------------------------------------------------


def strategy() -> st.SearchStrategy[bytes]:
    """Raw bytes, YAML and JSON renderings of OpenAPI-shaped documents, mutated seeds, and nesting
    around the depth limit."""
    return st.one_of(
        st.binary(max_size=512),
        _documents(),
        _mutated(),
        _nesting(),
        _yaml_lines(),
        st.lists(st.sampled_from([*_TOKENS, *(bytes([c]) for c in b"abc019 :")]), max_size=40).map(b"".join),
    )


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["3.1.0", "3.0.3", "#/components/schemas/A", "/a/{id}", "{id}", "string", "object", "$ref"]),
)
_KEYS = st.one_of(
    st.sampled_from(["openapi", "info", "paths", "components", "schemas", "$ref", "get", "responses", "200", "a/b"]),
    st.text(max_size=12),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=25,
)


@st.composite
def _documents(draw: st.DrawFn) -> bytes:
    """An OpenAPI-shaped document (half the time with an `openapi` field), as YAML or JSON text."""
    doc = draw(st.dictionaries(_KEYS, _VALUES, max_size=5))
    if draw(st.booleans()):
        doc = {"openapi": draw(st.sampled_from(["3.0.3", "3.1.0", "3.2.0", "2.0", "4"])), **doc}
    style = draw(st.sampled_from(["block", "flow", "json", "json-indented"]))
    if style.startswith("json"):
        return json.dumps(doc, indent=2 if style == "json-indented" else None).encode()
    return yaml.safe_dump(doc, default_flow_style=style == "flow", allow_unicode=draw(st.booleans())).encode()


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    """A seed with a few bytes replaced, deleted, or syntax tokens spliced in."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        action = draw(st.sampled_from(["token", "byte", "delete"]))
        if action == "token":
            data[at:at] = draw(st.sampled_from(_TOKENS))
        elif action == "byte":
            data[at : at + 1] = bytes([draw(st.integers(min_value=0, max_value=255))])
        else:
            del data[at : at + draw(st.integers(min_value=1, max_value=8))]
    return bytes(data)


_LINE_KEYS = st.sampled_from(
    ["a", "b", "paths", "/a/{id}", "200", "x-y", "true", "~", "-k", "a b", "a:b", "k#c", "$ref"] * 2
    + ['"a"', '"\\x41"', '"a\\"b"', '"\\u00e9"', '"\\t"', "'a''b'", "'#'", '""', "? a"]
)
# Mostly values that keep the document valid (an empty one opens a nested block), some that do not.
_LINE_VALUES = st.sampled_from(
    ["", "", "", " 1", " a", " '1'", ' "a b"', " [1, {a: 2}]", " {a: [1]}", " |", " >-", " &x", " *x",
     " !!str 1", " # c", " null", " 2024-01-01"] * 3
    + [" a: b", " - 1", " {", " ]", " 'multi", " - a: 1"]
)  # fmt: skip


@st.composite
def _yaml_lines(draw: st.DrawFn) -> bytes:
    """Hand-made block YAML, mostly well formed: mappings and sequences at wandering indentation,
    keys of every quoting style, block scalars, anchors, flow values, comments, and now and then
    a line that breaks the pattern (what the locator's line scanner reads)."""
    lines, levels, opened = ["openapi: 3.1.0"], [(0, "map")], False
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        if opened:
            step = draw(st.sampled_from([2, 2, 4, 1]))
            levels.append((levels[-1][0] + step, draw(st.sampled_from(["map", "map", "seq"]))))
        else:
            del levels[draw(st.integers(min_value=1, max_value=len(levels))) :]
        indent, kind = levels[-1]
        value = draw(_LINE_VALUES)
        odd = draw(st.integers(min_value=0, max_value=19))
        if odd == 0:  # a line that breaks the pattern
            lines.append(" " * (indent + draw(st.sampled_from([-1, 1, 3]))) + draw(st.text(max_size=8) | _LINE_KEYS))
        elif odd == 1:
            lines.append(draw(st.sampled_from(["", "# note", " " * indent + "# note", "---", ""])))
        elif kind == "map":
            lines.append(f"{' ' * indent}{draw(_LINE_KEYS)}:{value}")
        else:
            lines.append(f"{' ' * indent}-{value or ' x'}" if draw(st.booleans()) else f"{' ' * indent}- k:{value}")
        opened = odd > 1 and kind == "map" and not value
    return ("\n".join(lines) + "\n").encode()


@st.composite
def _nesting(draw: st.DrawFn) -> bytes:
    """Flow or block nesting just under, at and over MAX_DEPTH."""
    depth = draw(st.integers(min_value=MAX_DEPTH - 3, max_value=MAX_DEPTH + 3))
    if draw(st.booleans()):
        opener, closer = draw(st.sampled_from([(b"[", b"]"), (b"{a: ", b"}"), (b'{"a":', b"}")]))
        return b"openapi: 3.1.0\nx: " + opener * depth + b"1" + closer * depth + b"\n"
    return b"openapi: 3.1.0\n" + b"".join(b" " * i + b"k:\n" for i in range(depth)) + b" " * depth + b"v: 1\n"
