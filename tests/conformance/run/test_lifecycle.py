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


def test_reference_fields_follow_telnyx_spelling(shared_spec_path) -> None:  # type: ignore[no-untyped-def]
    """The reference step reads `billing_group_id` as a record of /billing_groups: the field
    names a created resource refers to others by, as the server's state knows them."""
    from conformance.server.state import infer_collections, reference_fields
    from spec.load import load_spec

    fields = reference_fields(infer_collections(load_spec(shared_spec_path).index()))
    paths = {name: fields[name].path for name in ("billing_group_id", "messaging_profile_id", "address_id")}
    assert paths == {
        "billing_group_id": "/billing_groups",
        "messaging_profile_id": "/messaging_profiles",
        "address_id": "/addresses",
    }
    assert fields["connection_id"].path == "/connections" and "id" not in fields
    assert all("{" not in collection.path for collection in fields.values())
