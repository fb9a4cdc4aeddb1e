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


class Answers:
    """A target as the reference step asks it: GETs answered from a table (path -> status, body)."""

    def __init__(self, index, answers: dict[str, tuple[int, object]]) -> None:  # type: ignore[no-untyped-def]
        self.index, self.answers, self.asked = index, answers, []

    def get(self, path: str, path_params: dict | None = None, query: dict | None = None):  # type: ignore[no-untyped-def]
        from conformance.checks.evidence import Page

        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", value)
        self.asked.append(path)
        status, body = self.answers.get(path, (404, {"errors": []}))
        return Page(status, body, f"curl {path}")


STRING = {"type": "string"}
REFERRING = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/groups": {"get": {"responses": ok(THING, array=True)}},
        "/groups/{id}": {"parameters": ID, "get": {"responses": ok(THING)}},
        "/things": {
            "get": {"responses": ok(THING, array=True)},
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"group_id": {"type": "string", "format": "uuid"}, "thing_id": STRING},
                            }
                        }
                    }
                },
                "responses": ok(THING),
            },
        },
        "/things/{id}": {"parameters": ID, "get": {"responses": ok(THING)}, "delete": {"responses": ok(THING)}},
    },
}
GROUP = "6f1c2d7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"


def test_the_reference_step_fills_live_ids_and_judges_only_404() -> None:
    from conformance.run.phases.references import fill, unresolved

    index = build_index(REFERRING)
    (life,) = detect_lifecycles(index)
    live = {"/groups": (200, {"data": [{"id": GROUP}]}), f"/groups/{GROUP}": (200, {"data": {"id": GROUP}})}
    client = Answers(index, live)
    body = {"group_id": "generated", "thing_id": "x"}
    filled = fill(client, life.create, body, {})  # type: ignore[arg-type]
    assert body == {"group_id": GROUP, "thing_id": "x"}  # a reference to its own kind is left alone
    assert unresolved(client, life.retrieve, {"group_id": GROUP}, filled) == []  # type: ignore[arg-type]
    client.answers = {f"/groups/{GROUP}": (500, None)}
    assert unresolved(client, life.retrieve, {"group_id": GROUP}, filled) == []  # not a 404: not this check's
    client.answers = {}
    assert unresolved(client, life.retrieve, {"group_id": "another"}, filled) == []  # not shown: the echo check's
    (failure,) = unresolved(client, life.retrieve, {"group_id": GROUP}, filled)  # type: ignore[arg-type]
    assert failure.check == "telnyx_reference_resolves" and failure.operation == "GET /things/{id}"
    assert failure.page.curl == f"curl /groups/{GROUP}"


def test_no_live_record_or_an_invalid_one_leaves_the_generated_body() -> None:
    from conformance.run.phases.references import fill

    index = build_index(REFERRING)
    (life,) = detect_lifecycles(index)
    body = {"group_id": "generated"}
    assert fill(Answers(index, {}), life.create, body, {}) == {} and body == {"group_id": "generated"}  # type: ignore[arg-type]
    listed_only = {"/groups": (200, {"data": [{"id": GROUP}]})}  # listed, but its GET answers 404
    assert fill(Answers(index, listed_only), life.create, body, {}) == {}  # type: ignore[arg-type]
    not_uuid = {"/groups": (200, {"data": [{"id": "7"}]}), "/groups/7": (200, {})}  # fails format: uuid
    assert fill(Answers(index, not_uuid), life.create, body, {}) == {}  # type: ignore[arg-type]
