"""The diff of two models: operations matched by method and path template, each pair's rules
run, its schemas walked side by side, every change located on both sides.

The walk is memoized by (old pointer, new pointer, subject): a component schema used by a
hundred operations is compared once, its changes reported under each operation that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from spec.diff.changes import Change, DiffResult, Side
from spec.diff.pairs import OperationPair, SchemaPair, match_media
from spec.diff.rules import DiffRule, all_rules
from spec.diff.stable import Stability
from spec.model import ApiModel, Node

MAX_DEPTH = 24


@dataclass(frozen=True)
class _Found:
    rule: DiffRule
    old: str
    new: str
    message: str
    path: tuple[str, ...] = ()


def render_path(path: tuple[str, ...]) -> str:
    text = ""
    for part in path:
        text += part if part == "[]" or not text else "." + part
    return text


class SchemaWalk:
    def __init__(self, old: ApiModel, new: ApiModel, rules: list[DiffRule], stability: Stability | None) -> None:
        self.old, self.new, self.stability = old, new, stability
        self.rules = {
            subject: [r for r in rules if r.subject == subject] for subject in ("parameter", "request", "response")
        }
        self._memo: dict[tuple[str, str, str], list[_Found]] = {}
        self._active: set[tuple[str, str, str]] = set()

    def compare(self, old: Node, new: Node, subject: str, depth: int = 0) -> list[_Found]:
        key = (old[0], new[0], subject)
        found = self._memo.get(key)
        if found is not None:
            return found
        if key in self._active or depth > MAX_DEPTH:
            return []
        if self.stability is not None and self.stability.same_node(old[0], new[0]):
            self._memo[key] = []
            return []
        self._active.add(key)
        pair = SchemaPair(self.old.views.view(old), self.new.views.view(new), subject, self.old.views, self.new.views)
        found = [
            _Found(rule, hit.old, hit.new, hit.message, hit.path)
            for rule in self.rules[subject]
            for hit in rule.check(pair)
        ]
        for name in pair.old.properties.keys() & pair.new.properties.keys():
            if pair.sent(name):
                found += self._under(name, pair.old.properties[name], pair.new.properties[name], subject, depth)
        if pair.old.items is not None and pair.new.items is not None:
            found += self._under("[]", pair.old.items, pair.new.items, subject, depth)
        if pair.old.additional_node is not None and pair.new.additional_node is not None:
            found += self._under("*", pair.old.additional_node, pair.new.additional_node, subject, depth)
        for label in sorted(pair.old.subschemas.keys() & pair.new.subschemas.keys()):
            old_node, new_node = pair.old.subschemas[label], pair.new.subschemas[label]
            found += self._under(f"({label})", old_node, new_node, subject, depth)
        self._active.discard(key)
        self._memo[key] = found
        return found

    def _under(self, part: str, old: Node, new: Node, subject: str, depth: int) -> list[_Found]:
        return [
            _Found(f.rule, f.old, f.new, f.message, (part, *f.path)) for f in self.compare(old, new, subject, depth + 1)
        ]


def _schemas(pair: OperationPair) -> list[tuple[str, Node, Node, str]]:
    """(label, old schema, new schema, subject) of every schema both versions of `pair` have."""
    found: list[tuple[str, Node, Node, str]] = []
    for item in pair.parameters:
        if (
            item.old
            and item.new
            and item.old.media == item.new.media
            and item.old.schema is not None
            and item.new.schema is not None
        ):
            found.append(
                (f"{item.new.location} parameter {item.old.name!r}", item.old.schema, item.new.schema, "parameter")
            )
    old_body, new_body = pair.old.request_body, pair.new.request_body
    if old_body and new_body:
        for old, new in match_media(old_body.content, new_body.content):
            if old and new and old.schema is not None and new.schema is not None:
                found.append((f"request body ({old.name})", old.schema, new.schema, "request"))
    for old_response, new_response in pair.responses:
        if not (old_response and new_response and old_response.success):
            continue
        status = old_response.status
        for old, new in match_media(old_response.content, new_response.content):
            if old and new and old.schema is not None and new.schema is not None:
                found.append((f"response {status} ({old.name})", old.schema, new.schema, "response"))
        for name, header in old_response.headers.items():
            other = new_response.headers.get(name)
            if other is not None and header.schema is not None and other.schema is not None:
                found.append((f"response {status} header {header.name!r}", header.schema, other.schema, "response"))
    return found


def diff_models(old: ApiModel, new: ApiModel, *, rules: list[DiffRule] | None = None, fast: bool = True) -> DiffResult:
    """Every change from `old` to `new`. `fast` skips operations proven unchanged (see
    `spec.diff.stable`); without it every matched operation is walked (tests)."""
    rules = all_rules() if rules is None else rules
    operation_rules = [r for r in rules if r.scope == "operation"]
    stability = Stability(old.document, new.document) if fast else None
    walk = SchemaWalk(old, new, rules, stability)
    raw: list[tuple[_Found, OperationPair]] = []
    result = DiffResult(old, new, [], rules)
    pairs = [(operation, new.operations.get(key)) for key, operation in old.operations.items()]
    pairs += [(None, operation) for key, operation in new.operations.items() if key not in old.operations]
    for old_operation, new_operation in pairs:
        if old_operation is not None and new_operation is not None:
            result.matched += 1
            if stability is not None and stability.unchanged(old_operation, new_operation):
                result.skipped += 1
                continue
        pair = OperationPair.of(old_operation, new_operation, old, new)
        for rule in operation_rules:
            raw += [(_Found(rule, hit.old, hit.new, hit.message), pair) for hit in rule.check(pair)]
        if old_operation is None or new_operation is None:
            continue
        for label, old_schema, new_schema, subject in _schemas(pair):
            for found in walk.compare(old_schema, new_schema, subject):
                where = render_path(found.path)
                message = f"{label}{' ' + where if where else ''}: {found.message}"
                raw.append((_Found(found.rule, found.old, found.new, message), pair))
    result.changes = _located(raw, old, new)
    return result


def _located(raw: list[tuple[_Found, OperationPair]], old: ApiModel, new: ApiModel) -> list[Change]:
    old_places = old.locate_all([found.old for found, _ in raw])
    new_places = new.locate_all([found.new for found, _ in raw])
    changes: set[Change] = set()
    for found, pair in raw:
        operation = pair.old or pair.new
        changes.add(
            Change(
                rule=found.rule.id,
                level=found.rule.level,
                operation=operation.label,
                operation_key=f"{operation.key[0]} {operation.key[1]}",
                message=found.message,
                old=Side(found.old, *old_places[found.old]),
                new=Side(found.new, *new_places[found.new]),
                side=found.rule.side,
                operation_id=operation.operation_id,
            )
        )
    return sorted(changes, key=Change.sort_key)
