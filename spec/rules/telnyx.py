"""Telnyx API conventions no generic linter knows: pagination, the error envelope, auth errors.

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
from spec.rules import rule

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
    stack = [(pointer, schema, 0)]
    seen: set[str] = set()
    while stack:
        here, node, depth = stack.pop()
        if not isinstance(node, dict) or here in seen or depth > 16:
            continue
        seen.add(here)
        if isinstance(node.get("$ref"), str):
            target = index.resolve(node["$ref"])
            if target is not None:
                stack.append((target[0], target[1], depth + 1))
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name, sub in properties.items():
                found.setdefault(name, (f"{here}/properties/{escape(name)}", sub))
        members = node.get("allOf")
        if isinstance(members, list):
            stack.extend((f"{here}/allOf/{i}", member, depth + 1) for i, member in enumerate(members))
    return found


def is_json(media_type: str) -> bool:
    name = media_type.split(";", 1)[0].strip().lower()
    return name == "application/json" or name.endswith("+json")


def _types(schema: Any) -> set[str]:
    value = schema.get("type") if isinstance(schema, dict) else None
    return {value} if isinstance(value, str) else set(value) if isinstance(value, list) else set()


def _json_body(index: SpecIndex, pointer: str, response: Any) -> tuple[str, Any] | None:
    """(pointer, schema) of a response's first JSON body schema."""
    pointer, response = index.deref(pointer, response)
    content = response.get("content") if isinstance(response, dict) else None
    if not isinstance(content, dict):
        return None
    for media_type, media in content.items():
        if is_json(media_type) and isinstance(media, dict) and "schema" in media:
            return f"{pointer}/content/{escape(media_type)}/schema", media["schema"]
    return None


def _raw_parameters(index: SpecIndex, operation: Operation) -> list[tuple[str, dict]]:
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


def _pagination(index: SpecIndex, operation: Operation) -> tuple[dict[str, str], list[str]]:
    """The page keys an operation accepts (key -> pointer of the parameter declaring it), and
    the pointers of scalar `page` parameters (a style that is not Telnyx's)."""
    keys: dict[str, str] = {}
    scalar: list[str] = []
    for pointer, param in _raw_parameters(index, operation):
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


def _list_body(index: SpecIndex, operation: Operation) -> tuple[str, dict[str, tuple[str, Any]]] | None:
    """(schema pointer, flattened properties) of a GET's 200 JSON body with a `data` array."""
    if operation.method != "get" or operation.webhook:
        return None
    responses = operation.node.get("responses")
    if not isinstance(responses, dict) or "200" not in responses:
        return None
    body = _json_body(index, f"{operation.pointer}/responses/200", responses["200"])
    if body is None:
        return None
    properties = flat_properties(index, *body)
    if "data" not in properties:
        return None
    _, data = index.deref(*properties["data"])
    return (body[0], properties) if "array" in _types(data) else None


def paginating_lists(index: SpecIndex) -> Iterator[tuple[Operation, Any, set[str], bool]]:
    """Each list operation (a GET whose 200 JSON body has a `data` array) that takes pagination
    parameters: the operation, its list body, its `page[...]` keys, and whether it has a
    scalar `page` parameter. The audit rule and the run's pagination phase read the same set."""
    for operation in index.operations:
        listing = _list_body(index, operation)
        if listing is None:
            continue
        keys, scalar = _pagination(index, operation)
        if keys or scalar:
            yield operation, listing, keys, scalar


@rule(
    "telnyx-pagination",
    "warning",
    "A paginated list operation uses one Telnyx pagination style, whole, and documents its meta.",
)
def telnyx_pagination(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """Telnyx lists paginate either by page number (`page[number]` + `page[size]`, answered by
    `meta.page_number/page_size/total_pages/total_results`) or by cursor (`page[after]`/
    `page[before]`, answered by `meta.cursors`). SDK paginators and the contract tests pick
    the style from the parameters: a half set (a number without a size) or a mix of both
    styles leaves them guessing which one the server honours, and a paginating operation
    without a pagination `meta` gives a client no way to know when to stop. Only GETs whose
    200 JSON body has a `data` array are list operations; a scalar `page` parameter there is
    a third, foreign style and is reported too."""
    seen_bodies: set[str] = set()
    for operation, listing, keys, scalar in paginating_lists(index):
        label = f"{operation.method.upper()} {operation.path}"
        numbered = [k for k in NUMBER_KEYS if k in keys]
        cursored = [k for k in CURSOR_KEYS if k in keys]
        for pointer in scalar:
            yield pointer, f"{label}: scalar `page` is not a Telnyx pagination style: use page[number] and page[size]"
        if numbered and cursored:
            where = keys[cursored[0]]
            yield (
                where,
                (
                    f"{label} mixes page-number ({_names(numbered)}) and cursor ({_names(cursored)}) pagination: "
                    "declare one style"
                ),
            )
        elif numbered and len(numbered) == 1:
            missing = "size" if numbered[0] == "number" else "number"
            yield keys[numbered[0]], f"{label} declares page[{numbered[0]}] without page[{missing}]"
        elif cursored and not ({"after", "before"} & set(cursored)):
            yield keys["limit"], f"{label} declares page[limit] without a cursor (page[after] / page[before])"
        schema_pointer, properties = listing
        if schema_pointer in seen_bodies:
            continue
        seen_bodies.add(schema_pointer)
        expected = (NUMBER_META if numbered or scalar else ()) + (CURSOR_META if cursored else ())
        meta = properties.get("meta")
        meta_properties = flat_properties(index, *meta) if meta else {}
        if not any(name in meta_properties for name in expected):
            fields = ", ".join(expected)
            what = "no `meta`" if meta is None else "a `meta` without pagination fields"
            yield schema_pointer, f"{label} paginates but its 200 body has {what} (expected some of: {fields})"


def _names(keys: list[str]) -> str:
    return "/".join(f"page[{k}]" for k in keys)


def _has_success(responses: dict) -> bool:
    return any(str(code).startswith("2") for code in responses)


@rule(
    "telnyx-error-envelope",
    "warning",
    "Every documented JSON error response uses the Telnyx error envelope {errors: [{code, title, detail}]}.",
)
def telnyx_error_envelope(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """Telnyx SDKs and integrators parse every failure the same way: an object with an
    `errors` array whose items carry `code`, `title` and `detail` (optionally `source` with
    `pointer`/`parameter`, and `meta`). A response documented with another shape (FastAPI's
    `{detail: [...]}`, OAuth's `{error, error_description}`, a bare error object) is either
    what the server really sends, which breaks those clients, or a wrong document; both need a
    fix. Checked: 4xx/5xx (and 4XX/5XX) responses, and `default` of operations that document a
    success, since Telnyx uses it as the catch-all error. Webhook responses are written by the
    receiver and not checked. Each response body is reported once, where it is defined."""
    reported: set[str] = set()
    for operation in index.operations:
        responses = operation.node.get("responses")
        if not isinstance(responses, dict):
            continue
        for code, response in responses.items():
            code = str(code)
            if not (code[:1] in ("4", "5") or (code == "default" and _has_success(responses))):
                continue
            response_pointer, resolved = index.deref(f"{operation.pointer}/responses/{escape(code)}", response)
            content = resolved.get("content") if isinstance(resolved, dict) else None
            if not isinstance(content, dict):
                continue
            for media_type, media in content.items():
                if not is_json(media_type) or not isinstance(media, dict) or "schema" not in media:
                    continue
                pointer = f"{response_pointer}/content/{escape(media_type)}/schema"
                if pointer in reported:
                    continue
                reported.add(pointer)
                problem = _envelope_problem(index, pointer, media["schema"])
                if problem:
                    yield pointer, f"{code} response body is not the Telnyx error envelope: {problem}"


def _envelope_problem(index: SpecIndex, pointer: str, schema: Any) -> str | None:
    properties = flat_properties(index, pointer, schema)
    if "errors" not in properties:
        if all(field in properties for field in ("code", "title")):
            return "it is a bare error object; wrap it as {errors: [...]}"
        has = ", ".join(sorted(properties)) or "no properties"
        return f"no `errors` array (it declares {has})"
    errors_pointer, errors = index.deref(*properties["errors"])
    if "array" not in _types(errors) or not isinstance(errors, dict) or "items" not in errors:
        return "`errors` is not an array of error objects"
    items = flat_properties(index, errors_pointer + "/items", errors["items"])
    missing = [field for field in ("code", "title", "detail") if field not in items]
    if missing:
        return "`errors` items lack " + ", ".join(missing)
    _, code = index.deref(*items["code"])
    declared = _types(code) if isinstance(code, dict) else set()
    if declared and "string" not in declared:
        return f"`code` is declared {'/'.join(sorted(declared))}; Telnyx sends error codes as strings of digits"
    return None


@rule(
    "telnyx-secured-401",
    "warning",
    "An operation that requires authentication documents its 401 response.",
)
def telnyx_secured_401(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """Every authenticated Telnyx call can fail with 401 (missing, expired or revoked API
    key); it is the first error an integrator meets. Documenting it gives SDKs a typed
    authentication error and lets the contract tests hold the server to the envelope it sends.
    An operation requires authentication when its effective `security` (its own, else the
    document's) is non-empty and has no empty requirement `{}` (which makes auth optional). A
    `401` or `4XX` response counts; `default` does not: it says "anything else may happen",
    not what an auth failure looks like."""
    global_security = index.doc.get("security")
    for operation in index.operations:
        security = operation.node.get("security", global_security)
        if not isinstance(security, list) or not security:
            continue
        if any(isinstance(requirement, dict) and not requirement for requirement in security):
            continue
        responses = operation.node.get("responses")
        codes = {str(code).upper() for code in responses} if isinstance(responses, dict) else set()
        if "401" in codes or "4XX" in codes:
            continue
        schemes = " or ".join(" and ".join(req) for req in security if isinstance(req, dict))
        where = operation.pointer + "/responses" if isinstance(responses, dict) else operation.pointer
        yield (
            where,
            (
                f"{operation.method.upper()} {operation.path} requires {schemes or 'authentication'} "
                "but documents no 401 response"
            ),
        )
