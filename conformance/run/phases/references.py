"""Cross-resource references in the lifecycle: an id a created resource holds for another
resource (`billing_group_id` of an outbound voice profile) must still lead to that resource.

A generated id names nothing, so a reference is only judged when the run made it real: before
the create, each top-level field of the body that names a collection by Telnyx's spelling
(`conformance.server.state.reference_fields`) gets the id of a record that collection lists,
once a GET of that record answered 2xx. After the create, when the retrieved resource shows
that id, GET of the referred record must not answer 404 (`telnyx_reference_resolves`): it was
there a moment before, and nothing the run did deleted it. Whether the value is echoed at all
is the echo check's question (`telnyx_created_resource_echo`), not this one's.
"""

from typing import Any

from conformance.checks.failures import ReferenceUnresolvable
from conformance.run.phases.pagination.detect import label_of
from conformance.run.phases.pagination.walk import Client
from spec.index import Operation, SpecIndex
from spec.pointer import escape

NOT_FOUND = 404


def _referable(index: SpecIndex) -> dict[str, Any]:
    from conformance.server.state import infer_collections, reference_fields

    return reference_fields(index.shared(infer_collections))


def _body_properties(index: SpecIndex, operation: Operation) -> dict[str, tuple[str, Any]]:
    """The top-level properties of an operation's JSON request body."""
    from spec.telnyx import flat_properties

    pointer, body = index.deref(operation.pointer + "/requestBody", operation.node.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    media = content.get("application/json") if isinstance(content, dict) else None
    if not isinstance(media, dict) or "schema" not in media:
        return {}
    schema_pointer = f"{pointer}/content/{escape('application/json')}/schema"
    return flat_properties(index, schema_pointer, media["schema"])


def live_id(client: Client, collection: Any) -> str | None:
    """The id of a record the target lists for `collection` and retrieves (2xx); else None."""
    page = client.get(collection.path, None, {"page[size]": "1"})
    first = page.items[0] if page.status == 200 and page.items else None
    if not isinstance(first, dict) or first.get(collection.id_field) in (None, ""):
        return None
    record_id = str(first[collection.id_field])
    got = client.get(collection.item_path, {collection.id_param: record_id})
    return record_id if 200 <= got.status < 300 else None


def fill(client: Client, create: Operation, body: Any, known: dict[str, str | None]) -> dict[str, tuple[Any, str]]:
    """Put live ids into the reference fields of a create body (where the field's schema
    accepts the id); field -> (the referred collection, the id). The body is changed in place;
    `known` keeps the live id found per collection path across a flow's attempts."""
    index = client.index
    if index is None or not isinstance(body, dict):
        return {}
    referable = index.shared(_referable)
    filled: dict[str, tuple[Any, str]] = {}
    for name, (pointer, schema) in _body_properties(index, create).items():
        collection = referable.get(name)
        if collection is None or collection.operations.get("create") is create:
            continue  # a resource referring to its own kind: no second record of it to refer to
        if collection.path not in known:
            known[collection.path] = live_id(client, collection)
        record_id = known[collection.path]
        prop_pointer, _ = index.deref(pointer, schema)
        try:
            valid = record_id is not None and index.schema_validator(prop_pointer).is_valid(record_id)
        except Exception:  # a schema no engine compiles: leave the generated value
            valid = False
        if valid:
            body[name] = record_id
            filled[name] = (collection, record_id)
    return filled


def unresolved(
    client: Client, retrieve: Operation, data: dict[str, Any], filled: dict[str, tuple[Any, str]]
) -> list[ReferenceUnresolvable]:
    """The references the retrieved resource shows (as filled) whose record now answers 404;
    filed under the retrieve whose answer holds the reference."""
    failures = []
    for name, (collection, record_id) in filled.items():
        if str(data.get(name)) != record_id:
            continue
        got = client.get(collection.item_path, {collection.id_param: record_id})
        if got.status == NOT_FOUND:
            message = (
                f"{name}={record_id} resolved before the create, but GET {collection.item_path} of it now answers 404"
            )
            failures.append(ReferenceUnresolvable(operation=label_of(retrieve), message=message, page=got))
    return failures
