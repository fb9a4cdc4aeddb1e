"""Ids from the target's own answers, fed back into the path parameters of later requests.

A generated id (`/addresses/{id}` with a random UUID) names nothing, so item operations are
mostly tested on their 404. Every successful JSON answer adds its ids to a pool (the items of
a list under their collection, and every `id`/`*_id` field by name), and a path parameter
whose generated value is valid is, some of the time, swapped for a seen id that is also valid
for it: the item answers with a real body for the response checks to judge.

Only valid values are swapped, and only for valid ones: a negative case that breaks the path
parameter keeps its invalid value, so swapping never turns an invalid request into a valid one
that schemathesis would still expect to be rejected.
"""

from typing import Any

import orjson
from hypothesis import strategies as st

from spec.formats import StrictFormat30, StrictFormat31
from spec.index import Operation, SpecIndex
from strategies.ids import IdPool

COLLECTION = "collection:"  # pool field of the ids listed under a collection path


def collection_of(path: str, parameter: str | None = None) -> str:
    """The collection a path names: `/addresses/{id}` -> `/addresses` (for `{id}`), and a
    list path is its own collection."""
    if parameter is not None:
        path = path.split("{" + parameter + "}", 1)[0]
    elif path.endswith("}"):
        path = path.rsplit("/", 1)[0]
    return path.rstrip("/") or "/"


def observe(pool: IdPool, path: str, status: int, content_type: str, body: bytes) -> None:
    """Remember the ids of a successful JSON answer to an operation on `path`."""
    if not 200 <= status < 300 or "json" not in content_type or not body:
        return
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return
    data = payload.get("data") if isinstance(payload, dict) else None
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    field = COLLECTION + collection_of(path)
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str | int) and not isinstance(item["id"], bool):
            pool.add(str(item["id"]), field)
    pool.observe(payload)


def register(schema: Any, pool: IdPool, index: SpecIndex, operations: dict[str, Operation]) -> None:
    """Schema-scoped schemathesis hooks: observe every answer, and offer seen ids to path
    parameters. `operations` maps schemathesis labels ("GET /path") to the spec's operations."""
    validators: dict[tuple[str, str], Any] = {}
    frozen: dict[str, dict[str, tuple[str, ...]]] = {}  # label -> the ids offered, fixed at first use

    def after_call(context: Any, case: Any, response: Any) -> None:
        content_type = ""
        for name, values in (response.headers or {}).items():
            if name.lower() == "content-type" and values:
                content_type = values[0] if isinstance(values, list) else str(values)
        observe(pool, case.operation.path, response.status_code, content_type, response.content or b"")

    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        operation = operations.get(context.operation.label) if context.operation is not None else None
        if operation is None or not isinstance(path_parameters, dict):
            return st.just(path_parameters)
        offered = frozen.get(operation.pointer)
        if offered is None:
            # Fixed for the operation's whole test: Hypothesis replays draws (to shrink, to
            # confirm a failure) and a choice that grew in between is "inconsistent data
            # generation" (FlakyStrategyDefinition).
            offered = frozen[operation.pointer] = _offered(pool, validators, index, operation, path_parameters)
        choices: dict[str, tuple[str, ...]] = {}
        for name, value in path_parameters.items():
            validator = _validator(validators, index, operation, name)
            if name in offered and isinstance(value, str) and validator is not None and validator.is_valid(value):
                choices[name] = offered[name]
        if not choices:
            return st.just(path_parameters)
        swapped = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in choices.items()})
        return st.one_of(st.just(path_parameters), swapped.map(lambda ids: {**path_parameters, **ids}))

    schema.hook(after_call)
    schema.hook(flatmap_path_parameters)


def _offered(
    pool: IdPool, validators: dict[tuple[str, str], Any], index: SpecIndex, operation: Operation, names: Any
) -> dict[str, tuple[str, ...]]:
    """The seen ids valid for each path parameter of the operation, as the pool has them now."""
    offered: dict[str, tuple[str, ...]] = {}
    for name in names:
        validator = _validator(validators, index, operation, name)
        if validator is None:
            continue
        seen = pool.snapshot(COLLECTION + collection_of(operation.path, name))
        if not seen:
            seen = pool.snapshot(name if name.endswith("_id") else "id")
        valid = tuple(candidate for candidate in seen if validator.is_valid(candidate))
        if valid:
            offered[name] = valid
    return offered


def _validator(cache: dict[tuple[str, str], Any], index: SpecIndex, operation: Operation, name: str) -> Any:
    """A validator of the path parameter's schema, formats asserted strictly (None: no schema
    a validator compiles, and the value is left alone)."""
    key = (operation.pointer, name)
    if key not in cache:
        cache[key] = None
        keyword = {"format": StrictFormat31 if index.is_31 else StrictFormat30}
        for pointer, parameter in index.parameters(operation):
            if parameter.get("in") == "path" and parameter.get("name") == name and "schema" in parameter:
                try:
                    cache[key] = index.schema_validator(pointer + "/schema", keywords=keyword)
                except Exception:
                    cache[key] = None
    return cache[key]
