"""Identifiers in the styles the Telnyx spec uses, and ids observed in earlier responses.

The spec's `id` properties are mostly `format: uuid` (185 of 280); the rest are numeric strings
(`"1293384261075731499"`, int64 connection and address ids), call control ids
(`"v3:MdI91X4l..."`: a version prefix and URL-safe base64), API key ids
(`"KEY0123...ABCD_YmlnIGlyb24..."`) and prefixed uuids (`"assistant-<uuid>"`).
Random ids of the right shape reach a server's lookup code (a 404), not its parser (a 400);
`existing_ids` goes further and names resources that exist."""

import base64
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from strategies._validation import check_range, check_type

INT64_MAX = 2**63 - 1


def uuid_strings(version: int | None = 4) -> st.SearchStrategy[str]:
    """Canonical lower-case UUID strings of `version` (1-5), or of any version when None."""
    if version is not None:
        check_type("version", version, int)
        if version not in (1, 2, 3, 4, 5):
            raise InvalidArgument(f"version={version!r} must be one of 1, 2, 3, 4, 5 or None")
    return st.uuids(version=version).map(str)


def numeric_ids(min_value: int = 1, max_value: int = INT64_MAX) -> st.SearchStrategy[str]:
    """Decimal strings of positive int64s: Telnyx' numeric ids (connections, addresses...)
    travel as strings because JavaScript clients would round them as numbers."""
    check_type("min_value", min_value, int)
    check_type("max_value", max_value, int)
    if min_value < 0:
        raise InvalidArgument(f"min_value={min_value!r} must be >= 0: numeric ids are unsigned")
    if max_value > INT64_MAX:
        raise InvalidArgument(f"max_value={max_value!r} must be <= 2**63 - 1: Telnyx numeric ids are int64")
    check_range("min_value", min_value, "max_value", max_value)
    return st.integers(min_value, max_value).map(str)


def _urlsafe(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def call_control_ids(versions: Iterable[str] = ("v2", "v3")) -> st.SearchStrategy[str]:
    """Call control ids: `v2:` or `v3:` then unpadded URL-safe base64, as the Call Control
    API returns them."""
    versions = tuple(versions) if not isinstance(versions, str) else (versions,)
    if not versions or not all(isinstance(v, str) and v for v in versions):
        raise InvalidArgument(f"versions={versions!r} must be a non-empty collection of non-empty strings")
    body = st.binary(min_size=30, max_size=45).map(_urlsafe)
    return st.builds("{}:{}".format, st.sampled_from(versions), body)


def api_key_ids() -> st.SearchStrategy[str]:
    """API key ids: `KEY`, 32 upper-case hex digits, `_`, a URL-safe base64 secret."""
    hex_part = st.binary(min_size=16, max_size=16).map(lambda raw: raw.hex().upper())
    secret = st.binary(min_size=16, max_size=24).map(_urlsafe)
    return st.builds("KEY{}_{}".format, hex_part, secret)


def prefixed_ids(prefix: str, body: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """`prefix` followed by a drawn body (a UUID string by default), e.g. `assistant-<uuid>`."""
    check_type("prefix", prefix, str)
    if not prefix:
        raise InvalidArgument("prefix='' must be non-empty; use the body strategy itself for unprefixed ids")
    if body is None:
        body = uuid_strings()
    elif not isinstance(body, st.SearchStrategy):
        raise InvalidArgument(f"body={body!r} must be a SearchStrategy, not {type(body).__name__}")
    return body.map(lambda value: prefix + value)


def telnyx_ids() -> st.SearchStrategy[str]:
    """Any of the id styles above, UUIDs first (the most common style, and what shrinking reaches)."""
    return st.one_of(uuid_strings(), numeric_ids(), call_control_ids(), api_key_ids(), prefixed_ids("assistant-"))


class IdPool:
    """Ids seen in responses, by field name, for later requests to name existing resources.

    Thread-safe, and append-only: an id keeps its position once seen, and a field stops growing
    at `max_per_field`. Positions never shift, so Hypothesis replaying a draw (while shrinking,
    or to confirm a failure) picks the same id it picked the first time; a pool that reordered
    or evicted would turn a real failure into a flaky one. A draw shrinks towards the first id
    observed."""

    def __init__(self, max_per_field: int = 1000) -> None:
        check_type("max_per_field", max_per_field, int)
        if max_per_field < 1:
            raise InvalidArgument(f"max_per_field={max_per_field!r} must be at least 1")
        self.max_per_field = max_per_field
        self._lock = threading.Lock()
        self._ids: dict[str, dict[str, None]] = {}

    def add(self, value: str, field: str = "id") -> None:
        """Remember `value` (a non-empty string) as an id of `field`."""
        if not isinstance(value, str) or not value:
            return
        with self._lock:
            seen = self._ids.setdefault(field, {})
            if len(seen) < self.max_per_field:
                seen.setdefault(value, None)

    def observe(self, payload: Any) -> None:
        """Remember every string `id` and `*_id` value anywhere in a decoded JSON `payload`."""
        stack = [payload]
        while stack:
            node = stack.pop()
            if isinstance(node, Mapping):
                for key, value in node.items():
                    if isinstance(value, str) and isinstance(key, str) and (key == "id" or key.endswith("_id")):
                        self.add(value, key)
                    elif isinstance(value, Mapping | list):
                        stack.append(value)
            elif isinstance(node, list):
                stack.extend(node)

    def snapshot(self, field: str | None = None) -> tuple[str, ...]:
        """The ids of `field` (or of every field, without repeats) at this moment."""
        with self._lock:
            if field is not None:
                return tuple(self._ids.get(field, ()))
            return tuple(dict.fromkeys(value for seen in self._ids.values() for value in seen))

    def __len__(self) -> int:
        return len(self.snapshot())


def existing_ids(
    pool: IdPool, field: str | None = None, *, fallback: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[str]:
    """Ids drawn from `pool` as it is at draw time (of `field`, or of any field).

    While the pool has none, draws from `fallback` (e.g. `uuid_strings()`), or rejects the draw
    when there is no fallback: an invented id is not an existing one."""
    if not isinstance(pool, IdPool):
        raise InvalidArgument(f"pool={pool!r} must be an IdPool, not {type(pool).__name__}")
    if field is not None:
        check_type("field", field, str)
    if fallback is not None and not isinstance(fallback, st.SearchStrategy):
        raise InvalidArgument(f"fallback={fallback!r} must be a SearchStrategy, not {type(fallback).__name__}")

    @st.composite
    def draw_existing(draw: st.DrawFn) -> str:
        values = pool.snapshot(field)
        if not values:
            if fallback is None:
                reject()  # this draw cannot name an existing resource
            return draw(fallback)
        return values[draw(st.integers(0, len(values) - 1))]

    return draw_existing()
