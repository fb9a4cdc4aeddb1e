"""The spec's own invalid examples and defaults, by value: the audit flags them, and a failure
whose value is one of them at the schema it belongs to is the spec's."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.triage.classes import VALUE_RULES
from conformance.triage.reach import schemas_at
from spec.index import SpecIndex
from spec.pointer import escape, get, split


@dataclass(frozen=True)
class FlaggedValue:
    """One invalid part of an example the audit flagged: `value`, found at `path` inside the
    example of the schema at `schema`; `whole` when the example is a whole body (a media
    type's example), so `path` starts at the body's root."""

    site: str  # the finding's pointer
    schema: str
    path: tuple[str | int, ...]
    value: Any
    whole: bool


def value_key(value: Any) -> str:
    """A type-exact key of a JSON value (`1`, `1.0`, `true` and `"1"` all differ). A value no
    JSON body can hold (a YAML date, a key that is not a string) gets a key no body matches."""
    import json

    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return f"not JSON: {value!r}"


@dataclass
class ExampleValues:
    """The invalid parts of the spec's flagged examples, by value, for by-value triage."""

    by_key: dict[str, list[FlaggedValue]] = field(default_factory=dict)

    @classmethod
    def from_findings(cls, index: SpecIndex, findings: Iterable[tuple[str, str]]) -> "ExampleValues":
        """From (rule id, pointer) pairs of an audit: its invalid examples and defaults."""
        values = cls()
        for rule, pointer in findings:
            if rule in VALUE_RULES:
                for flagged in flagged_values(index, rule, pointer):
                    values.by_key.setdefault(value_key(flagged.value), []).append(flagged)
        return values

    def __len__(self) -> int:
        return sum(len(found) for found in self.by_key.values())

    def matching(
        self, index: SpecIndex, roots: list[str], instance: Any, instance_path: Iterable[str | int]
    ) -> FlaggedValue | None:
        """The flagged part that `instance`, failing at `instance_path` of a body judged against
        the schemas at `roots`, is: the same value, at the same place of an example whose schema
        applies where the example would start in that body."""
        path = tuple(instance_path)
        for flagged in self.by_key.get(value_key(instance), ()):
            depth = len(flagged.path)
            if flagged.whole and path != flagged.path:
                continue
            if depth > len(path) or path[len(path) - depth :] != flagged.path:
                continue
            if flagged.schema in schemas_at(index, roots, path[: len(path) - depth]):
                return flagged
        return None


def example_site(index: SpecIndex, pointer: str) -> tuple[str, Any, bool] | None:
    """(schema pointer, example value, whole body?) of an example finding's pointer:
    `S/example`, `S/examples/N` (a 3.1 schema), `H/examples/NAME/value` and `H/examples/NAME`
    (a `$ref` to an Example Object) of a media type or parameter H, or `S/default`."""
    tokens = split(pointer)
    if tokens[-1:] in (["example"], ["default"]):
        holder, value = tokens[:-1], get(index.doc, pointer, _NONE)
    elif len(tokens) >= 3 and tokens[-3] == "examples" and tokens[-1] == "value":
        holder, value = tokens[:-3], get(index.doc, pointer, _NONE)
    elif len(tokens) >= 2 and tokens[-2] == "examples":
        holder, value = tokens[:-2], get(index.doc, pointer, _NONE)
        if isinstance(value, dict) and isinstance(value.get("$ref"), str):  # an Example Object elsewhere
            _, entry = index.deref(pointer, value)
            value = entry["value"] if isinstance(entry, dict) and "value" in entry else _NONE
    else:
        return None
    if value is _NONE:
        return None
    holder_pointer = "".join("/" + escape(token) for token in holder)
    node = get(index.doc, holder_pointer, None)
    if not isinstance(node, dict):
        return None
    if "schema" in node:  # a media type or a parameter: its example is the whole value
        return holder_pointer + "/schema", value, len(holder) >= 2 and holder[-2] == "content"
    return holder_pointer, value, False


_NONE = object()


def flagged_values(index: SpecIndex, rule: str, pointer: str) -> list[FlaggedValue]:
    """Every invalid part of the example at `pointer`, as the validator of its schema finds
    them (the audit reports only the first); the example itself for a format finding."""
    site = example_site(index, pointer)
    if site is None:
        return []
    schema, value, whole = site
    parts: dict[tuple[str | int, ...], Any] = {}
    if rule == "value-format":
        parts[()] = value
    try:
        from spec.rules.schemas import shared_validators

        validator = index.shared(shared_validators).get(schema)
        for error in validator.iter_errors(value) if validator is not None else ():
            parts.setdefault(tuple(error.instance_path), error.instance)
    except Exception:  # a regex the engine cannot run: the finding's own location is all we know
        pass
    if not parts:
        parts[()] = value
    return [FlaggedValue(pointer, schema, path, part, whole) for path, part in parts.items()]
