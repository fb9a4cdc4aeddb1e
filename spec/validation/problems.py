"""The structural rules, their `Problem`s, and the osv-comparable signatures and messages."""

import json
from typing import Any, NamedTuple

STRUCTURAL_RULES = (
    "oas-schema",
    "schema-dialect",
    "default-valid",
    "parameter-unique",
    "operation-id-unique",
    "path-params",
    "tag-unique",
)


class Problem(NamedTuple):
    """One structural problem: the rule it belongs to, where, what, and its osv-comparable form."""

    rule_id: str
    pointer: str
    message: str
    signature: tuple[Any, ...]


# --- value rendering for messages -----------------------------------------------------------


def show(value: Any, limit: int = 60) -> str:
    """A short JSON rendering of a value for a one-line message."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def types_text(expected: Any) -> str:
    if isinstance(expected, (list, tuple)):
        return " or ".join(f"'{t}'" for t in expected)
    return f"'{expected}'"


def error_text(error: Any) -> str:
    """jsonschema-rs's message, with a long instance dump replaced by a short rendering."""
    kind = error.kind.name
    if kind == "type":
        return f"{show(error.instance)} is not of type {types_text(error.kind.as_dict().get('types'))}"
    message = " ".join(str(error.message).split())
    if len(message) <= 160:
        return message
    dumped = json.dumps(error.instance, separators=(",", ":"), default=str)
    if message.startswith(dumped):
        return show(error.instance) + message[len(dumped) :][:120]
    return message[:157] + "..."


# --- signatures -----------------------------------------------------------------------------


def _expected(keyword: str, value: Any) -> Any:
    """The keyword value the signature keeps: only `type`'s, normalized (["x"] -> "x", sorted)."""
    if keyword != "type":
        return None
    if isinstance(value, (list, tuple)):
        return value[0] if len(value) == 1 else tuple(sorted(map(str, value)))
    return value


def freeze(value: Any) -> Any:
    """A hashable stand-in for a JSON value (signatures go into multisets)."""
    if isinstance(value, dict):
        return tuple(sorted(((k, freeze(v)) for k, v in value.items()), key=lambda item: str(item[0])))
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def signature(keyword: str, instance: Any, keyword_value: Any) -> tuple[Any, ...]:
    """(keyword, offending value, expected type): what osv's errors and ours can both be reduced to."""
    return (keyword, freeze(instance), freeze(_expected(keyword, keyword_value)))


def kind_expected(error: Any) -> Any:
    return error.kind.as_dict().get("types") if error.kind.name == "type" else None


# --- running a compiled validator -----------------------------------------------------------


def schema_errors(validator: Any, instance: Any) -> list[Any]:
    """All errors; data jsonschema-rs cannot take (YAML's int keys, dates) goes in as JSON.
    Nearly every instance is valid, and `is_valid` says so faster than an empty `iter_errors`."""
    try:
        return [] if validator.is_valid(instance) else list(validator.iter_errors(instance))
    except ValueError:
        instance = jsonable(instance)
        return [] if validator.is_valid(instance) else list(validator.iter_errors(instance))


def jsonable(value: Any) -> Any:
    """`value` as JSON data: mapping keys as strings, non-JSON scalars (dates) as strings."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
