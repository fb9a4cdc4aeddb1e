"""Path, query and header parameters: collected by style, coerced, validated."""

from typing import Any

import orjson

from conformance.server.validation.coercion import MAX_DEPTH, Leaf, bracket_segments, coerce, insert_value, materialize
from conformance.server.validation.model import ApiError
from conformance.server.validation.plan import Param, Plan
from conformance.server.validation.schema_types import admitted_types, items_schema
from conformance.server.validation.text import as_pair, as_text, detail_text
from conformance.server.validation.validators import error_message, required_property, schema_errors


def check_path(plan: Plan, path_params: Any, out: dict[str, Any], errors: list[ApiError]) -> None:
    for param in plan.path:
        raw = path_params.get(param.name) if isinstance(path_params, dict) else None
        if raw is None:
            errors.append(_missing(param))
            continue
        _finish_param(plan, param, _split(param, [as_text(raw)]), out, errors)


def check_headers(plan: Plan, headers: Any, out: dict[str, Any], errors: list[ApiError]) -> None:
    for param in plan.header:
        raw = headers.get(param.name.lower()) if isinstance(headers, dict) else None
        if raw is None:
            if param.required:
                errors.append(_missing(param))
            continue
        _finish_param(plan, param, _split(param, [as_text(raw).strip()]), out, errors)


def check_query(plan: Plan, query: Any, out: dict[str, Any], errors: list[ApiError]) -> None:
    collected: dict[str, list[str]] = {}
    deep: dict[str, Any] = {}  # deepObject name -> a tree of its bracket keys, or a Leaf if sent plain
    if plan.query or plan.deep:
        for pair in query or ():
            key, value = as_pair(pair)
            if key in plan.query:
                collected.setdefault(key, []).append(value)
            elif key.endswith("[]") and key[:-2] in plan.query and plan.query[key[:-2]].is_array:
                collected.setdefault(key[:-2], []).append(value)
            elif plan.deep:
                _collect_deep(plan, key, value, deep, errors)
    for name, param in plan.query.items():
        values = collected.get(name)
        if values is None:
            if param.required:
                errors.append(_missing(param))
            continue
        _finish_param(plan, param, _split(param, values), out, errors)
    for name, param in plan.deep.items():
        tree = deep.get(name)
        if tree is None:
            if param.required:
                errors.append(_missing(param))
            continue
        if isinstance(tree, Leaf):  # `filter=x`: not a deepObject spelling, judged as sent
            value = tree.values[0] if len(tree.values) == 1 else tree.values
        else:
            value = materialize(plan.index, tree, param.schema)
        found = schema_errors(param.validator, value)
        if found and not isinstance(tree, Leaf):
            # `filter[a]=` is how a client writes both "" and {} at `a`: when "" fails, the
            # other reading decides.
            other = materialize(plan.index, tree, param.schema, empty_object=True)
            if other != value and not schema_errors(param.validator, other):
                value, found = other, []
        out[name] = value
        for error in found:
            errors.append(_param_error(param, error))


def _collect_deep(plan: Plan, key: str, value: str, deep: dict[str, Any], errors: list[ApiError]) -> None:
    """File `filter[a][b]=x` in the tree of the deepObject parameter `filter`. `filter=x` is
    kept as the plain text it is, so the schema rejects it: a deepObject is never sent that way
    (an empty object is sent as no key at all)."""
    bracket = key.find("[")
    base = key if bracket < 0 else key[:bracket]
    if base not in plan.deep:
        return  # unknown parameters are ignored
    current = deep.get(base)
    if bracket < 0:
        if current is None:
            current = deep[base] = Leaf()
        elif not isinstance(current, Leaf):
            errors.append(_malformed_parameter(key, "is sent both as a value and as an object"))
            return
        current.values.append(value)
        return
    segments = bracket_segments(key, bracket)
    if segments is None:
        return  # not a bracket key of this parameter after all: ignored like any unknown key
    if len(segments) > MAX_DEPTH:
        errors.append(_malformed_parameter(key, f"nests deeper than {MAX_DEPTH} levels"))
        return
    if current is None:
        current = deep[base] = {}
    if isinstance(current, Leaf) or not insert_value(current, segments, value):
        errors.append(_malformed_parameter(key, "conflicts with another key of the same parameter"))


def _split(param: Param, values: list[str]) -> list[str]:
    """Array values: delimited styles split (form explode=false by comma, etc.)."""
    if not param.is_array or (param.explode and param.location == "query"):
        return values
    delimiter = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(param.style, ",")
    return [item for value in values if value != "" for item in value.split(delimiter)]


def _finish_param(plan: Plan, param: Param, values: list[str], out: dict[str, Any], errors: list[ApiError]) -> None:
    index = plan.index
    if param.allow_empty and all(v == "" for v in values):
        out[param.name] = ""
        return
    if param.json_content:
        try:
            value = orjson.loads(values[0])
        except orjson.JSONDecodeError as exc:
            errors.append(_malformed_parameter(param.name, f"is not valid JSON ({detail_text(str(exc))})"))
            return
    elif param.is_array:
        item_types = admitted_types(index, items_schema(index, param.schema))
        value = [coerce(v, item_types) for v in values]
    elif len(values) == 1:
        value = coerce(values[0], admitted_types(index, param.schema))
    else:  # a repeated scalar: kept as a list, so the schema reports it
        types = admitted_types(index, param.schema)
        value = [coerce(v, types) for v in values]
    out[param.name] = value
    for error in schema_errors(param.validator, value):
        errors.append(_param_error(param, error))


def _missing(param: Param) -> ApiError:
    detail = f"The required {param.location} parameter '{detail_text(param.name)}' is missing."
    return ApiError("missing_parameter", detail, parameter=param.name)


def _malformed_parameter(name: str, problem: str) -> ApiError:
    name = detail_text(name)
    return ApiError("malformed_request", f"The query parameter '{name}' {problem}.", parameter=name)


def _param_error(param: Param, error: Any) -> ApiError:
    """A schema violation inside a parameter, named the way it was sent (`filter[status][eq]`)."""
    path = [str(p) for p in error.instance_path if isinstance(p, str)]
    kind = "invalid_parameter"
    missing = required_property(error)
    if missing is not None:
        path.append(missing)
        kind = "missing_parameter"
    name = param.name + "".join(f"[{p}]" for p in path) if param.style == "deepObject" else param.name
    name = detail_text(name)
    return ApiError(kind, f"The {param.location} parameter '{name}' is invalid: {error_message(error)}", parameter=name)
