"""Objects and arrays (properties, additional and pattern properties, items) and strings."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

from conformance.server.generation.base import EngineBase, Mode
from conformance.server.generation.errors import Unsatisfiable
from conformance.server.generation.flatten import Facet, Flat
from conformance.server.generation.patterns import BoundedXeger, pattern_matches
from conformance.server.generation.seeds import Rng, sub_seed
from conformance.server.generation.strings import FORMATS, free_string, looks_like_phone, phone_number, random_token
from conformance.server.generation.values import canonical
from strategies import names

MAX_ITEMS = 3  # array length when minItems does not ask for more
UNIQUE_RETRIES = 6


class ContainerWalk(EngineBase):
    """Objects, arrays and strings: the values that are built part by part."""

    def object(
        self,
        flat: Flat,
        seed: int,
        depth: int,
        stack: tuple[str, ...],
        name: str | None,
        mode: Mode,
        minimal: bool,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        required = flat.required
        for prop, facets in flat.properties.items():
            child = self.child(flat, prop, facets)
            is_required = prop in required
            if not is_required and (minimal or self.excluded(child) or not self.name_allowed(flat, prop)):
                continue
            try:
                out[prop] = self.value(child, sub_seed(seed, prop), depth + 1, stack, prop, mode)
            except Unsatisfiable:
                if is_required:
                    raise
        for prop in required:
            if prop not in out:
                child = self.child(flat, "\x00" + prop, self.extra_facets(flat, prop))
                out[prop] = self.value(child, sub_seed(seed, prop), depth + 1, stack, prop, mode)
        wanted = flat.min_props
        if not minimal and not flat.properties and (flat.additional or flat.pattern_props):
            wanted = max(wanted, 1)
        if flat.max_props is not None:
            wanted = min(wanted, flat.max_props)
        for i in range(len(out) * 4 + 8):
            if len(out) >= wanted:
                break
            key = self.extra_key(flat, Rng(sub_seed(seed, f"key{i}")), i)
            if key is None or key in out:
                continue
            child = self.child(flat, "\x00" + key, self.extra_facets(flat, key))
            out[key] = self.value(child, sub_seed(seed, key), depth + 1, stack, key, mode)
        if len(out) < flat.min_props:
            raise Unsatisfiable("cannot reach minProperties")
        return self.consistent(flat, out, seed, name)

    def consistent(self, flat: Flat, out: dict[str, Any], seed: int, name: str | None = None) -> dict[str, Any]:
        """One resource reads as one: its record_type names its schema, its number belongs to
        its country, and it was not updated before it was created. Each change is kept only
        where the property's own schema accepts it."""
        rng = Rng(sub_seed(seed, "consistent"))
        wanted: dict[str, Any] = {}
        record = out.get("record_type")
        component = re.compile(r"^/components/schemas/([^/]+)$")
        # the `data` of a response component names its resource (`SiprecConnectorResponse.data`)
        holder = re.compile(r"^/components/schemas/([^/]+)/properties/data$")
        schema_name = next((m.group(1) for r in flat.refs if (m := component.match(r))), None)
        schema_name = schema_name or next((m.group(1) for r in flat.refs if (m := holder.match(r))), None)
        if isinstance(record, str) and record.startswith("record-type-") and (schema_name or name):
            # a component names it; an inline object, the property that holds it (`phone_numbers`)
            wanted["record_type"] = names.record_type(schema_name) if schema_name else re.sub(r"s$", "", name or "")
        region = out.get("country_code") or out.get("iso_country_code") or out.get("country_iso_alpha2")
        if isinstance(region, str) and len(region) == 2:
            for prop, value in out.items():
                if isinstance(value, str) and names.kind_of(prop) == "phone" and value.startswith("+"):
                    wanted[prop] = names.phone(rng, region)
        created, updated = out.get("created_at"), out.get("updated_at")
        timed = isinstance(created, str) and isinstance(updated, str) and names.is_timestamp(created, updated)
        if timed and updated < created:
            wanted["created_at"], wanted["updated_at"] = updated, created
        for prop, value in wanted.items():
            facets = flat.properties.get(prop)
            if facets is not None and self.accepts(self.child(flat, prop, facets), value):
                out[prop] = value
        return out

    def name_allowed(self, flat: Flat, prop: str) -> bool:
        """additionalProperties: false in any member closes the object to other names."""
        return all(prop in names or any(pattern_matches(p, prop) for p in patterns) for names, patterns in flat.closed)

    def extra_facets(self, flat: Flat, key: str) -> tuple[Facet, ...]:
        """What constrains a property not in `properties`: matching patternProperties, else
        additionalProperties (both empty: anything)."""
        matched = tuple(facet for pattern, facet in flat.pattern_props if pattern_matches(pattern, key))
        return (*tuple(flat.properties.get(key, ())), *(matched or tuple(flat.additional)))

    def extra_key(self, flat: Flat, rng: random.Random, i: int) -> str | None:
        if flat.pattern_props and not flat.additional:
            pattern = flat.pattern_props[i % len(flat.pattern_props)][0]
            key = BoundedXeger(rng).xeger(pattern)
        else:
            key = f"key_{random_token(rng, 4)}"
        return key if self.name_allowed(flat, key) else None

    def array(
        self,
        flat: Flat,
        seed: int,
        depth: int,
        stack: tuple[str, ...],
        name: str | None,
        mode: Mode,
        minimal: bool,
    ) -> list[Any]:
        low, high = flat.min_items, flat.max_items
        if high is not None and high < low:
            raise Unsatisfiable("maxItems < minItems")
        count = low if minimal else max(low, 1 + seed % MAX_ITEMS)
        if high is not None:
            count = min(count, high)
        out: list[Any] = []
        seen: set[bytes] = set()
        for i in range(count):
            facets = flat.prefix[i] if i < len(flat.prefix) else flat.items
            if i == 0 and flat.contains:
                facets = [*facets, *flat.contains]
            slot = i if i < len(flat.prefix) else "n"
            child = self.child(flat, f"\x00item {slot}{' contains' if i == 0 and flat.contains else ''}", facets)
            item = self.value(child, sub_seed(seed, i), depth + 1, stack, name, mode)
            if flat.unique:
                fresh = Mode(examples=False, optional=mode.optional, salt=mode.salt)
                for attempt in range(UNIQUE_RETRIES):
                    if canonical(item) not in seen:
                        break
                    item = self.value(child, sub_seed(seed, f"{i}~{attempt}"), depth + 1, stack, name, fresh)
                key = canonical(item)
                if key in seen:
                    if len(out) >= low:
                        break
                    raise Unsatisfiable("cannot find enough unique items")
                seen.add(key)
            out.append(item)
        return out

    def string(self, flat: Flat, rng: random.Random, name: str | None) -> str:
        for candidate in self.string_candidates(flat, rng, name):
            if (
                flat.min_len <= len(candidate)
                and (flat.max_len is None or len(candidate) <= flat.max_len)
                and all(pattern_matches(p, candidate) for p in flat.patterns)
            ):
                return candidate
        raise Unsatisfiable("no string satisfies the length, pattern and format together")

    def string_candidates(self, flat: Flat, rng: random.Random, name: str | None) -> Iterator[str]:
        """Most specific first: a phone number where one is meant, the format, the pattern."""
        if looks_like_phone(flat, name):
            yield names.phone(rng)
            yield phone_number(rng)
        maker = FORMATS.get(flat.format or "") or FORMATS.get((flat.format or "").lower())
        if maker is not None:
            yield maker(rng)
        kind = names.kind_of(name) if maker is None else None
        if kind is not None:  # the name says what the schema does not (created_at without a format)
            yield names.make(kind, rng)
        if flat.patterns:
            xeger = BoundedXeger(rng)
            for _ in range(12):
                try:
                    yield xeger.xeger(flat.patterns[0])
                except Exception:  # a pattern Python's parser cannot read: leave it to the rest
                    break
        if maker is None:
            yield free_string(rng, name, flat.min_len, flat.max_len)
