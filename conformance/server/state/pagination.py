"""List responses: filter, sort, then page by number or by cursor, with a truthful `meta`.

Parameters arrive parsed by request validation, in either Telnyx spelling: a deepObject
(`page={"number": 2, "size": 20}`, `filter={"status": {"eq": "x"}}`) or literal bracket
names (`page[number]`, `filter[status]`). The pagination faults of the catalogue are flags
checked here (page size ignored, a zero-based page number, wrong totals, duplicates across
pages, a page past the end that is not empty, a looping cursor, filter or sort ignored).
"""

import math
from typing import Any
from urllib.parse import urlencode

from conformance.server.context import Context
from conformance.server.responses import Response, json_bytes, success_body
from conformance.server.state.collections import Collection
from spec.index import Operation, SpecIndex
from spec.telnyx import list_meta_properties

DEFAULT_SIZE = 20
MAX_SIZE = 250
LINKS = ("next", "previous")  # meta links to the neighbouring cursor pages


def grouped(query: dict[str, Any], name: str) -> dict[str, Any]:
    """`name` as one dict, merging its deepObject form and its literal `name[key]` params."""
    merged: dict[str, Any] = {}
    value = query.get(name)
    if isinstance(value, dict):
        merged.update(value)
    prefix = name + "["
    for key, item in query.items():
        if key.startswith(prefix) and key.endswith("]"):
            inner = key[len(prefix) : -1]
            parts = inner.split("][")
            target = merged
            for part in parts[:-1]:
                target = target.setdefault(part, {}) if isinstance(target.get(part, {}), dict) else {}
            target[parts[-1]] = item
    return merged


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


_OPS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "contains": lambda a, b: b in a,
    "starts_with": lambda a, b: a.startswith(b),
    "ends_with": lambda a, b: a.endswith(b),
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def apply_filters(items: list[dict[str, Any]], filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Keep items matching every filter whose field is a top-level property of the items."""
    for name, condition in filters.items():
        if not items or not any(isinstance(i, dict) and name in i for i in items):
            continue  # not a property of the items: nothing to apply it to
        conditions = condition if isinstance(condition, dict) else {"eq": condition}
        for op, wanted in conditions.items():
            test = _OPS.get(op)
            if test is None or isinstance(wanted, (dict, list)):
                continue
            items = [i for i in items if isinstance(i, dict) and test(_scalar(i.get(name)), _scalar(wanted))]
    return items


def apply_sort(items: list[dict[str, Any]], sort: Any) -> list[dict[str, Any]]:
    if not isinstance(sort, str) or not sort.strip("-"):
        return items
    field, reverse = sort.lstrip("-"), sort.startswith("-")
    if not any(isinstance(i, dict) and field in i for i in items):
        return items
    return sorted(items, key=lambda i: (i.get(field) is None, _scalar(i.get(field))), reverse=reverse)


def paginate(ctx: Context, collection: Collection, items: list[dict[str, Any]]) -> Response:
    query = ctx.params.get("query", {}) if isinstance(ctx.params, dict) else {}
    if not ctx.faulty("filter-ignored"):
        items = apply_filters(items, grouped(query, "filter"))
    if not ctx.faulty("sort-ignored"):
        items = apply_sort(items, query.get("sort"))
    page = grouped(query, "page")
    operation = ctx.operation
    assert operation is not None
    if "after" in page or "before" in page or declares_cursor(ctx.index, operation):
        data, meta = _cursor_page(ctx, collection, items, page)
    else:
        data, meta = _number_page(ctx, items, page)
    return _list_response(ctx, operation, data, meta)


def declares_cursor(index: SpecIndex, operation: Operation) -> bool:
    """Does the operation page by cursor (`page[after]`/`page[before]`, literal or deepObject)?
    Then even its first page (no cursor sent) answers in cursor mode, with real cursors; unless
    its `meta` answers in page numbers (operations declaring both styles: page-number requests
    get page-number answers there, and a cursor sent still gets a cursor page)."""
    memo = index.memo.setdefault("declares_cursor", {})
    if operation.pointer not in memo:
        found = False
        for _, param in index.parameters(operation):
            name = str(param.get("name", ""))
            if name in ("page[after]", "page[before]"):
                found = True
            elif name == "page":
                _, schema = index.deref("", param.get("schema"))
                properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
                found = found or (isinstance(properties, dict) and ("after" in properties or "before" in properties))
        memo[operation.pointer] = found and "page_number" not in list_meta_properties(index, operation)
    return memo[operation.pointer]


def _list_response(ctx: Context, operation: Operation, data: list[Any], meta: dict[str, Any]) -> Response:
    """The generated success envelope with this page as `data` and the pagination fields its
    own `meta` declares set to the truth (the generator fills every declared property)."""
    template, body = success_body(ctx.index, operation, seed=ctx.seed)
    if not isinstance(body, dict):
        return template
    body = {**body, "data": data}
    if isinstance(body.get("meta"), dict):
        body["meta"] = {**body["meta"], **{k: v for k, v in meta.items() if k in body["meta"]}}
        for link in LINKS:  # a link the page has no target for is left out, not invented
            if link in body["meta"] and link not in meta:
                del body["meta"][link]
    return Response(template.status, json_bytes(body), dict(template.headers), template.content_type)


def _number_page(ctx: Context, items: list[Any], page: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    size = _int(page.get("size", page.get("limit")), DEFAULT_SIZE)
    if ctx.faulty("page-size-ignored"):
        size = DEFAULT_SIZE
    size = min(max(size, 1), MAX_SIZE)
    number = max(_int(page.get("number"), 1), 1)
    start = (number - 1) * size
    if number > 1 and ctx.faulty("duplicates-across-pages"):
        start -= 1
    total = len(items)
    meta = {
        "page_number": number - (1 if ctx.faulty("page-number-zero-based") else 0),
        "page_size": size,
        "total_pages": math.ceil(total / size) if total else 0,
        "total_results": total + (1 if ctx.faulty("wrong-totals") else 0),
    }
    data = items[start : start + size]
    if not data and items and ctx.faulty("past-end-not-empty"):
        data = items[-size:]  # past the end: the last page again
    return data, meta


def without_page_size(query: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The query without its page size (`page[size]`, `page[limit]`): what a server that does
    not check the size's bounds validates (fault page-size-bounds-unchecked)."""
    return [(key, value) for key, value in query if key not in ("page[size]", "page[limit]")]


def _cursor_page(
    ctx: Context, collection: Collection, items: list[Any], page: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    size = min(max(_int(page.get("limit", page.get("size")), DEFAULT_SIZE), 1), MAX_SIZE)
    # Items without an id field get positional cursors (opaque to clients either way).
    ids = [
        str(i[collection.id_field]) if isinstance(i, dict) and collection.id_field in i else f"@{n}"
        for n, i in enumerate(items)
    ]
    if "after" in page:
        after = str(page["after"])
        start = ids.index(after) + 1 if after in ids else len(ids)
        chunk = items[start : start + size]
    elif "before" not in page:  # the first page of a cursor-paginated list
        start, chunk = 0, items[:size]
    else:
        before = str(page["before"])
        end = ids.index(before) if before in ids else 0
        start = max(0, end - size)
        chunk = items[start:end]
    end_index = start + len(chunk)
    cursors: dict[str, Any] = {}
    if chunk and end_index < len(items):
        cursors["after"] = ids[0] if ctx.faulty("cursor-loop") else ids[end_index - 1]
    if chunk and start > 0:
        cursors["before"] = ids[start]
    meta: dict[str, Any] = {"cursors": cursors}
    sized = {f"page[{k}]": page[k] for k in ("limit", "size") if k in page}  # links keep the page size
    for link, key in (("next", "after"), ("previous", "before")):
        if key in cursors:
            meta[link] = f"{ctx.path}?{urlencode({f'page[{key}]': cursors[key], **sized}, safe='[]')}"
    return chunk, meta
