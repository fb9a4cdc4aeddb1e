"""Telnyx API conventions as the spec documents them: list bodies, pagination keys and meta,
the error envelope, the documented success and error answers.

One public module that the audit rules (`spec/rules/telnyx.py`), the run's checks and the
reference server all read, so the three agree on what a Telnyx list, page or error is.

What the conventions are was read off the spec itself (July 2025 pin): list endpoints answer
`{data: [...], meta: {...}}`; page-number pagination is `page[number]` + `page[size]` (10
operations spell them as two parameters, 115 as one deepObject `page` parameter with
`number`/`size`), cursor pagination is `page[after]`/`page[before]` (+ `page[limit]`) with
`meta.cursors`; errors are `{errors: [{code, title, detail, source?, meta?}]}`.
"""

import re
from collections.abc import Iterator
from typing import Any

from spec.index import Operation, SpecIndex
from spec.pointer import escape
from spec.walk import walk

NUMBER_KEYS = ("number", "size")
CURSOR_KEYS = ("after", "before", "limit")
PAGE_KEYS = NUMBER_KEYS + CURSOR_KEYS
NUMBER_META = ("page_number", "page_size", "total_pages", "total_results")
CURSOR_META = ("cursors", "next", "previous", "after", "before")
_BRACKETED = re.compile(r"^page\[(\w+)\]$")


def flat_properties(index: SpecIndex, pointer: str, schema: Any) -> dict[str, tuple[str, Any]]:
    """name -> (pointer, schema) of the properties a schema defines itself, through its `$ref`
    and its allOf members (what every value of it has, as far as documentation goes)."""
    found: dict[str, tuple[str, Any]] = {}
    for here, node in walk(index, [(pointer, schema)], lists=("allOf",), max_depth=16):
        properties = node.get("properties") if isinstance(node, dict) else None
        if isinstance(properties, dict):
            for name, sub in properties.items():
                found.setdefault(name, (f"{here}/properties/{escape(name)}", sub))
    return found


def is_json(media_type: str) -> bool:
    name = media_type.split(";", 1)[0].strip().lower()
    return name == "application/json" or name.endswith("+json")


def types_of(schema: Any) -> set[str]:
    value = schema.get("type") if isinstance(schema, dict) else None
    return {value} if isinstance(value, str) else set(value) if isinstance(value, list) else set()


def json_body(index: SpecIndex, pointer: str, response: Any) -> tuple[str, Any] | None:
    """(pointer, schema) of a response's first JSON body schema."""
    pointer, response = index.deref(pointer, response)
    content = response.get("content") if isinstance(response, dict) else None
    if not isinstance(content, dict):
        return None
    for media_type, media in content.items():
        if is_json(media_type) and isinstance(media, dict) and "schema" in media:
            return f"{pointer}/content/{escape(media_type)}/schema", media["schema"]
    return None


def raw_parameters(index: SpecIndex, operation: Operation) -> list[tuple[str, dict]]:
    """(pointer of the entry in the operation or path item, dereferenced Parameter) pairs,
    operation-level entries overriding path-level ones."""
    merged: dict[tuple[str, str], tuple[str, dict]] = {}
    path_pointer = operation.pointer.rsplit("/", 1)[0]
    for base, params in (
        (path_pointer, operation.path_item.get("parameters")),
        (operation.pointer, operation.node.get("parameters")),
    ):
        if isinstance(params, list):
            for i, param in enumerate(params):
                _, value = index.deref("", param)
                if isinstance(value, dict):
                    merged[(str(value.get("name")), str(value.get("in")))] = (f"{base}/parameters/{i}", value)
    return list(merged.values())


def page_keys(index: SpecIndex, operation: Operation) -> tuple[dict[str, str], list[str]]:
    """The page keys an operation accepts (key -> pointer of the parameter declaring it), and
    the pointers of scalar `page` parameters (a style that is not Telnyx's)."""
    keys: dict[str, str] = {}
    scalar: list[str] = []
    for pointer, param in raw_parameters(index, operation):
        if param.get("in") != "query" or not isinstance(param.get("name"), str):
            continue
        name = param["name"]
        if match := _BRACKETED.match(name):
            if match.group(1) in PAGE_KEYS:
                keys.setdefault(match.group(1), pointer)
        elif name == "page":
            schema_pointer, schema = index.deref(pointer + "/schema", param.get("schema"))
            properties = flat_properties(index, schema_pointer, schema)
            if properties:
                for key in PAGE_KEYS:
                    if key in properties:
                        keys.setdefault(key, pointer)
            elif "content" not in param:
                scalar.append(pointer)
    return keys, scalar


def list_body(index: SpecIndex, operation: Operation) -> tuple[str, dict[str, tuple[str, Any]]] | None:
    """(schema pointer, flattened properties) of a GET's 200 JSON body with a `data` array."""
    if operation.method != "get" or operation.webhook:
        return None
    responses = operation.node.get("responses")
    if not isinstance(responses, dict) or "200" not in responses:
        return None
    body = json_body(index, f"{operation.pointer}/responses/200", responses["200"])
    if body is None:
        return None
    properties = flat_properties(index, *body)
    if "data" not in properties:
        return None
    _, data = index.deref(*properties["data"])
    return (body[0], properties) if "array" in types_of(data) else None


def paginating_lists(index: SpecIndex) -> Iterator[tuple[Operation, Any, set[str], bool]]:
    """Each list operation (a GET whose 200 JSON body has a `data` array) that takes pagination
    parameters: the operation, its list body, its `page[...]` keys, and whether it has a
    scalar `page` parameter. The audit rule and the run's pagination phase read the same set."""
    for operation in index.operations:
        listing = list_body(index, operation)
        if listing is None:
            continue
        keys, scalar = page_keys(index, operation)
        if keys or scalar:
            yield operation, listing, keys, scalar


# --- the documented answers -----------------------------------------------------------------------

JSON = "application/json"
SUCCESS_ORDER = ("200", "201", "202", "204", "2XX", "default")


def success_status(operation: Operation) -> str | None:
    """The documented success code to answer with: 200 first, then other 2xx, then default,
    then a documented redirect (`GET /oauth/authorize` documents only 302 besides errors: an
    undocumented 204 would be the one answer a client cannot expect)."""
    responses = operation.node.get("responses")
    if not isinstance(responses, dict):
        return None
    codes = [str(code) for code in responses]
    for preferred in SUCCESS_ORDER:
        if preferred in codes:
            return preferred
    for first_digit in ("2", "3"):
        found = sorted(code for code in codes if code.startswith(first_digit))
        if found:
            return found[0]
    return None


def response_object(index: SpecIndex, operation: Operation, status: str) -> tuple[str, dict[str, Any]]:
    """(pointer, Response Object) of a documented status, $ref resolved."""
    pointer = f"{operation.pointer}/responses/{status}"
    pointer, node = index.deref(pointer, operation.node["responses"][status])
    return pointer, node if isinstance(node, dict) else {}


def media_type(node: dict[str, Any]) -> str | None:
    """The media type a Response Object is answered with: JSON first, then any JSON flavour."""
    content = node.get("content")
    if not isinstance(content, dict) or not content:
        return None
    if JSON in content:
        return JSON
    for name in content:
        if "json" in name:
            return name
    return next(iter(content))


def data_schema(index: SpecIndex, operation: Operation | None, want_array: bool) -> str | None:
    """Pointer of the `data` schema (or of its items) in the operation's JSON success body:
    one record of a resource as the operation shows it."""
    if operation is None:
        return None
    status = success_status(operation)
    if status is None:
        return None
    pointer, node = response_object(index, operation, status)
    if media_type(node) != JSON:
        return None
    pointer, schema = index.deref(f"{pointer}/content/{escape(JSON)}/schema", node["content"][JSON].get("schema"))
    if not isinstance(schema, dict):
        return None
    data = schema.get("properties", {}).get("data") if isinstance(schema.get("properties"), dict) else None
    if data is None:
        return None
    pointer, data = index.deref(f"{pointer}/properties/data", data)
    if not isinstance(data, dict):
        return None
    if want_array:
        if data.get("type") != "array" or not isinstance(data.get("items"), dict):
            return None
        pointer, _ = index.deref(f"{pointer}/items", data["items"])
    return pointer


def list_meta_properties(index: SpecIndex, operation: Operation) -> set[str]:
    """The `meta` properties a list operation's 200 body documents (empty: not a list)."""
    listing = list_body(index, operation)
    meta = listing[1].get("meta") if listing else None
    return set(flat_properties(index, *meta)) if meta else set()


# --- the error envelope ---------------------------------------------------------------------------

SAMPLE_ENVELOPE = {"errors": [{"code": "10015", "title": "Invalid request", "detail": "The request was rejected."}]}
_POINTER = re.compile(r"(/([^/~]|~[01])*)*")


def envelope_problems(body: Any) -> list[str]:
    """Why `body` is not a Telnyx error envelope (empty list: it is)."""
    if not isinstance(body, dict) or "errors" not in body:
        return ["body has no `errors` member"]
    errors = body["errors"]
    if not isinstance(errors, list) or not errors:
        return ["`errors` is not a non-empty array"]
    problems: list[str] = []
    for i, error in enumerate(errors):
        problems += _error_problems(f"errors[{i}]", error)
    return problems


def _error_problems(where: str, error: Any) -> list[str]:
    if not isinstance(error, dict):
        return [f"{where} is not an object"]
    problems: list[str] = []
    code = error.get("code")
    if not isinstance(code, str) or not code.isdigit():
        problems.append(f"{where}.code is not a numeric string: {code!r}")
    for member in ("title", "detail"):
        if not isinstance(error.get(member), str):
            problems.append(f"{where}.{member} is missing or not a string")
    source = error.get("source")
    if source is not None:
        pointer = source.get("pointer") if isinstance(source, dict) else None
        if isinstance(source, dict) and "pointer" in source and not is_pointer(pointer):
            problems.append(f"{where}.source.pointer is not a JSON pointer: {pointer!r}")
        elif not isinstance(source, dict):
            problems.append(f"{where}.source is not an object")
    return problems


def is_pointer(value: Any) -> bool:
    return isinstance(value, str) and _POINTER.fullmatch(value) is not None


def documents_another_error_body(index: SpecIndex, operation: Operation, status: int) -> bool:
    """Does the operation document, for `status`, an error body other than the envelope (a
    schema that rejects it, or a non-JSON media type)? The envelope check then defers to the
    documentation, which the audit's `telnyx-error-envelope` rule reports, and the reference
    server answers that documented body."""
    return other_error_body_status(index, operation, status) is not None


def other_error_body_status(index: SpecIndex, operation: Operation, status: int) -> str | None:
    """The documented response key (`400`, `4XX`, `default`) whose body is not the envelope."""
    documented = documented_status(operation, status)
    if documented is None:
        return None
    decisions: dict[tuple[str, str], bool] = index.shared(_new_decisions)
    key = (operation.pointer, documented)
    if key not in decisions:
        decisions[key] = _accepts_envelope(index, operation, documented)
    return None if decisions[key] else documented


def documented_status(operation: Operation, status: int) -> str | None:
    """The response key that documents `status`: itself, its range (`4XX`), or `default`."""
    responses = operation.node.get("responses")
    if not isinstance(responses, dict):
        return None
    for key in (str(status), f"{status // 100}XX", "default"):
        if key in responses:
            return key
    return None


def _accepts_envelope(index: SpecIndex, operation: Operation, status: str) -> bool:
    """Is the envelope a documented answer for `status` (no content documented, or a JSON
    schema that accepts it)?"""
    pointer, node = response_object(index, operation, status)
    kind = media_type(node)
    if kind is None:
        return True
    if "json" not in kind:
        return False
    media = node["content"][kind]
    if not isinstance(media, dict) or "schema" not in media:
        return True
    try:
        validator = index.schema_validator(f"{pointer}/content/{escape(kind)}/schema", validate_formats=False)
    except Exception:
        return True  # a schema no validator compiles: nothing better to send
    return bool(validator.is_valid(SAMPLE_ENVELOPE))


def _new_decisions(index: SpecIndex) -> dict[tuple[str, str], bool]:
    return {}
