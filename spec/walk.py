"""The one `$ref`-following walk over schemas: from some roots, through `$ref`s and the
subschemas under chosen keywords, each location once, bounded.

Triage (which schemas a failure's check judged against), the Telnyx conventions (the
properties a schema defines through its `allOf` members) and the reference server all need
"every schema reached from here"; they differ only in which keywords they follow. The order is
depth first, the `$ref` target before the subschemas, last-listed member first: what a stack
gives, and what callers that keep the first definition of a name rely on.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from spec.index import SpecIndex
from spec.pointer import escape, get

_MISSING = object()


def walk(
    index: SpecIndex,
    roots: Iterable[str | tuple[str, Any]],
    *,
    lists: Iterable[str] = (),
    singles: Iterable[str] = (),
    maps: Iterable[str] = (),
    limit: int = 5000,
    max_depth: int | None = None,
) -> Iterator[tuple[str, Any]]:
    """(pointer, node) of every location reached from `roots` (pointers, or (pointer, node)
    pairs when the caller holds the node; the node may be no object: a boolean schema, a
    dangling pointer as None), the last root first: through `$ref`s and the subschemas under these
    keywords (lists of schemas, single schemas, maps of schemas); at most `limit` locations,
    and `max_depth` steps from a root when given."""
    lists, singles, maps = tuple(lists), tuple(singles), tuple(maps)
    stack: list[tuple[str, Any, int]] = [
        (root, _MISSING, 0) if isinstance(root, str) else (root[0], root[1], 0) for root in roots
    ]
    seen: set[str] = set()
    while stack and len(seen) < limit:
        pointer, node, depth = stack.pop()
        if pointer in seen or (max_depth is not None and depth > max_depth):
            continue
        if node is _MISSING:
            node = get(index.doc, pointer, None)
        seen.add(pointer)
        yield pointer, node
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = index.resolve(ref)
            if target is not None:
                stack.append((target[0], target[1], depth + 1))
        for key in singles:
            if isinstance(node.get(key), dict):
                stack.append((f"{pointer}/{key}", node[key], depth + 1))
        for key in lists:
            if isinstance(node.get(key), list):
                stack.extend((f"{pointer}/{key}/{i}", member, depth + 1) for i, member in enumerate(node[key]))
        for key in maps:
            if isinstance(node.get(key), dict):
                stack.extend((f"{pointer}/{key}/{escape(name)}", sub, depth + 1) for name, sub in node[key].items())


def step_down(doc: Any, pointers: Iterable[str], token: str | int) -> list[str]:
    """The schemas one level down from `pointers` for the instance key or index `token`: the
    named property (else `additionalProperties`), the `prefixItems` entry (else `items`). The
    combinators and `$ref`s at the new level are the caller's `walk`."""
    below: list[str] = []
    for pointer in pointers:
        node = get(doc, pointer, None)
        if not isinstance(node, dict):
            continue
        if isinstance(token, str):
            if isinstance(node.get("properties"), dict) and token in node["properties"]:
                below.append(f"{pointer}/properties/{escape(token)}")
            elif isinstance(node.get("additionalProperties"), dict):
                below.append(f"{pointer}/additionalProperties")
        else:
            prefix = node.get("prefixItems")
            if isinstance(prefix, list) and token < len(prefix):
                below.append(f"{pointer}/prefixItems/{token}")
            elif isinstance(node.get("items"), dict):
                below.append(f"{pointer}/items")
    return below
