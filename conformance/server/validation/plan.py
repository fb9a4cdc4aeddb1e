"""Per-operation plans: what validation needs of an operation's parameters and body, computed once."""

from dataclasses import dataclass
from typing import Any

from conformance.server.validation.media import is_json_type
from conformance.server.validation.schema_types import SCALARS, admitted_types
from conformance.server.validation.validators import validator_for
from spec.index import Operation, SpecIndex
from spec.pointer import escape

IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})  # OAS: such header params are ignored


@dataclass(frozen=True)
class Param:
    name: str
    location: str
    required: bool
    style: str
    explode: bool
    schema: Any  # the raw (possibly $ref) schema, for coercion
    validator: Any  # compiled, or None when the schema does not compile (lenient)
    is_array: bool  # values always form a list (repeats and delimiters)
    allow_empty: bool  # `allowEmptyValue`: `?delete` / `?delete=` is the whole value (S3-style flags)
    json_content: bool  # declared with `content: application/json`: the value is JSON text


@dataclass(frozen=True)
class BodySpec:
    required: bool
    media: dict[str, tuple[Any, Any]]  # declared media type (lower) -> (schema, validator)


@dataclass(frozen=True)
class Plan:
    index: SpecIndex
    path: tuple[Param, ...]
    query: dict[str, Param]  # exact names, including literal `page[size]`
    deep: dict[str, Param]  # deepObject parameters by base name
    header: tuple[Param, ...]
    body: BodySpec | None
    semantic_status: int
    media_status: int
    syntax_status: int = 400


def _plans(index: SpecIndex) -> dict[str, Plan]:
    return {}


def plan_for(index: SpecIndex, operation: Operation) -> Plan:
    plans = index.shared(_plans)
    plan = plans.get(operation.pointer)
    if plan is None:
        plan = plans[operation.pointer] = _build_plan(index, operation)
    return plan


def _build_plan(index: SpecIndex, operation: Operation) -> Plan:
    """Everything about an operation that does not depend on the request, computed once."""
    path: list[Param] = []
    query: dict[str, Param] = {}
    deep: dict[str, Param] = {}
    header: list[Param] = []
    for pointer, raw in index.parameters(operation):
        param = build_param(index, pointer, raw)
        if param is None:
            continue
        if param.location == "path":
            path.append(param)
        elif param.location == "query":
            (deep if param.style == "deepObject" else query)[param.name] = param
        elif param.location == "header" and param.name.lower() not in IGNORED_HEADERS:
            header.append(param)
    responses = operation.node.get("responses")
    documented = {str(code) for code in responses} if isinstance(responses, dict) else set()
    semantic = 400 if "400" in documented and "422" not in documented else 422
    return Plan(
        index=index,
        path=tuple(path),
        query=query,
        deep=deep,
        header=tuple(header),
        body=_build_body(index, operation),
        semantic_status=semantic,
        media_status=415 if "415" in documented else (400 if "400" in documented or "422" not in documented else 422),
        # malformed syntax is a 400, unless the operation documents only 422 for bad input
        syntax_status=422 if "422" in documented and "400" not in documented else 400,
    )


def build_param(index: SpecIndex, pointer: str, raw: dict[str, Any]) -> Param | None:
    name, location = raw.get("name"), raw.get("in")
    if not isinstance(name, str) or location not in ("path", "query", "header"):
        return None  # cookies are not parsed; a nameless parameter cannot be matched
    default_style = "form" if location == "query" else "simple"
    style = raw.get("style") if isinstance(raw.get("style"), str) else default_style
    explode = raw.get("explode") if isinstance(raw.get("explode"), bool) else style == "form"
    schema_pointer, schema, json_content = f"{pointer}/schema", raw.get("schema"), False
    content = raw.get("content")
    if schema is None and isinstance(content, dict) and content:
        media = next(iter(content))
        media_object = content[media]
        schema = media_object.get("schema") if isinstance(media_object, dict) else None
        schema_pointer = f"{pointer}/content/{escape(media)}/schema"
        json_content = is_json_type(str(media).lower())
    validator = validator_for(index, schema_pointer) if schema is not None else None
    types = admitted_types(index, schema)
    return Param(
        name=name,
        location=location,
        required=raw.get("required") is True or location == "path",
        style=style,
        explode=explode,
        schema=schema,
        validator=validator,
        is_array="array" in types and not (types & (SCALARS | {"object"})) and not json_content,
        allow_empty=raw.get("allowEmptyValue") is True and location == "query",
        json_content=json_content,
    )


def _build_body(index: SpecIndex, operation: Operation) -> BodySpec | None:
    raw = operation.node.get("requestBody")
    if raw is None:
        return None
    pointer, body = index.deref(f"{operation.pointer}/requestBody", raw)
    if not isinstance(body, dict):
        return None
    media: dict[str, tuple[Any, Any]] = {}
    content = body.get("content")
    if isinstance(content, dict):
        for name, media_object in content.items():
            schema = media_object.get("schema") if isinstance(media_object, dict) else None
            validator = None
            if schema is not None:
                validator = validator_for(index, f"{pointer}/content/{escape(name)}/schema")
            media[str(name).split(";")[0].strip().lower()] = (schema, validator)
    return BodySpec(required=body.get("required") is True, media=media)
