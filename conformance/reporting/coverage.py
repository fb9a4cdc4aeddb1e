"""What a run exercised of each operation: documented vs observed status codes, and the share of
the documented response properties that answers actually carried.

Pure functions over the spec index and decoded bodies; the plugin feeds them from its
after_call hook. A property is named by its path in the body (`data[].id`) under the response
key it is documented for (`200 data[].id`), so the same name under two codes counts twice.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from spec.index import Operation, SpecIndex
from spec.pointer import escape

MAX_DEPTH = 8  # nesting followed into a response schema
MAX_PROPERTIES = 3000  # documented paths kept per response: some schemas expand combinatorially
MAX_ITEMS = 50  # array elements of a body looked at
COMPOSITIONS = ("allOf", "anyOf", "oneOf")


def documented_statuses(operation: Operation) -> list[str]:
    responses = operation.node.get("responses")
    return [str(code) for code in responses] if isinstance(responses, dict) else []


def response_key(status: int, documented: Iterable[str]) -> str | None:
    """The documented response an answer with `status` is judged against: the code itself,
    then its range (`4XX`), then `default`; None when the operation documents none of them."""
    keys = {key.upper(): key for key in documented}
    for candidate in (str(status), f"{str(status)[0]}XX", "DEFAULT"):
        if candidate in keys:
            return keys[candidate]
    return None


def response_schema(index: SpecIndex, operation: Operation, key: str) -> tuple[str, Any] | None:
    """(pointer, schema) of the JSON body documented for response `key`, if any."""
    responses = operation.node.get("responses") or {}
    pointer, response = index.deref(f"{operation.pointer}/responses/{escape(key)}", responses.get(key))
    content = response.get("content") if isinstance(response, dict) else None
    if not isinstance(content, dict):
        return None
    for media, value in sorted(content.items(), key=lambda item: "json" not in item[0]):
        if "json" in media and isinstance(value, dict) and isinstance(value.get("schema"), dict):
            return f"{pointer}/content/{escape(media)}/schema", value["schema"]
    return None


def schema_properties(index: SpecIndex, pointer: str, schema: Any) -> frozenset[str]:
    """Every property path a body valid for `schema` may carry (bounded in depth and number)."""
    found: set[str] = set()
    _walk(index, pointer, schema, "", found, (), 0)
    return frozenset(found)


def _walk(index: SpecIndex, pointer: str, node: Any, path: str, found: set[str], stack: tuple[str, ...], depth: int):
    pointer, node = index.deref(pointer, node)
    if not isinstance(node, dict) or pointer in stack or depth > MAX_DEPTH or len(found) >= MAX_PROPERTIES:
        return
    stack = (*stack, pointer)
    properties = node.get("properties")
    if isinstance(properties, dict):
        for name, sub in properties.items():
            child = f"{path}.{name}" if path else str(name)
            found.add(child)
            _walk(index, f"{pointer}/properties/{escape(str(name))}", sub, child, found, stack, depth + 1)
    if isinstance(node.get("items"), dict):
        _walk(index, f"{pointer}/items", node["items"], f"{path}[]", found, stack, depth + 1)
    for keyword in COMPOSITIONS:
        branches = node.get(keyword)
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                _walk(index, f"{pointer}/{keyword}/{i}", branch, path, found, stack, depth)


def body_properties(body: Any, documented: frozenset[str]) -> set[str]:
    """The documented property paths present in a decoded JSON body."""
    seen: set[str] = set()
    for path in _paths(body, "", 0):
        if path in documented:
            seen.add(path)
    return seen


def _paths(value: Any, path: str, depth: int) -> Iterator[str]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        for name, sub in value.items():
            child = f"{path}.{name}" if path else str(name)
            yield child
            yield from _paths(sub, child, depth + 1)
    elif isinstance(value, list):
        for item in value[:MAX_ITEMS]:
            yield from _paths(item, f"{path}[]", depth + 1)


@dataclass
class Coverage:
    """Documented property sets of one spec, computed once per (operation, response key)."""

    index: SpecIndex
    _documented: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)

    def documented(self, operation: Operation, key: str) -> frozenset[str]:
        cache_key = (operation.pointer, key)
        if cache_key not in self._documented:
            found = response_schema(self.index, operation, key)
            self._documented[cache_key] = schema_properties(self.index, *found) if found else frozenset()
        return self._documented[cache_key]

    def all_documented(self, operation: Operation) -> set[str]:
        """`KEY path` for every documented property of every documented response."""
        return {f"{key} {p}" for key in documented_statuses(operation) for p in self.documented(operation, key)}

    def seen(self, operation: Operation, status: int, body: Any) -> set[str]:
        """`KEY path` for the documented properties this answer carried."""
        key = response_key(status, documented_statuses(operation))
        if key is None:
            return set()
        return {f"{key} {p}" for p in body_properties(body, self.documented(operation, key))}


def responses_observed(documented: Iterable[str], observed: Iterable[int]) -> set[str]:
    """The documented response keys some observed status code was judged against."""
    documented = list(documented)
    return {key for status in observed if (key := response_key(status, documented)) is not None}
