"""Regression tests for the server fixes the conformance sweep led to, each on a tiny spec:
record ids every path of the record accepts, enumerated path names not taken for collections,
a create before any read keeping the seeded records, and a redirect-only operation answered with
its documented redirect."""

import asyncio
from typing import Any

import httpx
import pytest

from conformance.server.app import DEFAULT_TOKEN, ReferenceServer, ServerConfig
from conformance.server.state import SEED_RECORDS, Store, infer_collections
from conformance.server.validation import path_value_valid
from spec.index import SpecIndex, build_index
from spec.telnyx import success_status

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
UUID = {"type": "string", "format": "uuid"}


def _ok(schema: dict[str, Any] | None = None) -> dict[str, Any]:
    if schema is None:
        return {"200": {"description": "ok"}}
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _spec() -> SpecIndex:
    """`/things/{id}` whose item path takes any string but whose action wants a uuid, while the
    record's own `id` field is a plain string; `/kinds/{kind}` names one of a fixed list."""
    thing = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
    listing = {"type": "object", "properties": {"data": {"type": "array", "items": thing}}, "required": ["data"]}
    single = {"type": "object", "properties": {"data": thing}, "required": ["data"]}
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com/v2"}],
        "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/things": {"get": {"responses": _ok(listing)}, "post": {"responses": _ok(single)}},
            "/things/{id}": {"get": {"parameters": [_path("id", {"type": "string"})], "responses": _ok(single)}},
            "/things/{id}/actions/ping": {"post": {"parameters": [_path("id", UUID)], "responses": _ok()}},
            "/kinds": {"get": {"responses": _ok(listing)}},
            "/kinds/{kind}": {"get": {"parameters": [_path("kind", {"enum": ["a", "b"]})], "responses": _ok(single)}},
            "/authorize": {"get": {"responses": {"302": {"description": "redirect"}, "400": {"description": "bad"}}}},
        },
    }
    return build_index(doc)


def _ask(app: ReferenceServer, method: str, path: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.request(method, path, headers=AUTH)

    return asyncio.run(go())


def test_record_ids_pass_every_declaration_of_the_id_parameter() -> None:
    index = _spec()
    store = Store(index, seed=0)
    collection = store.collections["/things"]
    assert len(collection.id_params) == 2  # the item path's and the action's
    ids = [record[0] for record in store.records(collection)]
    assert len(ids) == len(set(ids)) == SEED_RECORDS
    for pointer, param in collection.id_params:
        assert all(path_value_valid(index, pointer, param, record_id) for record_id in ids)


def test_an_action_on_a_listed_record_is_accepted() -> None:
    app = ReferenceServer(_spec(), ServerConfig())
    first = _ask(app, "GET", "/v2/things").json()["data"][0]["id"]
    assert _ask(app, "POST", f"/v2/things/{first}/actions/ping").status_code == 200


def test_enumerated_path_names_are_not_collections() -> None:
    index = _spec()
    assert "/kinds" not in infer_collections(index)
    assert _ask(ReferenceServer(index, ServerConfig()), "GET", "/v2/kinds/b").status_code == 200


def test_a_create_before_any_read_keeps_the_seeded_records() -> None:
    app = ReferenceServer(_spec(), ServerConfig())
    assert _ask(app, "POST", "/v2/things").status_code == 200
    assert len(app.store.records(app.store.collections["/things"])) == SEED_RECORDS + 1


def test_a_redirect_only_operation_answers_its_redirect() -> None:
    index = _spec()
    operation = next(o for o in index.operations if o.path == "/authorize")
    assert success_status(operation) == "302"
    assert _ask(ReferenceServer(index, ServerConfig()), "GET", "/v2/authorize").status_code == 302


def test_a_page_number_beyond_64_bits_is_echoed_not_a_500() -> None:
    """A run found GET /portouts?page[number]=16815734278171814183142929989632 answering 500:
    orjson cannot write integers beyond 64 bits."""
    import asyncio

    import httpx

    from conformance.server.app import ReferenceServer, ServerConfig
    from spec.load import load_spec

    app = ReferenceServer(load_spec().index(), ServerConfig())

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return await client.get(
                "/v2/addresses?page[number]=16815734278171814183142929989632&page[size]=5",
                headers={"Authorization": "Bearer telnyx-conformance-test-token"},
            )

    response = asyncio.run(get())
    assert response.status_code == 200
    assert response.json()["data"] == [] and response.json()["meta"]["page_number"] == 16815734278171814183142929989632


@pytest.mark.parametrize("seed", [1, 4])
def test_every_listed_collection_shows_unique_ids(spec_index: SpecIndex, seed: int) -> None:
    """Records' ids are unique in the store, and their views must show them as they are: an
    integer id field shows the number (an override of the text "127" would be refused and a
    random id shown instead, duplicating another record's)."""
    store = Store(spec_index, seed=seed)
    for collection in [*store.collections.values(), *store.lists.values()]:
        pointer = collection.item_pointer or collection.single_pointer
        if pointer is None:
            continue
        shown = []
        for record in store.records(collection):
            view = store.view(collection, pointer, record)
            if isinstance(view, dict) and collection.id_field in view:
                shown.append(str(view[collection.id_field]))
                assert shown[-1] == record[0], (collection.path, record[0], shown[-1])
        assert len(shown) == len(set(shown)), collection.path


def test_creates_after_deletes_never_reuse_a_seed() -> None:
    """A run found a deleted resource "still listed": after deletes, the record count repeated,
    so a create with the same body got the same seed as an earlier one; its id went to the
    parameter schema's fallback ("string-x"), which the uuid `id` field refused, and its view
    showed the earlier record's generated uuid."""
    record = {"type": "object", "properties": {"id": UUID}, "required": ["id"]}
    listing = {"type": "object", "properties": {"data": {"type": "array", "items": record}}, "required": ["data"]}
    single = {"type": "object", "properties": {"data": record}, "required": ["data"]}
    index = build_index(
        {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "servers": [{"url": "https://api.example.com/v2"}],
            "paths": {
                "/orders": {"get": {"responses": _ok(listing)}, "post": {"responses": _ok(single)}},
                "/orders/{id}": {
                    "get": {"parameters": [_path("id", {"type": "string"})], "responses": _ok(single)},
                    "delete": {"parameters": [_path("id", {"type": "string"})], "responses": _ok(single)},
                },
            },
        }
    )
    app = ReferenceServer(index, ServerConfig(seed=1))

    async def go() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t/v2") as client:
            created = []
            for _ in range(4):
                listed = (await client.get("/orders", params={"page[size]": 250})).json()["data"]
                await client.delete(f"/orders/{listed[0]['id']}")  # the count drops back each time
                created.append((await client.post("/orders", json={})).json()["data"]["id"])
            assert len(set(created)) == len(created), created
            for record_id in created:
                assert (await client.get(f"/orders/{record_id}")).json()["data"]["id"] == record_id
            await client.delete(f"/orders/{created[0]}")
            listed = [item["id"] for item in (await client.get("/orders", params={"page[size]": 250})).json()["data"]]
            assert created[0] not in listed and len(listed) == len(set(listed))

    asyncio.run(go())
