"""Relations between the server's records: what a record's `*_id` fields refer to, and what a
create provisions in another collection.

Telnyx resources point at each other by id fields named after the resource
(`outbound_voice_profile_id` names a record of `/outbound_voice_profiles`, `messaging_profile_id`
one of `/messaging_profiles`), at the top of a body or nested (`outbound.outbound_voice_profile_id`
of a credential connection). Knowing that lets the server refuse to delete a record another one
still uses, as Telnyx does (a profile assigned to a connection), instead of leaving the
connection pointing at nothing. The relation is inferred from the collections' names, not
listed per resource, so every `<singular>_id` of the spec counts.

A PATCH or PUT of a settings path under a record (`PATCH /phone_numbers/{id}/messaging`, which
assigns a messaging profile to a number) changes that record: the fields it sets that the
record's own view declares, with a value valid there, are kept on the record (`settings_fields`),
so `GET /phone_numbers/{id}` shows the profile assigned.

One relation is not in any field name: ordering numbers (`POST /number_orders` with
`phone_numbers: [{phone_number}]`) makes them the account's numbers (`/phone_numbers`). That
is a Telnyx fact, declared here once (`PROVISIONS`), and applied only where the spec has both.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from conformance.server.state.collections import Collection
from spec.index import SpecIndex

# The create path -> (the collection it provisions, the list in the create's body, the field of
# each entry that the provisioned record keeps, fields of the create copied onto each record).
PROVISIONS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "/number_orders": (
        "/phone_numbers",
        "phone_numbers",
        "phone_number",
        ("connection_id", "messaging_profile_id", "billing_group_id", "customer_reference"),
    ),
}
IN_USE_STATUSES = ("422", "409", "400", "4XX", "default")  # the first the delete documents answers
MAX_DEPTH = 6  # nesting walked in a record's fields


@dataclass(frozen=True)
class Provision:
    target: Collection
    items: list[dict[str, Any]]  # each provisioned record's fields


def mentions(fields: Any, field: str, record_id: str, depth: int = 0) -> bool:
    """Does `field` hold `record_id` anywhere in `fields` (nested objects and lists included)?"""
    if depth > MAX_DEPTH:
        return False
    if isinstance(fields, dict):
        for name, value in fields.items():
            if name == field and isinstance(value, (str, int)) and str(value) == record_id:
                return True
            if isinstance(value, (dict, list)) and mentions(value, field, record_id, depth + 1):
                return True
    elif isinstance(fields, list):
        return any(mentions(item, field, record_id, depth + 1) for item in fields)
    return False


def in_use_status(responses: dict[str, Any]) -> str | None:
    """The status a delete answers for a record in use: the first documented of 422, 409,
    400, 4XX, default (a delete that documents none of them is accepted: no undocumented code)."""
    return next((status for status in IN_USE_STATUSES if status in responses), None)


def provisioned(
    create_path: str, fields: dict[str, Any], collections: dict[str, Collection]
) -> Iterator[tuple[Collection, dict[str, Any]]]:
    """The records a create provisions elsewhere (an order's numbers), with their fields."""
    declared = PROVISIONS.get(create_path)
    if declared is None or declared[0] not in collections:
        return
    target, list_name, key, copied = declared
    entries = fields.get(list_name)
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get(key), str) and entry[key]:
            shared = {name: fields[name] for name in copied if isinstance(fields.get(name), str)}
            yield collections[target], {**shared, key: entry[key]}


def settings_owner(collections: dict[str, Collection], template: str) -> Collection | None:
    """The collection whose record a settings path changes: `P/{id}/name` with `P/{id}` an
    item path and no collection of its own (`/phone_numbers/{id}/messaging`)."""
    head, _, last = template.rpartition("/")
    if not last or "{" in last or template in collections:
        return None
    return next((c for c in collections.values() if c.item_path == head and c.single_pointer), None)


def settings_fields(index: SpecIndex, owner: Collection, body: Any) -> dict[str, Any]:
    """The fields of a settings body the owner's view declares, non-null and valid there (null
    means "leave unchanged" in Telnyx's settings bodies; an invalid value would make the
    record's own view break its schema)."""
    if not isinstance(body, dict) or owner.single_pointer is None:
        return {}
    from spec.pointer import get
    from spec.telnyx import flat_properties

    properties = flat_properties(index, owner.single_pointer, get(index.doc, owner.single_pointer, None))
    kept = {}
    for name, value in body.items():
        if value is None or name not in properties or name == owner.id_field:
            continue
        pointer, schema = index.deref(*properties[name])
        if isinstance(schema, dict) and schema.get("readOnly"):
            continue
        try:
            valid = index.schema_validator(pointer).is_valid(value)
        except Exception:
            valid = False
        if valid:
            kept[name] = value
    return kept
