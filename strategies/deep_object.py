"""Values for deepObject query parameters (`page[number]=2&page[size]=50`, `filter[status][eq]=...`)
that mean something to the server.

A generic JSON Schema generator fills `filter[phone_number][eq]` with arbitrary text and
`page[number]` with any integer the schema allows; the server answers "no results" or 400 and
the code that filters and pages is barely reached. Here leaves come from what the schema says
(enum values, formats, bounds), from what the field name says when the schema says nothing
(`country_code`, `phone_number`), and, when given, from values observed in earlier responses."""

import re
import string
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from strategies._validation import check_range, check_type
from strategies.country import country_codes, currency_codes
from strategies.dates import dates, datetimes
from strategies.formats import telnyx_formats
from strategies.ids import uuid_strings
from strategies.phone import e164

Schema = Mapping[str, Any]
Resolve = Callable[[Any], Any]
# Free-text leaves draw from words a search could match rather than arbitrary Unicode.
TEXT_ALPHABET = string.ascii_letters + string.digits + " -_."
MAX_TEXT_SIZE = 20
# Pages past the data answer an empty list: valid, and worth a few draws, not most of them.
DEFAULT_MAX_PAGE_NUMBER = 100
# Telnyx' usual page size cap, for a `size` whose schema gives no maximum.
DEFAULT_MAX_PAGE_SIZE = 250


def format_strategies() -> dict[str, st.SearchStrategy[str]]:
    """Leaf strategies by `format`: the Telnyx formats plus UTC uuid/date/date-time."""
    return {**telnyx_formats(), "uuid": uuid_strings(None), "date": dates(), "date-time": datetimes()}


# For string leaves the schema leaves unconstrained, by the name of the field they filter.
NAME_HINTS: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    "country_code": lambda: country_codes(dialable=True),
    "country_iso_alpha2": lambda: country_codes(dialable=True),
    "phone_number": e164,
    "currency": currency_codes,
}


def parameter_schema(value: Schema, argument: str) -> Schema:
    """The schema of a parameter object (`{"in": ..., "schema": ...}`) or `value` itself."""
    if not isinstance(value, Mapping):
        raise InvalidArgument(f"{argument}={value!r} must be a schema or parameter mapping, not {type(value).__name__}")
    schema = value.get("schema") if "in" in value and "schema" in value else value
    if not isinstance(schema, Mapping):
        raise InvalidArgument(f"{argument} has a non-mapping schema: {schema!r}")
    return schema


def _resolve(node: Any, resolve: Resolve | None) -> Any:
    if isinstance(node, Mapping) and "$ref" in node:
        if resolve is None:
            raise InvalidArgument(f"the schema holds $ref {node['$ref']!r}: pass resolve= to follow it")
        return _resolve(resolve(node), resolve)
    return node


def _merge_all_of(schema: Schema, resolve: Resolve | None) -> Schema:
    """`allOf` folded into one schema (properties and required united): enough for filters."""
    merged: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
    for part in schema["allOf"]:
        part = _merge_all_of(_resolve(part, resolve), resolve) if "allOf" in _resolve(part, resolve) else part
        part = _resolve(part, resolve)
        merged["properties"] = {**merged.get("properties", {}), **part.get("properties", {})}
        merged["required"] = [*merged.get("required", []), *part.get("required", [])]
        merged.update({k: v for k, v in part.items() if k not in ("properties", "required")})
    return merged


def _compatible(value: Any, schema: Schema) -> bool:
    """Whether an observed `value` may stand for a leaf of `schema` (enum, type, pattern, length)."""
    if "enum" in schema:
        return value in schema["enum"]
    kind = schema.get("type")
    if kind == "string":
        if not isinstance(value, str):
            return False
        if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
            return False
        return "pattern" not in schema or re.search(schema["pattern"], value) is not None
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool) and _in_bounds(value, schema)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool) and _in_bounds(value, schema)
    if kind == "boolean":
        return isinstance(value, bool)
    return False


def _in_bounds(value: float, schema: Schema) -> bool:
    low, high = schema.get("minimum"), schema.get("maximum")
    return (low is None or value >= low) and (high is None or value <= high)


def _string(schema: Schema, name: str | None) -> st.SearchStrategy[Any]:
    min_size = schema.get("minLength", 0)
    max_size = schema.get("maxLength")
    formats = format_strategies()
    fmt = schema.get("format")
    if fmt in formats:
        base = formats[fmt]
    elif "pattern" in schema:
        base = st.from_regex(schema["pattern"])
    elif name in NAME_HINTS:
        base = NAME_HINTS[name]()
    else:
        return st.text(TEXT_ALPHABET, min_size=min_size, max_size=max_size or max(MAX_TEXT_SIZE, min_size))
    if min_size or max_size is not None:
        base = base.filter(lambda value: min_size <= len(value) <= (max_size if max_size is not None else len(value)))
    return base


def _number(schema: Schema, integer: bool) -> st.SearchStrategy[Any]:
    low, high = schema.get("minimum"), schema.get("maximum")
    if integer:
        low = None if low is None else int(low) + (1 if schema.get("exclusiveMinimum") is True else 0)
        high = None if high is None else int(high) - (1 if schema.get("exclusiveMaximum") is True else 0)
        return st.integers(low, high)
    return st.floats(
        low,
        high,
        allow_nan=False,
        allow_infinity=False,
        exclude_min=schema.get("exclusiveMinimum") is True,
        exclude_max=schema.get("exclusiveMaximum") is True,
    )


def _object(schema: Schema, resolve: Resolve | None, observed: Mapping[str, list[Any]], path: tuple[str, ...]):
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    drawn = {
        key: values_for(sub, resolve=resolve, observed=observed, path=(*path, key)) for key, sub in properties.items()
    }
    return st.fixed_dictionaries(
        {key: value for key, value in drawn.items() if key in required},
        optional={key: value for key, value in drawn.items() if key not in required},
    )


def _leaf_name(path: tuple[str, ...]) -> str | None:
    """The field a leaf filters: `phone_number` for both `phone_number` and `phone_number.eq`."""
    return path[0] if path else None


def _observed_for(path: tuple[str, ...], observed: Mapping[str, list[Any]]) -> list[Any]:
    """Observed values for a leaf: by its dotted path, else by the field it filters."""
    dotted = ".".join(path)
    if dotted in observed:
        return observed[dotted]
    return observed.get(path[0], []) if path else []


def values_for(
    schema: Schema,
    *,
    resolve: Resolve | None = None,
    observed: Mapping[str, list[Any]] | None = None,
    path: tuple[str, ...] = (),
) -> st.SearchStrategy[Any]:
    """Values valid for `schema` whose leaves mean something (see the module docstring).
    `path` is where `schema` sits in the deepObject, for name hints and observed values."""
    observed = observed or {}
    schema = _resolve(schema, resolve)
    if not isinstance(schema, Mapping):
        return st.just(None) if schema is not False else st.nothing()
    if "allOf" in schema:
        schema = _merge_all_of(schema, resolve)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            # A branch valid for oneOf must match that one branch only; the Telnyx filters'
            # oneOf pairs (a string shorthand or an operator object) never overlap.
            return st.one_of(
                [values_for(branch, resolve=resolve, observed=observed, path=path) for branch in schema[key]]
            )
    generated = _generated(schema, resolve, observed, path)
    seen = [value for value in _observed_for(path, observed) if _compatible(value, schema)]
    return st.one_of(st.sampled_from(seen), generated) if seen else generated


def _generated(schema: Schema, resolve: Resolve | None, observed: Mapping[str, list[Any]], path: tuple[str, ...]):
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        return _object(schema, resolve, observed, path)
    if kind == "array":
        items = values_for(schema.get("items", {}), resolve=resolve, observed=observed, path=path)
        return st.lists(
            items,
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems", max(3, schema.get("minItems", 0))),
            unique_by=(lambda value: repr(value)) if schema.get("uniqueItems") else None,
        )
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return _string(schema, _leaf_name(path))


def _observed_lists(observed: Mapping[str, Iterable[Any]] | None) -> dict[str, list[Any]]:
    if observed is None:
        return {}
    if not isinstance(observed, Mapping):
        raise InvalidArgument(f"observed={observed!r} must be a mapping of field name to values")
    return {str(key): list(values) for key, values in observed.items()}


def filter_objects(
    schema: Schema, *, observed: Mapping[str, Iterable[Any]] | None = None, resolve: Resolve | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Values for a `filter` deepObject parameter (its schema or the parameter object).

    `observed` maps a filter field (`"phone_number"`) or a leaf's dotted path
    (`"phone_number.eq"`) to values seen in responses; compatible ones are drawn beside the
    generated leaves, so filters can match records that exist. `resolve` follows `$ref`s."""
    schema = parameter_schema(schema, "schema")
    if resolve is not None and not callable(resolve):
        raise InvalidArgument(f"resolve={resolve!r} must be callable")
    return values_for(schema, resolve=resolve, observed=_observed_lists(observed))


def page_objects(
    schema: Schema, *, max_number: int = DEFAULT_MAX_PAGE_NUMBER, resolve: Resolve | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Values for a `page` deepObject parameter: `number` >= 1 (and <= `max_number`), `size`
    within the schema's bounds (1..250 when it gives none); other keys (cursors) as the schema says."""
    schema = parameter_schema(schema, "schema")
    check_type("max_number", max_number, int)
    if max_number < 1:
        raise InvalidArgument(f"max_number={max_number!r} must be at least 1")
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        raise InvalidArgument("schema has no `properties`: not a page object schema")
    overrides: dict[str, st.SearchStrategy[int]] = {}
    if "number" in properties:
        number = _resolve(properties["number"], resolve)
        low, high = max(1, number.get("minimum", 1)), min(max_number, number.get("maximum", max_number))
        check_range("page number minimum", low, "max_number", high)
        overrides["number"] = st.integers(int(low), int(high))
    if "size" in properties:
        size = _resolve(properties["size"], resolve)
        low, high = max(1, size.get("minimum", 1)), size.get("maximum", DEFAULT_MAX_PAGE_SIZE)
        check_range("page size minimum", low, "page size maximum", high)
        overrides["size"] = st.integers(int(low), int(high))
    rest = {key: sub for key, sub in properties.items() if key not in overrides}
    required = set(schema.get("required", ()))
    drawn = {**{key: values_for(sub, resolve=resolve, path=(key,)) for key, sub in rest.items()}, **overrides}
    return st.fixed_dictionaries(
        {key: value for key, value in drawn.items() if key in required},
        optional={key: value for key, value in drawn.items() if key not in required},
    )
