"""Telnyx API conventions no generic linter knows: pagination, the error envelope, auth errors.

What the conventions are was read off the spec itself (July 2025 pin), and lives in
`spec/telnyx.py`, which the run's checks and the reference server read too: list endpoints
answer `{data: [...], meta: {...}}`; page-number pagination is `page[number]` + `page[size]`;
cursor pagination is `page[after]`/`page[before]` (+ `page[limit]`) with `meta.cursors`; errors
are `{errors: [{code, title, detail, source?, meta?}]}`.
"""

from collections.abc import Iterator
from typing import Any

from spec.index import SpecIndex
from spec.pointer import escape
from spec.rules import rule
from spec.telnyx import (
    CURSOR_KEYS,
    CURSOR_META,
    NUMBER_KEYS,
    NUMBER_META,
    flat_properties,
    is_json,
    paginating_lists,
    types_of,
)


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
    if "array" not in types_of(errors) or not isinstance(errors, dict) or "items" not in errors:
        return "`errors` is not an array of error objects"
    items = flat_properties(index, errors_pointer + "/items", errors["items"])
    missing = [field for field in ("code", "title", "detail") if field not in items]
    if missing:
        return "`errors` items lack " + ", ".join(missing)
    _, code = index.deref(*items["code"])
    declared = types_of(code) if isinstance(code, dict) else set()
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
