"""Lifecycle detection and the echo rule, on data. The flow itself is proven against clean
and faulty servers in tests/conformance/pagination/test_faults_caught.py."""

from conformance.run.phases.lifecycle import detect_lifecycles, echoed
from spec.index import build_index

THING = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["a", "b"]},
        "secret": {"type": "string", "writeOnly": True},
    },
}


def ok(schema: dict, array: bool = False) -> dict:
    data = {"type": "array", "items": schema} if array else schema
    body = {"type": "object", "properties": {"data": data}}
    return {"200": {"description": "ok", "content": {"application/json": {"schema": body}}}}


ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
DOC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {"get": {"responses": ok(THING, array=True)}, "post": {"responses": ok(THING)}},
        "/things/{id}": {
            "parameters": ID,
            "get": {"responses": ok(THING)},
            "patch": {"responses": ok(THING)},
            "delete": {"responses": ok(THING)},
        },
        "/views": {"get": {"responses": ok(THING, array=True)}},  # read-only: no lifecycle
        "/views/{id}": {"parameters": ID, "get": {"responses": ok(THING)}},
    },
}


def test_detects_collections_with_create_retrieve_delete_and_list() -> None:
    (life,) = detect_lifecycles(build_index(DOC))
    assert (life.path, life.item_path, life.id_param) == ("/things", "/things/{id}", "id")
    assert life.label == "POST /things" and life.update is not None and life.update.method == "patch"


def test_echoed_fields_are_declared_valid_and_readable() -> None:
    index = build_index(DOC)
    (life,) = detect_lifecycles(index)
    body = {"name": "Ada", "kind": "c", "secret": "s", "id": "x", "extra": 1, "nested": {"a": 1}}
    assert echoed(index, life.retrieve, body) == [("name", "Ada")]  # "c" is not a valid kind
    assert echoed(index, life.retrieve, {"kind": "a"}) == [("kind", "a")]
    assert echoed(index, life.retrieve, "not a body") == []


def test_the_telnyx_spec_has_lifecycles(shared_spec_path) -> None:  # type: ignore[no-untyped-def]
    from spec.load import load_spec

    lifecycles = {life.path: life for life in detect_lifecycles(load_spec(shared_spec_path).index())}
    assert len(lifecycles) >= 60
    assert lifecycles["/addresses"].update is None and lifecycles["/billing_groups"].update is not None
