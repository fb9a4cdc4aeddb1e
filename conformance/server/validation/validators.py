"""Compiled validators over a request-normalized copy of the document, and their errors."""

from itertools import islice
from typing import Any

import jsonschema_rs
import orjson

from conformance.server.validation.model import MAX_ERRORS
from conformance.server.validation.text import as_text, detail_text
from spec.formats import StrictFormat30, StrictFormat31
from spec.index import SPEC_URI, SpecIndex, schema_ref
from spec.pointer import get as pointer_get


def _request_registry(index: SpecIndex) -> Any:
    """A jsonschema-rs registry over a copy of the document with 3.0 leftovers normalized.

    `nullable: true` becomes a "null" type (Telnyx accepts null where it says nullable, and
    JSON Schema would reject it), and boolean `exclusiveMinimum`/`exclusiveMaximum` (which do
    not compile under 2020-12) become their numeric forms. Pointers are unchanged, so a
    validator is still named by its pointer in the original document. None when the document
    cannot be copied or registered (validators then fall back to the index's own registry)."""
    try:
        return _build_registry(index)
    except Exception:
        return None


def _build_registry(index: SpecIndex) -> Any:
    try:
        copy = orjson.loads(orjson.dumps(index.doc, option=orjson.OPT_NON_STR_KEYS))
    except (TypeError, orjson.JSONEncodeError):
        import copy as copying

        copy = copying.deepcopy(index.doc)
    nodes = [node for node in (pointer_get(copy, pointer, None) for pointer, _ in index.schemas) if node]
    for node in nodes:
        if isinstance(node, dict):
            _normalize_schema(node, index.is_31)
    draft = jsonschema_rs.Draft202012 if index.is_31 else jsonschema_rs.Draft4
    return jsonschema_rs.Registry([(SPEC_URI, copy)], draft=draft)


def _normalize_schema(node: dict[str, Any], is_31: bool) -> None:
    if is_31:
        for keyword, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = node.get(keyword)
            if value is True and isinstance(node.get(bound), (int, float)):
                node[keyword] = node.pop(bound)
            elif isinstance(value, bool):
                del node[keyword]
    if node.get("nullable") is not True:
        return
    del node["nullable"]
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
    elif isinstance(kind, list):
        if "null" not in kind:
            node["type"] = [*kind, "null"]
    else:
        inner = dict(node)
        node.clear()
        node["anyOf"] = [inner, {"type": "null"}]
        return
    enum = node.get("enum")
    if isinstance(enum, list) and None not in enum:
        node["enum"] = [*enum, None]


def _validators(index: SpecIndex) -> dict[str, Any]:
    return {}


def validator_for(index: SpecIndex, pointer: str) -> Any:
    """The compiled validator for the schema at `pointer`, or None when it cannot compile: a
    schema we cannot compile is checked leniently (coercion only) rather than crashing."""
    cache = index.shared(_validators)
    if pointer not in cache:
        cache[pointer] = _compile(index, pointer)
    return cache[pointer]


def _compile(index: SpecIndex, pointer: str) -> Any:
    cls = jsonschema_rs.Draft202012Validator if index.is_31 else jsonschema_rs.Draft4Validator
    registry = index.shared(_request_registry)
    # Formats as a strict client asserts them (spec/formats.py): JSON Schema formats as
    # jsonschema-rs checks them, Telnyx formats (url, E.164...) by their definitions, and
    # int32/int64 ranges, which jsonschema-rs does not know (2**31 is no int32).
    keywords = {"format": StrictFormat31 if index.is_31 else StrictFormat30}
    if registry is not None:
        try:
            return cls(schema_ref(pointer), registry=registry, keywords=keywords)
        except Exception:
            pass
    try:
        return index.schema_validator(pointer, keywords=keywords, validate_formats=False)
    except Exception:
        return None


def schema_errors(validator: Any, instance: Any) -> list[Any]:
    if validator is None:
        return []
    try:
        if validator.is_valid(instance):
            return []
        return list(islice(validator.iter_errors(instance), MAX_ERRORS))
    except Exception:  # an instance the engine cannot take: lenient, as for uncompilable schemas
        return []


def error_message(error: Any) -> str:
    return detail_text(str(getattr(error, "message", "")) or "invalid value")


def required_property(error: Any) -> str | None:
    if type(error.kind).__name__ != "Required":
        return None
    missing = getattr(error.kind, "property", None)
    return as_text(missing) if missing is not None else None
