"""Resource lifecycle conformance: create -> retrieve -> listed (-> references resolve) ->
update -> delete -> gone.

A collection is a list path `P` with an item path `P/{id}` (the inference the reference
server's state uses, `conformance.server.state.infer_collections`: a fact of the spec's
paths, not of the server). Those with create, retrieve, delete and list operations get one
deterministic flow; update (PATCH, else PUT) joins it where declared. Request bodies come
from schemathesis' positive generation for the operation (seeded, so a run is repeatable).

schemathesis' state machine explores random sequences of linked calls; a lifecycle is one
fixed sequence whose every step has an expected outcome, so it is written out here, with
schemathesis generating the bodies and its `UseAfterFree` failure reporting a deleted
resource that is still served. The resource created is deleted at the end even when a step
fails. Failures are filed under the operation that misbehaved (the list, the retrieve, the
update), with the request that shows it.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.checks.evidence import Page
from conformance.checks.failures import (
    CreatedNotEchoed,
    CreatedNotListed,
    CreatedNotRetrievable,
    DeletedNotGone,
    DeletedRetrievable,
    DeletedStillListed,
    TelnyxErrorEnvelopeViolation,
    UpdateNotReflected,
)
from conformance.checks.pagination import envelope_failures, identity
from conformance.run.phases import references
from conformance.run.phases.pagination.detect import label_of
from conformance.run.phases.pagination.walk import Client
from conformance.target import curl_command
from spec.index import Operation, SpecIndex

BODY_ATTEMPTS = 3  # generated bodies tried before a create (or update) is given up
NOT_FOUND = 404


@dataclass(frozen=True)
class Lifecycle:
    path: str  # the list path
    item_path: str
    id_param: str
    create: Operation
    retrieve: Operation
    delete: Operation
    listing: Operation
    update: Operation | None

    @property
    def label(self) -> str:
        return label_of(self.create)


def detect_lifecycles(index: SpecIndex) -> list[Lifecycle]:
    from conformance.server.state import infer_collections

    found = []
    for collection in index.shared(infer_collections).values():
        ops = collection.operations
        if not all(kind in ops for kind in ("create", "get", "delete", "list")):
            continue
        found.append(
            Lifecycle(
                path=collection.path,
                item_path=collection.item_path,
                id_param=collection.id_param,
                create=ops["create"],
                retrieve=ops["get"],
                delete=ops["delete"],
                listing=ops["list"],
                update=ops.get("patch") or ops.get("put"),
            )
        )
    return found


# --- the flow ----------------------------------------------------------------------------------


class Flow:
    """One lifecycle against the target. `schema` is the run's schemathesis schema (for bodies),
    `on_write` counts the requests schemathesis sends for us (its hooks count them in the run)."""

    def __init__(
        self,
        client: Client,
        schema: Any,
        lifecycle: Lifecycle,
        params: dict[str, str],
        max_pages: int,
        seed: int,
        prepare: Callable[[Any], None] | None = None,
    ) -> None:
        self.client, self.schema, self.life, self.params = client, schema, lifecycle, params
        self.max_pages, self.seed = max_pages, seed
        self.prepare = prepare  # run --webhooks: the sink named in the bodies it creates with
        self.failures: list[Any] = []
        self.live_ids: dict[str, str | None] = {}  # collection path -> a record it lists (references)

    # requests --------------------------------------------------------------------------------
    def _case(self, operation: Operation, attempt: int, condition: Any = None, path_params: Any = None) -> Any:
        import hypothesis
        from hypothesis import HealthCheck, Phase, settings
        from schemathesis.generation import GenerationMode

        api = self.schema[operation.path][operation.method.upper()]
        strategy = api.as_strategy(generation_mode=GenerationMode.POSITIVE)
        config = settings(
            max_examples=50, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck)
        )
        wanted = condition or (lambda case: True)
        try:
            case = hypothesis.find(strategy, wanted, settings=config, random=random.Random(self.seed + attempt))
        except hypothesis.errors.NoSuchExample:
            return None
        case.path_parameters = {**(case.path_parameters or {}), **self.params, **(path_params or {})}
        return case

    def _send(self, case: Any) -> Page:
        self.client.on_sent_for_us()
        if self.prepare is not None:
            self.prepare(case)
        response = case.call(timeout=self.client.target.timeout)
        try:
            body = response.json()
        except Exception:
            body = None
        request = response.request
        curl = curl_command(
            request.method, request.url, dict(request.headers), request.body, self.client.target.api_key
        )
        return Page(response.status_code, body, curl)

    def _item(self, method: str, record_id: str) -> Page:
        url = self.client.url(self.life.item_path, {**self.params, self.life.id_param: record_id})
        return self.client.request(method, url)

    def _listed(self, record_id: str) -> bool | None:
        """Is the record in the list (True/False), or could the walk not tell (None)?"""
        size = 250
        for number in range(1, self.max_pages + 1):
            page = self.client.get(self.life.path, self.params, {"page[number]": str(number), "page[size]": str(size)})
            if page.status != 200:
                return None
            if any(isinstance(i, dict) and str(i.get("id")) == record_id for i in page.items):
                return True
            if len(page.items) < size and not _more(page, number):
                return False
            if page.items and len(page.items) < size:
                size = len(page.items)  # the server's maximum is lower: keep its page size
        return None

    # steps ------------------------------------------------------------------------------------
    def run(self) -> str | None:
        """The flow; a reason when it could not start (no create accepted), else None."""
        created = None
        for attempt in range(BODY_ATTEMPTS):
            case = self._case(self.life.create, attempt)
            if case is None:
                continue
            filled = references.fill(self.client, self.life.create, case.body, self.live_ids)
            page = self._send(case)
            if 200 <= page.status < 300:
                created = (case, page, filled)
                break
        if created is None:
            return f"{self.life.label} accepted none of {BODY_ATTEMPTS} generated bodies"
        case, page, filled = created
        data = page.body.get("data") if isinstance(page.body, dict) else None
        record_id = str(data["id"]) if isinstance(data, dict) and data.get("id") not in (None, "") else None
        if record_id is None:
            return f"{self.life.label} answered {page.status} without a `data.id` to follow"
        deleted = False
        try:
            current = self._after_create(case.body, record_id)
            if current is not None:
                self.failures += references.unresolved(self.client, self.life.retrieve, current, filled)
            if current is not None and self.life.update is not None:
                self._update(record_id, current)
            deleted = self._delete(record_id)
        finally:
            if not deleted:
                self._item("DELETE", record_id)  # clean up, whatever failed
        return None

    def _after_create(self, sent: Any, record_id: str) -> dict[str, Any] | None:
        life = self.life
        got = self._item("GET", record_id)
        if not 200 <= got.status < 300:
            message = f"{life.label} created {record_id}, but retrieving it answered {got.status}"
            self.failures.append(CreatedNotRetrievable(operation=label_of(life.retrieve), message=message, page=got))
            return None
        data = got.body.get("data") if isinstance(got.body, dict) else None
        data = data if isinstance(data, dict) else {}
        for name, value in echoed(self.client.index, life.retrieve, sent):
            if name in data and not _same(data[name], value):
                message = f"{name} was created as {value!r} but is retrieved as {data[name]!r}"
                self.failures.append(CreatedNotEchoed(operation=label_of(life.retrieve), message=message, page=got))
                break
        if self._listed(record_id) is False:
            message = f"{record_id}, created by {life.label}, is not in the list"
            page = self.client.get(life.path, self.params, {"page[number]": "1", "page[size]": "250"})
            self.failures.append(CreatedNotListed(operation=label_of(life.listing), message=message, page=page))
        return data

    def _update(self, record_id: str, current: dict[str, Any]) -> None:
        update = self.life.update
        assert update is not None
        index = self.client.index

        def changes(case: Any) -> bool:
            return any(not _same(current.get(k), v) for k, v in echoed(index, self.life.retrieve, case.body))

        for attempt in range(BODY_ATTEMPTS):
            case = self._case(update, attempt, changes, {self.life.id_param: record_id})
            if case is None:
                return
            page = self._send(case)
            if 200 <= page.status < 300:
                break
        else:
            return
        got = self._item("GET", record_id)
        data = got.body.get("data") if isinstance(got.body, dict) else None
        if not isinstance(data, dict):
            return
        for name, value in echoed(index, self.life.retrieve, case.body):
            if name in data and not _same(data[name], value):
                message = f"{name} was updated to {value!r} but is retrieved as {data[name]!r}"
                self.failures.append(UpdateNotReflected(operation=label_of(update), message=message, page=got))
                return

    def _delete(self, record_id: str) -> bool:
        life = self.life
        deleted = self._item("DELETE", record_id)
        if not 200 <= deleted.status < 300:
            return False  # not deleted: the operation's own test judges the status
        got = self._item("GET", record_id)
        retrieve = label_of(life.retrieve)
        free = f"DELETE {self.client.url(life.item_path, {**self.params, life.id_param: record_id})}"
        if 200 <= got.status < 300:
            message = f"{record_id} was deleted ({deleted.status}) but is still retrieved ({got.status})"
            usage = f"GET {free.removeprefix('DELETE ')}"
            self.failures.append(
                DeletedRetrievable(operation=retrieve, message=message, free=free, usage=usage, page=got)
            )
        elif got.status != NOT_FOUND:
            message = f"{record_id} was deleted; retrieving it answered {got.status}, not 404"
            self.failures.append(DeletedNotGone(operation=retrieve, message=message, page=got))
        else:
            self.failures += envelope_failures(retrieve, got, "retrieving a deleted resource")
        if self._listed(record_id) is True:
            message = f"{record_id} was deleted but is still in the list"
            page = self.client.get(life.path, self.params, {"page[number]": "1", "page[size]": "250"})
            self.failures.append(DeletedStillListed(operation=label_of(life.listing), message=message, page=page))
        return True


def _more(page: Page, number: int) -> bool:
    pages = page.meta.get("total_pages")
    return isinstance(pages, int) and number < pages


def _same(have: Any, sent: Any) -> bool:
    return have == sent or identity(have, None) == identity(sent, None)


def echoed(index: SpecIndex | None, retrieve: Operation, body: Any) -> list[tuple[str, Any]]:
    """The (field, value) pairs of a request body the retrieve answer should show again:
    scalar fields its `data` schema declares, whose sent value is valid there (a field the
    response spells differently or enumerates otherwise is not an echo)."""
    if index is None or not isinstance(body, dict):
        return []
    from spec.telnyx import data_schema, flat_properties

    pointer = data_schema(index, retrieve, want_array=False)
    if pointer is None:
        return []
    from spec.pointer import get

    properties = flat_properties(index, pointer, get(index.doc, pointer, None))
    pairs = []
    for name, value in body.items():
        if name == "id" or name not in properties or not isinstance(value, (str, int, float, bool)):
            continue
        prop_pointer, prop = index.deref(*properties[name])
        if isinstance(prop, dict) and (prop.get("writeOnly") or prop.get("readOnly")):
            continue
        try:
            if index.schema_validator(prop_pointer).is_valid(value):
                pairs.append((name, value))
        except Exception:
            continue
    return pairs


__all__ = ["Flow", "Lifecycle", "TelnyxErrorEnvelopeViolation", "detect_lifecycles"]
