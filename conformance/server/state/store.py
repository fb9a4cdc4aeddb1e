"""Server state: the records of the resource collections, kept in SQLite, and the stateful answers.

A collection is a list path `P` with an item path `P/{id}` (GET P lists, POST P creates,
GET/PATCH/PUT/DELETE P/{id} act on one record). A record stores only its id, a seed and the
fields clients set; every view of it (list item, single resource) is generated from the
operation's own response schema with those fields as overrides, so whatever the server
returns stays valid against the spec. Views are cached per record version.
"""

import re
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

import orjson

from conformance.server import envelope
from conformance.server.context import Context
from conformance.server.generation import GenerationError, generate
from conformance.server.responses import Response, render, status_number
from conformance.server.state.collections import Collection, infer_collections, infer_lists, reference_fields
from conformance.server.state.pagination import paginate
from conformance.server.state.relations import (
    in_use_status,
    mentions,
    provisioned,
    settings_fields,
    settings_owner,
)
from conformance.server.validation import path_value_valid
from spec.index import Operation, SpecIndex
from spec.telnyx import data_schema, success_status

SEED_RECORDS = 45  # enough for three pages at the usual default page size of 20
_INTEGER = re.compile(r"-?[0-9]{1,18}")
ID_ATTEMPTS = 4  # ids generated from the id parameter's schema before the crc fallback


def _id_text(value: Any) -> list[str]:
    """A generated value as a record id: non-empty strings and integers only."""
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
        return [str(value)]
    return []


class Store:
    """Records of every collection, seeded deterministically, in one SQLite database."""

    def __init__(self, index: SpecIndex, *, seed: int, db: str = ":memory:") -> None:
        self.index = index
        self.seed = seed
        self.collections = infer_collections(index)
        self.lists = infer_lists(index, self.collections)
        self.references = reference_fields(self.collections)  # `billing_group_id` -> /billing_groups
        self.creates: Counter[str] = Counter()  # per collection: another's creates must not move its ids
        self.db = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS records (collection TEXT, id TEXT, seq INTEGER, seed INTEGER, "
            "fields TEXT, version INTEGER DEFAULT 0, created INTEGER DEFAULT 0, PRIMARY KEY (collection, id))"
        )
        self._views: dict[tuple[str, str, str, int], dict[str, Any]] = {}
        self._seeded: set[str] = set()
        # Decoded rows per collection (every list request reads them all), dropped on any write;
        # and the collections owning each path template, which never change.
        self._rows: dict[str, list[tuple[str, int, dict[str, Any], int, bool]]] = {}
        self._owners_of: dict[str, list[Collection]] = {}
        # The records deleted, per collection, as they were: the faults that keep listing them
        # or answer 500 for them need to know them (nothing else reads these tombstones).
        self._deleted: dict[str, dict[str, tuple[str, int, dict[str, Any], int, bool]]] = {}

    # --- records ------------------------------------------------------------------------
    def _ensure_seeded(self, collection: Collection) -> None:
        """Seed lazily: 118 collections x 45 records would slow start-up for nothing."""
        if collection.path in self._seeded:
            return
        self._seeded.add(collection.path)
        if self.db.execute("SELECT 1 FROM records WHERE collection = ? LIMIT 1", (collection.path,)).fetchone():
            return  # a --db file that already holds this collection
        base = zlib.crc32(f"{self.seed}:{collection.path}".encode())
        for n in range(SEED_RECORDS):
            self._insert(collection, {}, seed=(base + n) & 0x7FFFFFFF, created=False)

    def _insert(self, collection: Collection, fields: dict[str, Any], *, seed: int, created: bool) -> str:
        seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM records WHERE collection = ?", (collection.path,))
        seq_value = seq.fetchone()[0]
        record_id = self._fresh_id(collection, seed, seq_value)
        self.db.execute(
            "INSERT INTO records (collection, id, seq, seed, fields, created) VALUES (?, ?, ?, ?, ?, ?)",
            (collection.path, record_id, seq_value, seed, orjson.dumps(fields).decode(), int(created)),
        )
        self._rows.pop(collection.path, None)
        self._deleted.get(collection.path, {}).pop(record_id, None)  # an id used again is no tombstone
        return record_id

    def _fresh_id(self, collection: Collection, seed: int, seq: int) -> str:
        """A new record id the item path accepts: the id the record's own view would show,
        else one generated from the id parameter's schema (a uuid where the path wants one)."""
        for candidate in self._id_candidates(collection, seed):
            if self._id_accepted(collection, candidate) and not self._exists(collection, candidate):
                return candidate
        return f"{zlib.crc32(f'{collection.path}:{seed}:{seq}'.encode()):08x}-{seq:04d}"

    def _id_candidates(self, collection: Collection, seed: int) -> Iterator[str]:
        """The view's own id first (lists and items then agree), then values generated from
        each distinct declaration of the id parameter, a few seeds each (lazily: the first
        candidate usually wins)."""
        pointer = collection.single_pointer or collection.item_pointer
        if pointer is not None:
            # a few seeds: ids drawn from a small range (integers up to 1000) collide within
            # 45 records, and a list without an item path has no parameter schema to fall back on
            # (and a view that cannot show a parameter-schema id, a uuid field given "string-x",
            # would show its generated id instead: the view's own ids come first, several seeds)
            for attempt in range(ID_ATTEMPTS * 4):
                view = self._generate(pointer, seed + attempt * 7919, None)
                yield from _id_text(view.get(collection.id_field) if isinstance(view, dict) else None)
        schemas = {orjson.dumps(p.get("schema")): f"{q}/schema" for q, p in collection.id_params if "schema" in p}
        for schema_pointer in schemas.values():
            for attempt in range(ID_ATTEMPTS):
                try:
                    value = generate(
                        self.index, schema_pointer, seed=seed + attempt, direction="request", examples=False
                    )
                except GenerationError:
                    break
                yield from _id_text(value)

    def _id_accepted(self, collection: Collection, candidate: str) -> bool:
        if "/" in candidate:
            return False  # a decoded path would route elsewhere
        return all(path_value_valid(self.index, pointer, param, candidate) for pointer, param in collection.id_params)

    def _exists(self, collection: Collection, record_id: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM records WHERE collection = ? AND id = ?", (collection.path, record_id)
        ).fetchone()
        return row is not None

    def records(self, collection: Collection) -> list[tuple[str, int, dict[str, Any], int, bool]]:
        self._ensure_seeded(collection)
        cached = self._rows.get(collection.path)
        if cached is None:
            rows = self.db.execute(
                "SELECT id, seed, fields, version, created FROM records WHERE collection = ? ORDER BY seq",
                (collection.path,),
            )
            cached = self._rows[collection.path] = [(r[0], r[1], orjson.loads(r[2]), r[3], bool(r[4])) for r in rows]
        return cached

    def record(self, collection: Collection, record_id: str) -> tuple[str, int, dict[str, Any], int, bool] | None:
        self._ensure_seeded(collection)
        row = self.db.execute(
            "SELECT id, seed, fields, version, created FROM records WHERE collection = ? AND id = ?",
            (collection.path, record_id),
        ).fetchone()
        return (row[0], row[1], orjson.loads(row[2]), row[3], bool(row[4])) if row else None

    def stored_fields(self, path: str, record_id: str) -> dict[str, Any] | None:
        """The fields a record of the collection at `path` was created (or updated) with; None
        when there is no such collection or record (the webhooks' profile and application URLs)."""
        collection = self.collections.get(path)
        found = self.record(collection, record_id) if collection is not None else None
        return found[2] if found is not None else None

    # --- views --------------------------------------------------------------------------
    def _generate(self, pointer: str, seed: int, overrides: dict[str, Any] | None) -> Any:
        return generate(self.index, pointer, seed=seed, overrides=overrides, examples=False)

    def view(self, collection: Collection, pointer: str, record: tuple[str, int, dict[str, Any], int, bool]) -> Any:
        record_id, seed, fields, version, _ = record
        key = (collection.path, pointer, record_id, version)
        cached = self._views.get(key)
        if cached is None:
            overrides = {**fields, collection.id_field: record_id}
            cached = self._generate(pointer, seed, overrides)
            shown = cached.get(collection.id_field) if isinstance(cached, dict) else None
            if shown is not None and str(shown) != record_id and _INTEGER.fullmatch(record_id):
                # an integer id field: the record's id is text in the store, a number in views
                cached = self._generate(pointer, seed, {**overrides, collection.id_field: int(record_id)})
            self._views[key] = cached
        return cached

    # --- request handling ---------------------------------------------------------------
    def handle(self, ctx: Context) -> Response | None:
        """The stateful answer for a request, or None when the operation is not stateful."""
        operation = ctx.operation
        assert operation is not None and ctx.match is not None
        for collection in self._owners(operation.path):
            item_id = ctx.match.path_params.get(collection.id_param)
            if item_id is None:
                continue
            found = self.record(collection, item_id)
            tombstone = found is None and item_id in self._deleted.get(collection.path, {})
            if tombstone and ctx.faulty("deleted-resource-server-error"):
                return Response(500, envelope.simple(envelope.SERVER_ERROR))
            if found is None:
                return Response(404, envelope.simple(envelope.NOT_FOUND, f"No such {collection.id_param}: {item_id}"))
        collection = self.collections.get(operation.path.rstrip("/"))
        if collection is not None and operation is collection.operations.get("list"):
            return self._list(ctx, collection)
        if collection is not None and operation is collection.operations.get("create"):
            return self._create(ctx, collection)
        listed = self.lists.get(operation.path)
        if listed is not None and operation is listed.operations.get("list"):
            return self._list(ctx, listed)
        collection = self._item_collection(operation)
        if collection is not None:
            return self._item(ctx, collection)
        if operation.method in ("patch", "put") and not ctx.faulty("update-ignored"):
            self._settings(ctx)
        return None

    def _settings(self, ctx: Context) -> None:
        """A settings PATCH/PUT under a record (`/phone_numbers/{id}/messaging`) changes the
        record (relations.settings_fields); the answer itself stays generated."""
        assert ctx.operation is not None and ctx.match is not None
        owner = settings_owner(self.collections, ctx.operation.path)
        record_id = ctx.match.path_params.get(owner.id_param) if owner is not None else None
        if owner is None or record_id is None:
            return
        found = self.record(owner, record_id)
        fields = settings_fields(self.index, owner, ctx.parsed_body) if found is not None else {}
        if found is None or not fields:
            return
        self.db.execute(
            "UPDATE records SET fields = ?, version = version + 1 WHERE collection = ? AND id = ?",
            (orjson.dumps({**found[2], **fields}).decode(), owner.path, record_id),
        )
        self._rows.pop(owner.path, None)

    def _owners(self, template: str) -> list[Collection]:
        """Collections whose item path is a prefix of `template` (their id must exist)."""
        owners = self._owners_of.get(template)
        if owners is None:
            owners = self._owners_of[template] = [
                c
                for c in self.collections.values()
                if template == c.item_path or template.startswith(c.item_path + "/")
            ]
        return owners

    def _item_collection(self, operation: Operation) -> Collection | None:
        for collection in self.collections.values():
            if collection.item_path == operation.path and operation in collection.operations.values():
                return collection
        return None

    def _list(self, ctx: Context, collection: Collection) -> Response | None:
        if collection.item_pointer is None:
            return None
        rows = [r for r in self.records(collection) if not (r[4] and ctx.faulty("created-missing-from-list"))]
        if ctx.faulty("deleted-resource-still-listed"):
            rows += self._deleted.get(collection.path, {}).values()
        items = [self.view(collection, collection.item_pointer, r) for r in rows]
        return paginate(ctx, collection, items)

    def _create(self, ctx: Context, collection: Collection) -> Response | None:
        fields = ctx.parsed_body if isinstance(ctx.parsed_body, dict) else {}
        if ctx.faulty("created-fields-not-stored"):
            fields = {}  # views then show generated values, not the ones sent
        # Seed first: a collection that already holds rows counts as seeded (a --db file), so a
        # create before any read would otherwise leave the collection with that one record.
        self._ensure_seeded(collection)
        # A create counter joins the seed: two creates with the same body are two records, and
        # must not get the same generated ids (nor run out of valid id candidates). It counts per
        # collection, so a record's id and view do not depend on what other collections' clients
        # (another shard, run at the same time) created before it.
        self.creates[collection.path] += 1  # never reused: a count of records is, once some are deleted
        body = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS) + b"#%d" % self.creates[collection.path]
        seed = zlib.crc32(body) & 0x7FFFFFFF
        record_id = self._insert(collection, fields, seed=seed, created=True)
        if ctx.faulty("unresolvable-reference-id"):
            self._hand_over(fields)
        for target, provided in provisioned(collection.path, fields, self.collections):
            self._ensure_seeded(target)  # an order's numbers join the account's (relations.PROVISIONS)
            self._insert(target, provided, seed=(seed + len(provided)) & 0x7FFFFFFF, created=True)
        return self._render_one(ctx, collection, self.record(collection, record_id))

    def _hand_over(self, fields: dict[str, Any]) -> None:
        """unresolvable-reference-id: each record the new one refers to (`billing_group_id`)
        leaves the caller's reach, as if moved to another account: the new record keeps the
        reference, but no GET resolves it and no list shows it (no tombstone: never deleted)."""
        for name, value in fields.items():
            referred = self.references.get(name)
            if referred is None or isinstance(value, bool) or not isinstance(value, (str, int)):
                continue
            if self.record(referred, str(value)) is not None:
                self.db.execute("DELETE FROM records WHERE collection = ? AND id = ?", (referred.path, str(value)))
                self._rows.pop(referred.path, None)

    def _item(self, ctx: Context, collection: Collection) -> Response | None:
        assert ctx.operation is not None and ctx.match is not None
        record_id = ctx.match.path_params[collection.id_param]
        found = self.record(collection, record_id)
        if found is None:  # (checked by the owner scan already; kept for clarity)
            return Response(404, envelope.simple(envelope.NOT_FOUND))
        method = ctx.operation.method
        if method == "get" and found[4] and ctx.faulty("created-not-retrievable"):
            return Response(404, envelope.simple(envelope.NOT_FOUND, f"No such {collection.id_param}: {record_id}"))
        if method in ("patch", "put") and isinstance(ctx.parsed_body, dict) and not ctx.faulty("update-ignored"):
            fields = found[2] if method == "patch" else {}
            fields = {**fields, **ctx.parsed_body}
            self.db.execute(
                "UPDATE records SET fields = ?, version = version + 1 WHERE collection = ? AND id = ?",
                (orjson.dumps(fields).decode(), collection.path, record_id),
            )
            self._rows.pop(collection.path, None)
            found = self.record(collection, record_id)
        if method == "delete" and not ctx.faulty("delete-in-use-accepted"):
            refused = self._in_use(ctx.operation, collection, record_id)
            if refused is not None:
                return refused
        if method == "delete" and not ctx.faulty("deleted-resource-retrievable"):
            self.db.execute("DELETE FROM records WHERE collection = ? AND id = ?", (collection.path, record_id))
            self._rows.pop(collection.path, None)
            self._deleted.setdefault(collection.path, {})[record_id] = found
        return self._render_one(ctx, collection, found)

    def _in_use(self, operation: Operation, collection: Collection, record_id: str) -> Response | None:
        """The documented error for deleting a record another record still refers to (a credential
        connection's `outbound_voice_profile_id`, a number a settings PATCH gave a messaging
        profile), None when nothing does."""
        field = next((name for name, referred in self.references.items() if referred.path == collection.path), None)
        status = in_use_status(operation.node.get("responses") or {}) if field is not None else None
        if field is None or status is None:
            return None
        # A prefilter on the stored JSON text, then the nested walk: only rows mentioning the id.
        rows = self.db.execute("SELECT collection, id, fields FROM records WHERE instr(fields, ?) > 0", (record_id,))
        for owner, owner_id, fields in rows:
            if mentions(orjson.loads(fields), field, record_id):
                detail = f"{collection.path} {record_id} is in use by {owner} {owner_id} ({field}); remove that first"
                code = 422 if not status.isdigit() else int(status)
                return Response(code, envelope.simple(envelope.IN_USE, detail))
        return None

    def _render_one(self, ctx: Context, collection: Collection, record: Any) -> Response:
        """The operation's documented success response, its `data` being this record."""
        operation = ctx.operation
        assert operation is not None
        status = success_status(operation)
        if status is None:
            return Response(204, b"", {}, None)
        pointer = data_schema(self.index, operation, want_array=False)
        if pointer is None:
            return render(self.index, operation, status, seed=self.seed)
        data = self.view(collection, pointer, record)
        response = render(self.index, operation, status, seed=record[1], overrides={"data": data})
        response.status = status_number(status)
        return response
