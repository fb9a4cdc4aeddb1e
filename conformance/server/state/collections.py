"""Resource collections, inferred from the paths of the spec.

A collection is a list path `P` with an item path `P/{id}` (GET P lists, POST P creates,
GET/PATCH/PUT/DELETE P/{id} act on one record); a paginated list without an item path is a
read-only collection of seeded records.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from spec.index import Operation, SpecIndex
from spec.telnyx import data_schema


@dataclass
class Collection:
    path: str  # the list path template, e.g. "/addresses" ("" for the root "/")
    item_path: str  # e.g. "/addresses/{id}"
    id_param: str
    operations: dict[str, Operation] = field(default_factory=dict)  # "list", "create", "get", ...
    item_pointer: str | None = None  # schema of one record as the list shows it
    single_pointer: str | None = None  # schema of one record as GET item shows it
    id_field: str = "id"
    # (pointer, parameter) of every declaration of the id parameter on the item path and the
    # paths under it: a record id must pass all of them, or its own URLs would be rejected.
    id_params: tuple[tuple[str, dict[str, Any]], ...] = ()


def infer_collections(index: SpecIndex) -> dict[str, Collection]:
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in index.operations:
        by_path.setdefault(operation.path, {})[operation.method] = operation
    found: dict[str, Collection] = {}
    for item_path, item_ops in by_path.items():
        head, _, last = item_path.rstrip("/").rpartition("/")
        if not (last.startswith("{") and last.endswith("}")) or "{" in last[1:-1]:
            continue
        list_ops = by_path.get(head or "/", {})
        if "get" not in item_ops and "get" not in list_ops:
            continue
        collection = Collection(path=head, item_path=item_path, id_param=last[1:-1])
        for method, name in (("get", "list"), ("post", "create")):
            if method in list_ops:
                collection.operations[name] = list_ops[method]
        for method in ("get", "patch", "put", "delete"):
            if method in item_ops:
                collection.operations[method] = item_ops[method]
        collection.item_pointer = data_schema(index, collection.operations.get("list"), want_array=True)
        collection.single_pointer = data_schema(index, collection.operations.get("get"), want_array=False)
        collection.id_params = _id_params(index, item_path, collection.id_param)
        if any(_is_fixed_set(index, param) for _, param in collection.id_params):
            continue  # `/enum/{endpoint}`, `/portouts/{id}/{status}`: names from a list, not record ids
        found[head] = collection
    return found


def infer_lists(index: SpecIndex, collections: dict[str, Collection]) -> dict[str, Collection]:
    """Paginated lists without an item path (`/audit_events`, `/rooms/{room_id}/sessions`):
    read-only collections of seeded records, so that they page as truthfully as the others."""
    found: dict[str, Collection] = {}
    for operation in index.operations:
        if operation.method != "get" or operation.path.rstrip("/") in collections:
            continue
        names = [str(p.get("name", "")) for _, p in index.parameters(operation) if p.get("in") == "query"]
        if not any(name == "page" or name.startswith("page[") for name in names):
            continue
        pointer = data_schema(index, operation, want_array=True)
        if pointer is not None:
            collection = Collection(path=operation.path, item_path="", id_param="", operations={"list": operation})
            collection.item_pointer = pointer
            found[operation.path] = collection
    return found


def _id_params(index: SpecIndex, item_path: str, name: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    found = []
    for operation in index.operations:
        if operation.path == item_path or operation.path.startswith(item_path + "/"):
            found.extend(
                (pointer, param)
                for pointer, param in index.parameters(operation)
                if param.get("in") == "path" and param.get("name") == name
            )
    return tuple(found)


def _is_fixed_set(index: SpecIndex, param: dict[str, Any]) -> bool:
    """Does the parameter's schema enumerate its values (`enum`, `const`, boolean)?"""
    _, schema = index.deref("", param.get("schema"))
    return isinstance(schema, dict) and ("enum" in schema or "const" in schema or schema.get("type") == "boolean")


def reference_fields(collections: dict[str, Collection]) -> dict[str, Collection]:
    """`messaging_profile_id` -> the `/messaging_profiles` collection: the name Telnyx gives a
    field that refers to a record of a top-level collection (its last segment, singular, with
    `_id`), for the collections whose records can be retrieved (`GET P/{id}`)."""
    found: dict[str, Collection] = {}
    for collection in collections.values():
        last = collection.path.rstrip("/").rpartition("/")[2]
        if "{" in collection.path or "get" not in collection.operations or not re.fullmatch(r"[a-z_]+s", last):
            continue
        if last.endswith("ies"):
            singular = last[:-3] + "y"
        elif last.endswith(("sses", "xes")):
            singular = last[:-2]
        else:
            singular = last[:-1]
        found.setdefault(f"{singular}_id", collection)
    return found
