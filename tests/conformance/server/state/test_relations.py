"""Relations between records: `*_id` fields named after collections, nested references, the
status a delete of a record in use answers, and the numbers a number order provisions."""

from conformance.server.state.collections import Collection
from conformance.server.state.relations import in_use_status, mentions, provisioned


def collection(path: str) -> Collection:
    return Collection(path=path, item_path=f"{path}/{{id}}", id_param="id")


COLLECTIONS = {p: collection(p) for p in ("/outbound_voice_profiles", "/phone_numbers", "/rooms/{id}/sessions")}


def test_mentions_finds_nested_ids_as_text_or_number() -> None:
    fields = {"outbound": {"outbound_voice_profile_id": 123}, "tags": [{"billing_group_id": "b"}]}
    assert mentions(fields, "outbound_voice_profile_id", "123")
    assert mentions(fields, "billing_group_id", "b")
    assert not mentions(fields, "outbound_voice_profile_id", "12")
    assert not mentions({"name": "123"}, "outbound_voice_profile_id", "123")


def test_in_use_answers_a_documented_client_error_only() -> None:
    assert in_use_status({"200": {}, "404": {}, "422": {}}) == "422"
    assert in_use_status({"200": {}, "default": {}}) == "default"
    assert in_use_status({"200": {}, "404": {}}) is None


def test_an_order_provisions_its_numbers_with_the_shared_fields() -> None:
    body = {"phone_numbers": [{"phone_number": "+13125550100"}, {"x": 1}], "messaging_profile_id": "m"}
    found = [(c.path, fields) for c, fields in provisioned("/number_orders", body, COLLECTIONS)]
    assert found == [("/phone_numbers", {"messaging_profile_id": "m", "phone_number": "+13125550100"})]
    assert list(provisioned("/number_orders", body, {})) == []  # a spec without /phone_numbers
    assert list(provisioned("/addresses", body, COLLECTIONS)) == []


def test_a_settings_patch_changes_its_record_with_valid_declared_fields(shared_spec_path) -> None:  # type: ignore[no-untyped-def]
    from conformance.server.state.collections import infer_collections
    from conformance.server.state.relations import settings_fields, settings_owner
    from spec.load import load_spec

    index = load_spec(shared_spec_path).index()
    collections = infer_collections(index)
    owner = settings_owner(collections, "/phone_numbers/{id}/messaging")
    assert owner is not None and owner.path == "/phone_numbers"
    assert settings_owner(collections, "/phone_numbers/{id}") is None  # the item itself
    assert settings_owner(collections, "/phone_numbers/{id}/actions/enable_emergency") is None
    body = {"messaging_profile_id": "m-1", "messaging_product": None, "undeclared": 1, "connection_id": 5}
    assert settings_fields(index, owner, body) == {"messaging_profile_id": "m-1"}  # null, unknown, invalid: left


def test_a_profile_a_number_uses_cannot_be_deleted_until_the_number_is_released() -> None:
    """The relation set by a settings PATCH on a seeded number counts like a created one."""
    from spec.index import build_index
    from spec.load import load_spec
    from tests.conformance.server.faults.test_faults import SHARED_SPEC, call, server

    index = build_index(load_spec(SHARED_SPEC, allow_unpinned=True, use_cache=False).data)
    app = server(index)
    profile = call(app, "POST", "/messaging_profiles", json={"name": "pro", "whitelisted_destinations": ["US"]})
    profile_id = profile.json()["data"]["id"]
    number = call(app, "GET", "/phone_numbers").json()["data"][0]["id"]
    assert call(
        app, "PATCH", f"/phone_numbers/{number}/messaging", json={"messaging_profile_id": profile_id}
    ).is_success
    assert call(app, "GET", f"/phone_numbers/{number}").json()["data"]["messaging_profile_id"] == profile_id
    refused = call(app, "DELETE", f"/messaging_profiles/{profile_id}")
    assert refused.status_code == 422 and "in use by /phone_numbers" in refused.json()["errors"][0]["detail"]
    assert call(app, "DELETE", f"/phone_numbers/{number}").is_success
    assert call(app, "DELETE", f"/messaging_profiles/{profile_id}").status_code == 200


def test_a_created_record_does_not_depend_on_other_collections_creates() -> None:
    """Shards run collections at once against one server: what another collection's client
    created before must not change a record's id or view (the create counter is per collection)."""
    from spec.index import build_index
    from spec.load import load_spec
    from tests.conformance.server.faults.test_faults import SHARED_SPEC, call, server

    index = build_index(load_spec(SHARED_SPEC, allow_unpinned=True, use_cache=False).data)
    body = {"name": "pro", "whitelisted_destinations": ["US"]}

    def created(app: object, before: int) -> dict:
        for n in range(before):
            assert call(app, "POST", "/billing_groups", json={"name": f"other-{n}"}).is_success
        return call(app, "POST", "/messaging_profiles", json=body).json()["data"]

    alone, after_others = created(server(index), 0), created(server(index), 3)
    assert alone["id"] == after_others["id"] and alone == after_others
