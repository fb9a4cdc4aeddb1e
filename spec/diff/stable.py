"""What is provably unchanged between two versions, without walking it.

A node is *same* when it is equal in both documents at the same pointer (a deep `==`, done in
C) and every `$ref` written under it resolves, in both, to the same pointer of a node that is
itself same (cycles count as same: any difference on the cycle is found where it is written).
An operation is unchanged when its node, its path item's parameters and servers, and the
document-wide context (servers, security, schemes, base path, consumes, produces) all are: then
no rule can find anything in it, and the walk skips it. Diffing a spec against a copy with a
few edits walks only the edited operations.
"""

from __future__ import annotations

from typing import Any

from spec.model.document import Document
from spec.model.types import Operation
from spec.pointer import get

_CONTEXT = ("servers", "security", "basePath", "consumes", "produces", "securityDefinitions", "host")
_MISSING = object()


class Stability:
    def __init__(self, old: Document, new: Document) -> None:
        self.old, self.new = old, new
        self._same: dict[str, bool] = {}
        self.context_equal = all(old.data.get(k) == new.data.get(k) for k in _CONTEXT) and _schemes(
            old.data
        ) == _schemes(new.data)

    def same(self, pointer: str) -> bool:
        found = self._same.get(pointer)
        if found is not None:
            return found
        self._same[pointer] = True  # while in progress: a cycle back here is no difference
        before, after = get(self.old.data, pointer, _MISSING), get(self.new.data, pointer, _MISSING)
        result = before is not _MISSING and before == after
        if result:
            for ref in set(self.old.refs_under(pointer)):
                old_target, new_target = self.old.resolve(ref), self.new.resolve(ref)
                if old_target is None or new_target is None or old_target[0] != new_target[0]:
                    result = False
                    break
                if not self.same(old_target[0]):
                    result = False
                    break
        self._same[pointer] = result
        return result

    def same_node(self, old_pointer: str, new_pointer: str) -> bool:
        return old_pointer == new_pointer and self.same(old_pointer)

    def unchanged(self, old: Operation, new: Operation) -> bool:
        if not self.context_equal or old.pointer != new.pointer or old.path != new.path:
            return False
        item = old.pointer.rsplit("/", 1)[0]
        for key in ("parameters", "servers"):
            before = get(self.old.data, f"{item}/{key}", _MISSING)
            after = get(self.new.data, f"{item}/{key}", _MISSING)
            if before is _MISSING and after is _MISSING:
                continue
            if not self.same(f"{item}/{key}"):
                return False
        return self.same(old.pointer)


def _schemes(data: dict[str, Any]) -> Any:
    components = data.get("components")
    return components.get("securitySchemes") if isinstance(components, dict) else None
