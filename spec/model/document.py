"""One parsed spec as the model sees it: its data, `$ref` resolution and where things are."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from spec.pointer import from_fragment, get


@dataclass
class Document:
    data: dict[str, Any]
    locator: Any  # spec.locate.Locator or LazyLocator
    version: str  # "2.0", "3.0", "3.1"
    refs: list[tuple[str, str]] | None = None  # (holder pointer, $ref), sorted by holder when given
    _resolved: dict[str, tuple[str, Any] | None] = field(default_factory=dict, repr=False)

    def all_refs(self) -> list[tuple[str, str]]:
        """(holder pointer, $ref) of every `$ref`, sorted by holder (walked once when not given)."""
        if self.refs is None:
            from spec.index import walk_structure

            self.refs = sorted(walk_structure(self.data)[1])
        return self.refs

    def resolve(self, ref: str) -> tuple[str, Any] | None:
        """(pointer, value) of a local `$ref`, following chains; None when it does not resolve."""
        if ref in self._resolved:
            return self._resolved[ref]
        found: tuple[str, Any] | None = None
        seen: set[str] = set()
        current = ref
        while True:
            pointer = from_fragment(current)
            if pointer is None or pointer in seen:
                break
            seen.add(pointer)
            value = get(self.data, pointer, _MISSING)
            if value is _MISSING:
                break
            if isinstance(value, dict) and isinstance(value.get("$ref"), str) and len(value) == 1:
                current = value["$ref"]
                continue
            found = (pointer, value)
            break
        self._resolved[ref] = found
        return found

    def deref(self, pointer: str, node: Any) -> tuple[str, Any]:
        """The node, or what its `$ref` names (unchanged when it does not resolve)."""
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            target = self.resolve(node["$ref"])
            if target is not None:
                return target
        return pointer, node

    def refs_under(self, pointer: str) -> list[str]:
        """Every `$ref` written at or below `pointer`."""
        refs = self.all_refs()
        found: list[str] = []
        for start, prefix in ((bisect_left(refs, (pointer, "")), None), (bisect_left(refs, (pointer + "/", "")), "/")):
            for holder, ref in refs[start:]:
                if not (holder == pointer if prefix is None else holder.startswith(pointer + "/")):
                    break
                found.append(ref)
        return found


_MISSING = object()
