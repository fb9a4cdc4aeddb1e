"""Each `default` against its schema (`default-valid`), with osv's format checker and its
exception for `default: null` next to `nullable: true` (the caller's)."""

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from spec.index import DATA_KEYS, SPEC_URI, SpecIndex
from spec.pointer import escape, from_fragment, get
from spec.validation.keywords import OasFormat30, OasFormat31, Pattern, Required30, Type30
from spec.validation.problems import Problem, error_text, kind_expected, schema_errors, show, signature, types_text


def default_problems(
    index: SpecIndex, pointer: str, default: Any, *, oas30: bool, schema: Any = None
) -> Iterator[Problem]:
    """Errors of `default` against the schema at `pointer` (osv's OAS30/OAS31 value validator);
    `schema`, that schema when the caller has it."""
    validator = _default_validator(index, pointer, oas30=oas30, schema=schema)
    if validator is None:
        yield from _python_default_problems(index, pointer, default, oas30=oas30)
        return
    for error in schema_errors(validator, default):
        keyword = str(error.schema_path[-1]) if error.schema_path else error.kind.name
        expected = None
        if keyword == "type":
            expected = _at_location(index, error.absolute_keyword_location)
            expected = kind_expected(error) if expected is None else expected
        yield _default_problem(
            pointer,
            list(error.instance_path),
            _default_text(error, keyword, expected),
            keyword,
            error.instance,
            expected,
        )


def _default_problem(pointer: str, path: list, text: str, keyword: str, instance: Any, expected: Any) -> Problem:
    """Located at the offending part of the default value itself."""
    where = "".join("/" + escape(part) for part in path)
    message = f"default {text}" if not where else f"default, at {where}: {text}"
    return Problem("default-valid", f"{pointer}/default{where}", message, signature(keyword, instance, expected))


def _default_text(error: Any, keyword: str, expected: Any) -> str:
    details = error.kind.as_dict()
    if "message" in details:  # one of our custom keywords: its own message
        return str(details["message"])
    if keyword == "type":
        return f"{show(error.instance)} is not of type {types_text(expected)}"
    return error_text(error)


def _at_location(index: SpecIndex, location: str | None) -> Any:
    """The keyword value at an absolute keyword location inside the document, or None."""
    if not location or not location.startswith(SPEC_URI + "#"):
        return None
    pointer = from_fragment(location[len(SPEC_URI) :])
    return get(index.doc, pointer, None) if pointer is not None else None


def _default_validator(index: SpecIndex, pointer: str, *, oas30: bool, schema: Any = None) -> Any:
    """A compiled validator for the schema at `pointer`, or None when jsonschema-rs refuses it.

    jsonschema-rs meta-validates what it compiles, references included, so a schema reaching
    an invalid one (say a boolean `exclusiveMinimum` in 3.1) cannot be compiled; osv's Python
    validator just runs it, and so does our fallback.
    """
    import jsonschema_rs

    if oas30 and _reaches_discriminator(index, pointer):
        return None  # osv's OAS 3.0 oneOf/anyOf/allOf follow the discriminator: Python does that
    if oas30:
        keywords = {"format": OasFormat30, "pattern": Pattern, "type": Type30, "required": Required30}
    else:
        keywords = {"format": OasFormat31, "pattern": Pattern}
    try:
        return index.schema_validator(pointer, schema=schema, keywords=keywords, validate_formats=False)
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError):
        return None


def _reaches_discriminator(index: SpecIndex, pointer: str) -> bool:
    """Whether a `discriminator` is reachable from the schema at `pointer`, $refs followed."""
    if not index.shared(_has_discriminator):
        return False
    stack, seen = [get(index.doc, pointer, None)], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            if "discriminator" in node:
                return True
            if isinstance(node.get("$ref"), str):
                target = index.resolve(node["$ref"])
                stack.append(target[1] if target else None)
            stack.extend(value for key, value in node.items() if key not in DATA_KEYS)
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _has_discriminator(index: SpecIndex) -> bool:
    return any("discriminator" in schema for _, schema in index.schemas)


def _python_registry(index: SpecIndex) -> Any:
    from referencing import Registry
    from referencing.jsonschema import DRAFT4, DRAFT202012

    spec = DRAFT202012 if index.is_31 else DRAFT4
    return Registry().with_resource(SPEC_URI, spec.create_resource(index.doc))


def _python_default_problems(index: SpecIndex, pointer: str, default: Any, *, oas30: bool) -> Iterator[Problem]:
    """The rare fallback: openapi-schema-validator itself, called as osv calls it."""
    import openapi_schema_validator as oas_schema
    from referencing.exceptions import Unresolvable

    cls, checker = (
        (oas_schema.OAS30Validator, oas_schema.oas30_format_checker)
        if oas30
        else (oas_schema.OAS31Validator, oas_schema.oas31_format_checker)
    )
    wrapper = {"$ref": SPEC_URI + "#" + quote(pointer, safe="/~")}
    validator = cls(wrapper, registry=index.shared(_python_registry), format_checker=checker)
    try:
        errors = list(validator.iter_errors(default))
    except (Unresolvable, re.error, TypeError, ValueError, KeyError, RecursionError):
        return
    for error in errors:
        text = " ".join(error.message.split())
        if error.validator == "type":
            text = (
                "null is not allowed: the schema is not nullable"
                if text == "None for not nullable"
                else f"{show(error.instance)} is not of type {types_text(error.validator_value)}"
            )
        yield _default_problem(
            pointer, list(error.absolute_path), text, str(error.validator), error.instance, error.validator_value
        )
