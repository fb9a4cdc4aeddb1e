"""Which list operations paginate, and how, read off the spec alone (pure: no HTTP).

A list operation is a GET whose 200 JSON body has a `data` array (the same test as the audit
rule `telnyx-pagination`). It paginates by page number when it takes `page[number]` and
`page[size]` (two bracketed parameters, or one deepObject `page` with `number`/`size`) and its
`meta` declares `page_number/page_size/total_pages/total_results`; by cursor when it takes
`page[after]`/`page[before]` and its `meta` declares `cursors` (or `next`/`previous`). An
operation that takes pagination parameters but whose `meta` does not answer in that style is
not walked: it is listed as `Unwalkable`, with the audit's `telnyx-pagination` findings on it.

Also read here, for the filter and sort checks: the `filter[...]` fields that name a property
of the items (with the spelling that asks for equality), and the `sort` values that do.
"""

from dataclasses import dataclass, field
from typing import Any

from spec.index import Operation, SpecIndex
from spec.telnyx import CURSOR_META, NUMBER_META, flat_properties, paginating_lists

PAGE_NUMBER, CURSOR = "page-number", "cursor"
SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean"})


@dataclass(frozen=True)
class PageSize:
    """The declared bounds of `page[size]` (None: not declared)."""

    default: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    integer: bool = True  # declared an integer: a non-numeric size is invalid input


@dataclass(frozen=True)
class Filter:
    """`filter[...]` asking that item property `field` equal a value: sent as `wire=value`,
    the value valid against the schema at `schema` (a pointer)."""

    field: str
    wire: str  # `filter[status][eq]` or `filter[status]`
    schema: str


@dataclass(frozen=True)
class Paging:
    label: str  # "GET /path"
    operation: Operation
    styles: tuple[str, ...]  # PAGE_NUMBER and/or CURSOR
    size: PageSize
    id_field: str | None  # the item property identifying an item ("id"), None: the whole item
    meta_fields: frozenset[str]
    limit_key: str = "size"  # the page key a cursor page is sized by (`limit` when declared)
    filters: tuple[Filter, ...] = ()
    sorts: tuple[str, ...] = ()  # `sort` values naming an item property (`name`, `-name`)
    item_properties: frozenset[str] = frozenset()
    documented: frozenset[str] = frozenset()  # the response codes the operation documents

    @property
    def path(self) -> str:
        return self.operation.path


@dataclass(frozen=True)
class Unwalkable:
    """An operation with pagination parameters whose answers cannot be walked as declared."""

    label: str
    reason: str
    audit: tuple[str, ...] = field(default=())  # telnyx-pagination findings on the operation


def label_of(operation: Operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


def detect(index: SpecIndex) -> tuple[list[Paging], list[Unwalkable]]:
    """Every paginating list operation of the spec, and the ones that cannot be walked."""
    paging: list[Paging] = []
    unwalkable: list[Unwalkable] = []
    audit = _audit_messages(index)
    for operation, listing, keys, _scalar in paginating_lists(index):
        label = label_of(operation)
        found = _paging(index, operation, label, keys, listing[1])
        if isinstance(found, str):
            unwalkable.append(Unwalkable(label, found, tuple(m for m in audit if _about(m, label))))
        else:
            paging.append(found)
    return paging, unwalkable


def _about(message: str, label: str) -> bool:
    return message.startswith((label + " ", label + ":"))


def _audit_messages(index: SpecIndex) -> list[str]:
    from spec.rules.telnyx import telnyx_pagination

    return [message for _, message in telnyx_pagination(index)]


def _paging(
    index: SpecIndex, operation: Operation, label: str, keys: dict[str, str], properties: dict[str, tuple[str, Any]]
) -> Paging | str:
    meta = properties.get("meta")
    meta_fields = frozenset(flat_properties(index, *meta)) if meta else frozenset()
    styles: list[str] = []
    if "number" in keys and "size" in keys and meta_fields & set(NUMBER_META):
        styles.append(PAGE_NUMBER)
    if ({"after", "before"} & set(keys)) and meta_fields & set(CURSOR_META):
        styles.append(CURSOR)
    if not styles:
        declared = "/".join(f"page[{k}]" for k in keys) or "a scalar `page`"
        answers = ", ".join(sorted(meta_fields)) or "nothing"
        return f"takes {declared} but its meta declares {answers}: no pagination style to walk"
    items = _item_properties(index, properties["data"])
    size_key = "size" if "size" in keys else "limit"
    limit_key = "limit" if "limit" in keys else "size"
    responses = operation.node.get("responses")
    return Paging(
        label=label,
        operation=operation,
        styles=tuple(styles),
        size=_page_size(index, operation, size_key),
        id_field="id" if "id" in items else None,
        meta_fields=meta_fields,
        limit_key=limit_key,
        filters=tuple(_filters(index, operation, items)),
        sorts=tuple(_sorts(index, operation, items)),
        item_properties=frozenset(items),
        documented=frozenset(str(code).upper() for code in responses) if isinstance(responses, dict) else frozenset(),
    )


def _item_properties(index: SpecIndex, data: tuple[str, Any]) -> dict[str, tuple[str, Any]]:
    pointer, schema = index.deref(*data)
    if not isinstance(schema, dict) or not isinstance(schema.get("items"), dict):
        return {}
    return flat_properties(index, pointer + "/items", schema["items"])


def _page_parameters(index: SpecIndex, operation: Operation, prefix: str) -> dict[str, tuple[str, Any]]:
    """Query keys under `prefix` (`page`, `filter`) -> (pointer, schema), from bracketed
    parameters (`page[size]`) and from the properties of a deepObject parameter (`page`)."""
    found: dict[str, tuple[str, Any]] = {}
    for pointer, param in index.parameters(operation):
        name = param.get("name")
        if param.get("in") != "query" or not isinstance(name, str):
            continue
        if name.startswith(prefix + "[") and name.endswith("]"):
            found.setdefault(name[len(prefix) + 1 : -1], index.deref(pointer + "/schema", param.get("schema")))
        elif name == prefix and param.get("style") == "deepObject":
            schema_pointer, schema = index.deref(pointer + "/schema", param.get("schema"))
            for key, value in flat_properties(index, schema_pointer, schema).items():
                found.setdefault(key, index.deref(*value))
    return found


def _page_size(index: SpecIndex, operation: Operation, key: str) -> PageSize:
    _, schema = _page_parameters(index, operation, "page").get(key, ("", None))
    if not isinstance(schema, dict):
        return PageSize()

    def number(name: str) -> int | None:
        value = schema.get(name)
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    return PageSize(number("default"), number("minimum"), number("maximum"), schema.get("type") == "integer")


def _types(schema: Any) -> set[str]:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()


def _filters(index: SpecIndex, operation: Operation, items: dict[str, tuple[str, Any]]) -> list[Filter]:
    """Equality filters on item properties: `filter[f][eq]` where `f` declares `eq`, else a
    scalar `filter[f]` (Telnyx's shorthand for equality)."""
    found: list[Filter] = []
    for key, (pointer, schema) in sorted(_page_parameters(index, operation, "filter").items()):
        field_name, _, op = key.partition("][")
        if field_name not in items or not isinstance(schema, dict):
            continue
        if op == "eq" or (not op and _types(schema) & SCALAR_TYPES and "properties" not in schema):
            found.append(Filter(field_name, f"filter[{key}]", pointer))
        elif not op:
            inner = flat_properties(index, pointer, schema)
            if "eq" in inner:
                eq_pointer, eq_schema = index.deref(*inner["eq"])
                if _types(eq_schema) & SCALAR_TYPES:
                    found.append(Filter(field_name, f"filter[{key}][eq]", eq_pointer))
    return found


def _sorts(index: SpecIndex, operation: Operation, items: dict[str, tuple[str, Any]]) -> list[str]:
    for pointer, param in index.parameters(operation):
        if param.get("in") == "query" and param.get("name") == "sort":
            _, schema = index.deref(pointer + "/schema", param.get("schema"))
            values = schema.get("enum") if isinstance(schema, dict) else None
            if isinstance(values, list):
                return [v for v in values if isinstance(v, str) and v.lstrip("-") in items]
    return []
