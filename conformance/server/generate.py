"""Deterministic, schema-valid JSON values: the bodies the reference server answers with.

`generate(index, pointer, seed=...)` walks the schema at `pointer` and builds a value that its
compiled validator accepts. Three ideas keep it correct, reproducible and fast:

* **Flattening.** A schema is handled as a conjunction of *facets* (pointer, node): `$ref`s are
  followed and `allOf` members merged into one `_Flat` (properties, required, bounds...), and a
  `oneOf`/`anyOf` is resolved by adding the chosen branch as one more facet. Every facet is a
  real place in the document, so its validator can always be compiled to check a candidate
  (an `example`, a `default`, a oneOf branch's value). Flats are cached per index.
* **Path seeds.** Each value's seed is derived from its parent's with `zlib.crc32(key, seed)`
  (never `hash()`, which is salted per process), and leaves draw from a splitmix64 generator
  that is cheap to seed. Same spec, pointer and seed: same value, in any process; a change in
  one branch of the value leaves the others as they were.
* **Validate, then vary.** The result is checked with `index.schema_validator(pointer)`; when
  the spec's imperfections defeat the first attempt (an example valid alone but not in its
  parent, a oneOf whose branches overlap...), a few deterministic variations are tried before
  `GenerationError` names the pointer. Schemas that jsonschema-rs cannot compile (3.0
  leftovers such as a boolean `exclusiveMinimum`) get a best-effort value and a light check.
"""

from __future__ import annotations

import base64
import math
import random
import re
import string
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from re import _parser as sre_parse  # type: ignore[attr-defined]  # what rstr itself parses with
from typing import Any, Literal

import orjson
from rstr.xeger import Xeger

from spec.index import SpecIndex
from spec.pointer import escape, get

Direction = Literal["response", "request"]
Facet = tuple[str, Any]  # (JSON pointer in the document, schema node)

MAX_ITEMS = 3  # array length when minItems does not ask for more
SOFT_DEPTH = 10  # from this depth on, objects carry only required properties, arrays their minItems
HARD_DEPTH = 40  # a schema that requires itself forever: give up rather than overflow the stack
MAX_RECURSION = 2  # how many times one $ref target may enclose itself before we go minimal
REPEAT_SPAN = 8  # a regex `*`/`+` repeats at most this many times more than its minimum
UNIQUE_RETRIES = 6
SPOILERS = (None, 0, "", False)  # values that break a property's schema, to disqualify a oneOf branch
MASK64 = (1 << 64) - 1
_MISSING: Any = object()

# Property names that, on a plain string, mean a telephone number in Telnyx's API.
PHONE_NAMES = frozenset(
    {"to", "from", "cc", "number", "ani", "dnis", "did", "tn", "caller_id_number", "callee_number", "msisdn"}
)
PHONE_FORMATS = frozenset({"e164", "+e.164", "e.164", "address", "phone", "phone-number"})
# rstr builds its "nonword" alphabet from a set, whose order changes with the per-process str hash
# seed: spell it out so patterns like \W generate the same characters in every process.
_NONWORD = "".join(sorted(set(string.printable) - set(string.ascii_letters + string.digits + "_")))


class GenerationError(ValueError):
    """No valid value could be generated for a schema: the message names its pointer."""


class _Unsatisfiable(Exception):
    """Internal: this branch of the walk cannot produce a value; the caller tries another."""


# --- randomness -------------------------------------------------------------------------------


class _Rng(random.Random):
    """splitmix64 behind the `random.Random` API.

    Every leaf gets its own generator seeded from its path; the Mersenne Twister costs ~5 µs to
    seed, this ~0.3 µs, which is most of the difference between a 1 ms and a 0.2 ms response."""

    _state: int

    def seed(self, a: Any = None, version: int = 2) -> None:
        self._state = int(a or 0) & MASK64

    def getstate(self) -> Any:
        return self._state

    def setstate(self, state: Any) -> None:
        self._state = state

    def _next(self) -> int:
        self._state = z = (self._state + 0x9E3779B97F4A7C15) & MASK64
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def random(self) -> float:
        return (self._next() >> 11) * (1.0 / (1 << 53))

    def getrandbits(self, k: int) -> int:
        value, bits = 0, 0
        while bits < k:
            value = (value << 64) | self._next()
            bits += 64
        return value >> (bits - k)


def _sub(seed: int, key: str | int) -> int:
    """The seed of a child value: a function of the parent's seed and the child's key only."""
    return zlib.crc32(str(key).encode(), seed)


def _root_seed(pointer: str, seed: int) -> int:
    """The seed of the top value: (pointer, seed) -> int, stable across processes."""
    return zlib.crc32(pointer.encode(), zlib.crc32(str(seed).encode()))


class _Xeger(Xeger):
    """rstr's regex-to-string generator, made reproducible across processes and bounded.

    Three rstr behaviours need fixing for our use: negated classes (`[^...]`) choose from a `set`
    (ordered by the salted str hash, so another process picks another character), `*`/`+` repeat
    up to 100 times (strings longer than most maxLengths), and `.` may yield a carriage return,
    which an ECMA-262 `.` does not match. Parsed patterns are cached: parsing is most of the cost."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, nonword=_NONWORD)
        self._cases = {**self._cases, "any": lambda _: self._random.choice(_PRINTABLE)}

    def xeger(self, string_or_regex: Any) -> str:
        result = self._build_string(_parse_regex(str(string_or_regex)))
        self._cache.clear()
        return result

    def _handle_in(self, value: Any) -> Any:
        candidates = [c for state in value for c in self._handle_state(state)]
        if candidates and candidates[0] is False:
            excluded = set(candidates[1:])
            candidates = [c for c in _PRINTABLE if c not in excluded]
        return self._random.choice(candidates)

    def _handle_repeat(self, start_range: int, end_range: int, value: Any) -> str:
        times = self._random.randint(start_range, min(end_range, start_range + REPEAT_SPAN))
        return "".join("".join(self._handle_state(i) for i in value) for _ in range(times))


_PRINTABLE = "".join(chr(c) for c in range(32, 127))


@lru_cache(maxsize=512)
def _parse_regex(pattern: str) -> Any:
    return sre_parse.parse(pattern)


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str] | None:
    """Python's compilation of an ECMA-262 pattern (the spec's are within the common subset);
    None when Python cannot read it, and the pattern is then left to the validator."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _matches(pattern: str, value: str) -> bool:
    compiled = _regex(pattern)
    return compiled is None or compiled.search(value) is not None


# --- flattening -------------------------------------------------------------------------------


@dataclass(eq=False)
class _Group:
    """One `oneOf`/`anyOf`: its branches are alternatives to add to the conjunction."""

    kind: str
    owner: str  # pointer of the schema holding it: identifies the group
    branches: tuple[Facet, ...]


@dataclass(eq=False)
class _Flat:
    """The conjunction of facets, merged into the constraints a generator needs."""

    facets: tuple[Facet, ...]
    skip: frozenset[str]  # owners of groups already resolved by an added branch
    impossible: bool = False
    refs: tuple[str, ...] = ()  # the schema's own pointer and the $ref targets entered: recursion guard
    types: tuple[str, ...] | None = None
    nullable: bool = False
    const: Any = _MISSING
    enum: list[Any] | None = None
    examples: list[Any] = field(default_factory=list)
    defaults: list[Any] = field(default_factory=list)
    properties: dict[str, list[Facet]] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    additional: list[Facet] = field(default_factory=list)
    closed: list[tuple[frozenset[str], tuple[str, ...]]] = field(default_factory=list)
    pattern_props: list[tuple[str, Facet]] = field(default_factory=list)
    min_props: int = 0
    max_props: int | None = None
    items: list[Facet] = field(default_factory=list)
    prefix: list[list[Facet]] = field(default_factory=list)
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False
    contains: list[Facet] = field(default_factory=list)
    min_len: int = 0
    max_len: int | None = None
    patterns: list[str] = field(default_factory=list)
    format: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    ex_min: float | None = None
    ex_max: float | None = None
    multiple_of: list[float] = field(default_factory=list)
    read_only: bool = False
    write_only: bool = False
    groups: list[_Group] = field(default_factory=list)
    nots: list[Facet] = field(default_factory=list)
    # Filled lazily by the engine: what depends on validators or child flats.
    fixed: list[Any] | None = None
    enum_ok: list[Any] | None = None
    children: dict[str, _Flat] = field(default_factory=dict)

    @property
    def roots(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.facets)


def _intersect_types(current: tuple[str, ...] | None, declared: Any) -> tuple[str, ...]:
    """Type lists intersect under allOf; `integer` survives a `number` on the other side."""
    new = (declared,) if isinstance(declared, str) else tuple(t for t in declared if isinstance(t, str))
    if current is None:
        return new
    kept = [t for t in current if t in new or (t == "integer" and "number" in new)]
    kept += [t for t in new if t == "integer" and "number" in current and t not in kept]
    return tuple(kept)


def _tighter(current: float | None, value: Any, pick: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return current
    return value if current is None else pick(current, value)


def _absorb(flat: _Flat, pointer: str, node: dict[str, Any]) -> None:
    """Merge one schema object's own keywords into the conjunction (subschemas stay facets)."""
    if isinstance(node.get("type"), (str, list)):
        flat.types = _intersect_types(flat.types, node["type"])
        if not flat.types:
            flat.impossible = True
    flat.nullable = flat.nullable or node.get("nullable") is True
    if "const" in node and flat.const is _MISSING:
        flat.const = node["const"]
    enum = node.get("enum")
    if isinstance(enum, list):
        flat.enum = list(enum) if flat.enum is None else [v for v in flat.enum if v in enum]
    if "example" in node:
        flat.examples.append(node["example"])
    if isinstance(node.get("examples"), list) and node["examples"]:
        flat.examples.append(node["examples"][0])
    if "default" in node:
        flat.defaults.append(node["default"])
    _absorb_object(flat, pointer, node)
    _absorb_array(flat, pointer, node)
    flat.min_len = max(flat.min_len, _int(node.get("minLength"), 0))
    flat.max_len = _tighter(flat.max_len, node.get("maxLength"), min)  # type: ignore[assignment]
    if isinstance(node.get("pattern"), str):
        flat.patterns.append(node["pattern"])
    if isinstance(node.get("format"), str) and flat.format is None:
        flat.format = node["format"]
    _absorb_numeric(flat, node)
    flat.read_only = flat.read_only or node.get("readOnly") is True
    flat.write_only = flat.write_only or node.get("writeOnly") is True


def _absorb_object(flat: _Flat, pointer: str, node: dict[str, Any]) -> None:
    props = node.get("properties")
    props = props if isinstance(props, dict) else {}
    for name, sub in props.items():
        flat.properties.setdefault(name, []).append((f"{pointer}/properties/{escape(name)}", sub))
    required = node.get("required")
    if isinstance(required, list):
        flat.required.extend(r for r in required if isinstance(r, str) and r not in flat.required)
    patterns = node.get("patternProperties")
    patterns = patterns if isinstance(patterns, dict) else {}
    for pattern, sub in patterns.items():
        flat.pattern_props.append((pattern, (f"{pointer}/patternProperties/{escape(pattern)}", sub)))
    additional = node.get("additionalProperties")
    if additional is False:
        flat.closed.append((frozenset(props), tuple(patterns)))
    elif isinstance(additional, dict):
        flat.additional.append((f"{pointer}/additionalProperties", additional))
    flat.min_props = max(flat.min_props, _int(node.get("minProperties"), 0))
    flat.max_props = _tighter(flat.max_props, node.get("maxProperties"), min)  # type: ignore[assignment]


def _absorb_array(flat: _Flat, pointer: str, node: dict[str, Any]) -> None:
    items = node.get("items")
    if isinstance(items, dict):
        flat.items.append((f"{pointer}/items", items))
    prefix, key = (items, "items") if isinstance(items, list) else (node.get("prefixItems"), "prefixItems")
    if isinstance(prefix, list):
        for i, sub in enumerate(prefix):
            while len(flat.prefix) <= i:
                flat.prefix.append([])
            flat.prefix[i].append((f"{pointer}/{key}/{i}", sub))
    flat.min_items = max(flat.min_items, _int(node.get("minItems"), 0))
    flat.max_items = _tighter(flat.max_items, node.get("maxItems"), min)  # type: ignore[assignment]
    flat.unique = flat.unique or node.get("uniqueItems") is True
    if isinstance(node.get("contains"), dict):
        flat.contains.append((f"{pointer}/contains", node["contains"]))


def _absorb_numeric(flat: _Flat, node: dict[str, Any]) -> None:
    flat.minimum = _tighter(flat.minimum, node.get("minimum"), max)
    flat.maximum = _tighter(flat.maximum, node.get("maximum"), min)
    ex_min, ex_max = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if ex_min is True:  # OAS 3.0 / draft 4: the boolean makes `minimum` exclusive
        ex_min = node.get("minimum")
    if ex_max is True:
        ex_max = node.get("maximum")
    flat.ex_min = _tighter(flat.ex_min, ex_min, max)
    flat.ex_max = _tighter(flat.ex_max, ex_max, min)
    multiple = node.get("multipleOf")
    if isinstance(multiple, (int, float)) and not isinstance(multiple, bool) and multiple > 0:
        flat.multiple_of.append(multiple)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _flatten(index: SpecIndex, facets: tuple[Facet, ...], skip: frozenset[str]) -> _Flat:
    """Follow `$ref`s and `allOf`s breadth-first (outer facets first, so their examples win)."""
    flat = _Flat(facets=facets, skip=skip)
    queue = list(facets)
    seen: set[str] = set()
    refs: list[str] = [facets[0][0]] if facets else []  # the schema itself counts as entered
    while queue:
        pointer, node = queue.pop(0)
        if pointer in seen:
            continue
        seen.add(pointer)
        if node is False:
            flat.impossible = True
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = index.resolve(ref)
            if target is not None:
                refs.append(target[0])
                queue.append(target)
            if not index.is_31:
                continue  # OAS 3.0: a $ref's siblings are ignored
        _absorb(flat, pointer, node)
        members = node.get("allOf")
        if isinstance(members, list):
            queue.extend((f"{pointer}/allOf/{i}", m) for i, m in enumerate(members))
        for kind in ("oneOf", "anyOf"):
            branches = node.get(kind)
            owner = f"{pointer}/{kind}"
            if isinstance(branches, list) and branches and owner not in skip:
                flat.groups.append(_Group(kind, owner, tuple((f"{owner}/{i}", b) for i, b in enumerate(branches))))
        if "not" in node:
            flat.nots.append((f"{pointer}/not", node["not"]))
    flat.refs = tuple(refs)
    return flat


# --- scalar makers ----------------------------------------------------------------------------


_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789"


def _token(rng: random.Random, length: int = 6) -> str:
    """Lowercase alphanumerics from one draw of random bits (a choice() per character was the
    single largest cost of a typical response)."""
    bits = rng.getrandbits(6 * length)
    chars = []
    for _ in range(length):
        bits, digit = divmod(bits, 36)
        chars.append(_ALPHANUMERIC[digit])
    return "".join(chars)


def _phone(rng: random.Random) -> str:
    """A North American number in the 555-01XX-style fictional range Telnyx docs use."""
    return f"+1312555{rng.randrange(10000):04d}"


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2020, 2025):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _time(rng: random.Random) -> str:
    return f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z"


FORMATS: dict[str, Any] = {
    "date-time": lambda rng: f"{_date(rng)}T{_time(rng)}",
    "date": _date,
    "time": _time,
    "duration": lambda rng: f"PT{rng.randint(1, 59)}M",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "email": lambda rng: f"user.{_token(rng)}@example.com",
    "idn-email": lambda rng: f"user.{_token(rng)}@example.com",
    "uri": lambda rng: f"https://example.com/{_token(rng)}",
    "url": lambda rng: f"https://example.com/{_token(rng)}",
    "iri": lambda rng: f"https://example.com/{_token(rng)}",
    "uri-reference": lambda rng: f"/{_token(rng)}",
    "iri-reference": lambda rng: f"/{_token(rng)}",
    "uri-template": lambda rng: f"https://example.com/{_token(rng)}/{{id}}",
    "hostname": lambda rng: f"host-{_token(rng)}.example.com",
    "idn-hostname": lambda rng: f"host-{_token(rng)}.example.com",
    "ipv4": lambda rng: f"192.0.2.{rng.randint(1, 254)}",
    "ipv6": lambda rng: f"2001:db8::{rng.randrange(1, 0xFFFF):x}",
    "byte": lambda rng: base64.b64encode(rng.randbytes(rng.randint(6, 12))).decode(),
    "binary": lambda rng: _token(rng, 12),
    "json-pointer": lambda rng: f"/data/{_token(rng, 4)}",
    "relative-json-pointer": lambda rng: f"0/{_token(rng, 4)}",
    "regex": lambda rng: "^[a-z]+$",
    "decimal": lambda rng: f"{rng.randint(0, 999)}.{rng.randrange(100):02d}",
    "iso4217": lambda rng: rng.choice(("USD", "EUR", "GBP")),
    "mime-type": lambda rng: rng.choice(("application/json", "text/plain", "image/png")),
    "int32": lambda rng: str(rng.randint(1, 100000)),
    "int64": lambda rng: str(rng.randint(1, 10**12)),
}


def _plausible(fmt: str | None, value: Any) -> bool:
    """Sanity for formats jsonschema-rs does not check: a spec example of "+E.164" or
    "[Base64 encoded content]" is schema-valid but useless as data, so we generate instead."""
    if not isinstance(value, str) or fmt is None:
        return True
    key = fmt.lower()
    if key == "address":  # messaging: a +E.164 number, a short code or an alphanumeric sender ID
        return re.fullmatch(r"\+?[0-9]{3,15}|[A-Za-z0-9 ]{1,11}", value) is not None
    if key in PHONE_FORMATS:
        return re.fullmatch(r"\+?[1-9][0-9]{6,14}", value) is not None
    if key == "byte":
        try:
            base64.b64decode(value, validate=True)
        except ValueError:
            return False
    if key == "decimal":
        try:
            float(value)
        except ValueError:
            return False
    return True


def _looks_like_phone(flat: _Flat, name: str | None) -> bool:
    if flat.format and flat.format.lower() in PHONE_FORMATS:
        return True
    if any(p.startswith(("^\\+", "\\+")) for p in flat.patterns):
        return True
    if name is None or flat.format is not None:
        return False
    lowered = name.lower()
    return "phone" in lowered or lowered in PHONE_NAMES or lowered.endswith(("_number", "_phone"))


@lru_cache(maxsize=4096)
def _stem(name: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (name or "string").lower()).strip("-") or "string"


def _free_string(rng: random.Random, name: str | None, low: int, high: int | None) -> str:
    """A readable string, "name-x7k2p9", stretched or cut to the length bounds."""
    token = _token(rng)
    text = f"{_stem(name)}-{token}"
    if high is not None and len(text) > high:
        text = (token + _token(rng, high))[:high]
    if len(text) < low:
        text += _token(rng, low - len(text))
    return text


def _numeric_bounds(flat: _Flat, integer: bool) -> tuple[float, float]:
    """Inclusive bounds (as integers when `integer`), with exclusive and int32/int64 folded in."""
    low, high = flat.minimum, flat.maximum
    if integer:
        low = None if low is None else math.ceil(low)
        high = None if high is None else math.floor(high)
        if flat.ex_min is not None:
            low = max(low if low is not None else -math.inf, math.floor(flat.ex_min) + 1)
        if flat.ex_max is not None:
            high = min(high if high is not None else math.inf, math.ceil(flat.ex_max) - 1)
        span = {"int32": 2**31, "int64": 2**63}.get(flat.format or "")
        if span is not None:
            low = max(low if low is not None else -span, -span)
            high = min(high if high is not None else span - 1, span - 1)
    else:
        if flat.ex_min is not None and (low is None or flat.ex_min >= low):
            low = flat.ex_min
        if flat.ex_max is not None and (high is None or flat.ex_max <= high):
            high = flat.ex_max
    if low is None and high is None:
        return (1, 1000)
    if low is None:
        return (1 if high >= 1 else high - 1000, high)
    if high is None:
        return (low, max(low, 0) + 1000)
    return (low, high)


def _in_bounds(flat: _Flat, value: float) -> bool:
    return (
        (flat.minimum is None or value >= flat.minimum)
        and (flat.maximum is None or value <= flat.maximum)
        and (flat.ex_min is None or value > flat.ex_min)
        and (flat.ex_max is None or value < flat.ex_max)
    )


def _is_multiple(value: float, multiples: list[float]) -> bool:
    for m in multiples:
        quotient = value / m
        # relative tolerance: 537624.44 / 0.01 is 53762444.000000004 in floats
        if abs(quotient - round(quotient)) > 1e-9 * max(1.0, abs(quotient)):
            return False
    return True


def _integer(flat: _Flat, rng: random.Random) -> int:
    low, high = _numeric_bounds(flat, integer=True)
    step = 1
    for m in flat.multiple_of:
        if float(m).is_integer():
            step = math.lcm(step, int(m))
    k_low, k_high = math.ceil(low / step), math.floor(high / step)
    if k_low > k_high:
        raise _Unsatisfiable(f"no integer multiple of {step} in [{low}, {high}]")
    value = int(min(k_high, k_low + rng.randrange(min(k_high - k_low + 1, 10**6)))) * step
    if not _is_multiple(value, flat.multiple_of):
        raise _Unsatisfiable("multipleOf is not satisfiable by an integer here")
    return value


def _number(flat: _Flat, rng: random.Random) -> float | int:
    low, high = _numeric_bounds(flat, integer=False)
    if low > high:
        raise _Unsatisfiable(f"empty range [{low}, {high}]")
    if flat.multiple_of:
        m = flat.multiple_of[0]
        k_low, k_high = math.ceil(low / m), math.floor(high / m)
        for k in range(k_low, min(k_high, k_low + 50) + 1):
            # k * m in decimal: float products such as 81859208 * 0.01 land on 818592.0800000001,
            # which is not a multiple of 0.01 to a validator.
            value = float(Decimal(k) * Decimal(repr(m)))
            value = int(value) if value.is_integer() else value
            if _in_bounds(flat, value) and _is_multiple(value, flat.multiple_of):
                return value
        raise _Unsatisfiable("multipleOf is not satisfiable in range")
    value = round(low + (high - low) * rng.random(), 2)
    if not _in_bounds(flat, value):
        value = (low + high) / 2
    if not _in_bounds(flat, value):
        raise _Unsatisfiable(f"empty range ({low}, {high})")
    return value


def _infer_kind(flat: _Flat) -> str:
    """The JSON type to build when the schema does not say (or says several)."""
    if flat.types is not None:
        non_null = [t for t in flat.types if t != "null"]
        return non_null[0] if non_null else "null"
    if flat.properties or flat.required or flat.additional or flat.pattern_props or flat.min_props:
        return "object"
    if flat.items or flat.prefix or flat.min_items or flat.contains:
        return "array"
    if flat.patterns or flat.min_len or flat.max_len is not None or flat.format in FORMATS:
        return "string"
    if flat.minimum is not None or flat.maximum is not None or flat.multiple_of:
        return "number"
    return "string"


_TYPE_CHECKS: dict[str, Any] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _light_check(flat: _Flat, value: Any) -> bool:
    """A shallow stand-in for a validator that jsonschema-rs could not compile."""
    if value is None:
        return flat.nullable or (flat.types is not None and "null" in flat.types) or None in (flat.enum or ())
    if flat.types is not None and not any(_TYPE_CHECKS.get(t, lambda v: False)(value) for t in flat.types):
        return False
    if flat.const is not _MISSING and value != flat.const:
        return False
    if flat.enum is not None and value not in flat.enum:
        return False
    if isinstance(value, str):
        return (
            flat.min_len <= len(value)
            and (flat.max_len is None or len(value) <= flat.max_len)
            and all(_matches(p, value) for p in flat.patterns)
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _in_bounds(flat, value)
    if isinstance(value, dict):
        return all(r in value for r in flat.required)
    return True


def _clone(value: Any) -> Any:
    """Values from the spec are shared: hand out copies the caller may mutate."""
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v) for v in value]
    return value


def _canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


# --- the engine -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mode:
    """One attempt's policy; later attempts relax what could have made the first invalid."""

    examples: bool = True  # use the spec's examples/defaults where they validate
    optional: bool = True  # include optional properties
    salt: int = 0  # shifts every seed: another oneOf start, other enum picks


ATTEMPTS = (
    _Mode(),
    _Mode(examples=False),
    _Mode(optional=False),
    _Mode(examples=False, optional=False),
    _Mode(salt=1),
    _Mode(examples=False, salt=2),
    _Mode(examples=False, optional=False, salt=3),
)


class _Engine:
    """Per (index, direction): the flat and validator caches, and the walk itself."""

    def __init__(self, index: SpecIndex, direction: Direction, validators: dict[str, Any]) -> None:
        self.index = index
        self.direction = direction
        self.validators = validators  # shared between directions
        self.flats: dict[tuple[tuple[str, ...], frozenset[str]], _Flat] = {}

    # -- caches --
    def flat(self, facets: tuple[Facet, ...], skip: frozenset[str] = frozenset()) -> _Flat:
        key = (tuple(p for p, _ in facets), skip)
        found = self.flats.get(key)
        if found is None:
            found = self.flats[key] = _flatten(self.index, facets, skip)
        return found

    def child(self, flat: _Flat, key: str, facets: list[Facet] | tuple[Facet, ...]) -> _Flat:
        found = flat.children.get(key)
        if found is None:
            found = flat.children[key] = self.flat(tuple(facets))
        return found

    def validator(self, pointer: str) -> Any:
        """The compiled validator for a pointer, or None when jsonschema-rs rejects the schema."""
        if pointer not in self.validators:
            try:
                self.validators[pointer] = self.index.schema_validator(pointer)
            except Exception:  # jsonschema-rs raises ValidationError/ValueError for bad schemas
                self.validators[pointer] = None
        return self.validators[pointer]

    def accepts(self, flat: _Flat, value: Any) -> bool:
        """Whether every facet of the conjunction accepts `value` (light check where uncompilable)."""
        for pointer in flat.roots:
            validator = self.validator(pointer)
            if validator is None:
                if not _light_check(flat, value):
                    return False
            elif not validator.is_valid(value):
                return False
        return True

    def excluded(self, flat: _Flat) -> bool:
        """readOnly properties are not sent in requests, writeOnly ones not returned."""
        return flat.write_only if self.direction == "response" else flat.read_only

    def fixed_values(self, flat: _Flat) -> list[Any]:
        """The spec's own values for this schema that validate: examples, then scalar defaults."""
        if flat.fixed is None:
            candidates = list(flat.examples)
            candidates += [d for d in flat.defaults if not isinstance(d, (dict, list))]
            flat.fixed = [
                c
                for c in candidates
                if c is not None and _plausible(flat.format, c) and self.direction_ok(flat, c) and self.accepts(flat, c)
            ]
        return flat.fixed

    def direction_ok(self, flat: _Flat, value: Any) -> bool:
        """An object example must not carry properties the direction leaves out."""
        if not isinstance(value, dict) or not flat.properties:
            return True
        for name in value:
            facets = flat.properties.get(name)
            if facets is not None and self.excluded(self.child(flat, name, facets)):
                return False
        return True

    # -- the walk --
    def value(self, flat: _Flat, seed: int, depth: int, stack: tuple[str, ...], name: str | None, mode: _Mode) -> Any:
        if flat.impossible:
            raise _Unsatisfiable("contradictory schema")
        if depth > HARD_DEPTH:
            raise _Unsatisfiable("schema nests deeper than the depth limit")
        recursive = any(stack.count(r) >= MAX_RECURSION for r in flat.refs) if flat.refs and stack else False
        if recursive and flat.types is not None and "null" in flat.types:
            return None
        if flat.const is not _MISSING:
            return _clone(flat.const)
        if mode.examples:
            fixed = self.fixed_values(flat)
            if fixed:
                return _clone(fixed[0])
        if flat.groups:
            return self.choose(flat, seed, depth, stack, name, mode)
        if flat.enum is not None:
            return self.enum_value(flat, seed)
        minimal = recursive or depth >= SOFT_DEPTH or not mode.optional
        if flat.nots:
            return self.avoiding(flat, seed, depth, stack, name, mode, minimal)
        return self.by_kind(flat, _infer_kind(flat), seed, depth, stack, name, mode, minimal)

    def by_kind(
        self,
        flat: _Flat,
        kind: str,
        seed: int,
        depth: int,
        stack: tuple[str, ...],
        name: str | None,
        mode: _Mode,
        minimal: bool,
    ) -> Any:
        if kind == "object":
            return self.object(flat, seed, depth, stack + flat.refs, name, mode, minimal)
        if kind == "array":
            return self.array(flat, seed, depth, stack + flat.refs, name, mode, minimal)
        if kind == "string":
            return self.string(flat, _Rng(seed), name)
        if kind == "integer":
            return _integer(flat, _Rng(seed))
        if kind == "number":
            return _number(flat, _Rng(seed))
        if kind == "boolean":
            return bool(seed & 1)
        if kind == "null":
            return None
        raise _Unsatisfiable(f"unknown type {kind!r}")

    def enum_value(self, flat: _Flat, seed: int) -> Any:
        """A seed-chosen enum member among those the whole conjunction accepts (non-null first)."""
        if flat.enum_ok is None:
            valid = [v for v in flat.enum or () if self.accepts(flat, v)]
            flat.enum_ok = [v for v in valid if v is not None] or valid
        if not flat.enum_ok:
            raise _Unsatisfiable("no enum member is valid")
        return _clone(flat.enum_ok[seed % len(flat.enum_ok)])

    def choose(self, flat: _Flat, seed: int, depth: int, stack: tuple[str, ...], name: str | None, mode: _Mode) -> Any:
        """Resolve the first oneOf/anyOf by adding a branch (seed picks where to start); for
        oneOf the value must match exactly that branch, else the next one is tried."""
        group = flat.groups[0]
        count = len(group.branches)
        order = [group.branches[(seed + k) % count] for k in range(count)]
        if stack:  # inside a recursion: branches that do not enter it again come first
            order.sort(key=lambda b: any(r in stack for r in set(self.branch(flat, group, b).refs) - set(flat.refs)))
        reasons: list[str] = []
        for branch in order:
            sub = self.branch(flat, group, branch)
            if sub.impossible:
                continue
            try:
                value = self.value(sub, seed, depth, stack, name, mode)
            except _Unsatisfiable as exc:
                reasons.append(str(exc))
                continue
            if group.kind == "oneOf" and not self.exclusive(group, branch, value):
                value = self.disambiguate(group, branch, value)
                if value is _MISSING:
                    reasons.append(f"value matches more than one branch of {group.owner}")
                    continue
            return value
        raise _Unsatisfiable(f"no branch of {group.owner} works: {'; '.join(reasons[:3])}")

    def branch(self, flat: _Flat, group: _Group, branch: Facet) -> _Flat:
        """The conjunction with one branch added and its group marked resolved."""
        key = f"\x00branch {branch[0]}"
        found = flat.children.get(key)
        if found is None:
            found = flat.children[key] = self.flat((*flat.facets, branch), flat.skip | {group.owner})
        return found

    def exclusive(self, group: _Group, chosen: Facet, value: Any) -> bool:
        for branch in group.branches:
            if branch is chosen:
                continue
            validator = self.validator(branch[0])
            if validator is not None and validator.is_valid(value):
                return False
        return True

    def disambiguate(self, group: _Group, chosen: Facet, value: Any) -> Any:
        """Make an object match only `chosen` when the branches overlap (no `required`, no
        `additionalProperties: false`: every object matches them all): give each other matching
        branch one of its own properties, absent from the value, with a value it rejects but
        `chosen` tolerates. _MISSING when that is not possible."""
        if not isinstance(value, dict):
            return _MISSING
        chosen_validator = self.validator(chosen[0])
        for other in group.branches:
            other_validator = self.validator(other[0])
            if other is chosen or other_validator is None or not other_validator.is_valid(value):
                continue
            value = self.spoil(value, self.flat((other,)), other_validator, chosen_validator)
            if value is _MISSING:
                return _MISSING
        return value if self.exclusive(group, chosen, value) else _MISSING

    @staticmethod
    def spoil(value: dict[str, Any], other: _Flat, other_validator: Any, chosen_validator: Any) -> Any:
        for prop in other.properties:
            if prop in value:
                continue
            for wrong in SPOILERS:
                trial = {**value, prop: wrong}
                if not other_validator.is_valid(trial) and (
                    chosen_validator is None or chosen_validator.is_valid(trial)
                ):
                    return trial
        return _MISSING

    def avoiding(
        self,
        flat: _Flat,
        seed: int,
        depth: int,
        stack: tuple[str, ...],
        name: str | None,
        mode: _Mode,
        minimal: bool,
    ) -> Any:
        """`not`: generate as if it were absent, and retry with other seeds until it holds."""
        kind = _infer_kind(flat)
        for attempt in range(8):
            value = self.by_kind(flat, kind, _sub(seed, f"not{attempt}"), depth, stack, name, mode, minimal)
            if not any((v := self.validator(p)) is not None and v.is_valid(value) for p, _ in flat.nots):
                return value
        raise _Unsatisfiable("every attempt matched the `not` schema")

    def object(
        self,
        flat: _Flat,
        seed: int,
        depth: int,
        stack: tuple[str, ...],
        name: str | None,
        mode: _Mode,
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
                out[prop] = self.value(child, _sub(seed, prop), depth + 1, stack, prop, mode)
            except _Unsatisfiable:
                if is_required:
                    raise
        for prop in required:
            if prop not in out:
                child = self.child(flat, "\x00" + prop, self.extra_facets(flat, prop))
                out[prop] = self.value(child, _sub(seed, prop), depth + 1, stack, prop, mode)
        wanted = flat.min_props
        if not minimal and not flat.properties and (flat.additional or flat.pattern_props):
            wanted = max(wanted, 1)
        if flat.max_props is not None:
            wanted = min(wanted, flat.max_props)
        for i in range(len(out) * 4 + 8):
            if len(out) >= wanted:
                break
            key = self.extra_key(flat, _Rng(_sub(seed, f"key{i}")), i)
            if key is None or key in out:
                continue
            child = self.child(flat, "\x00" + key, self.extra_facets(flat, key))
            out[key] = self.value(child, _sub(seed, key), depth + 1, stack, key, mode)
        if len(out) < flat.min_props:
            raise _Unsatisfiable("cannot reach minProperties")
        return out

    def name_allowed(self, flat: _Flat, prop: str) -> bool:
        """additionalProperties: false in any member closes the object to other names."""
        return all(prop in names or any(_matches(p, prop) for p in patterns) for names, patterns in flat.closed)

    def extra_facets(self, flat: _Flat, key: str) -> tuple[Facet, ...]:
        """What constrains a property not in `properties`: matching patternProperties, else
        additionalProperties (both empty: anything)."""
        matched = tuple(facet for pattern, facet in flat.pattern_props if _matches(pattern, key))
        return (*tuple(flat.properties.get(key, ())), *(matched or tuple(flat.additional)))

    def extra_key(self, flat: _Flat, rng: random.Random, i: int) -> str | None:
        if flat.pattern_props and not flat.additional:
            pattern = flat.pattern_props[i % len(flat.pattern_props)][0]
            key = _Xeger(rng).xeger(pattern)
        else:
            key = f"key_{_token(rng, 4)}"
        return key if self.name_allowed(flat, key) else None

    def array(
        self,
        flat: _Flat,
        seed: int,
        depth: int,
        stack: tuple[str, ...],
        name: str | None,
        mode: _Mode,
        minimal: bool,
    ) -> list[Any]:
        low, high = flat.min_items, flat.max_items
        if high is not None and high < low:
            raise _Unsatisfiable("maxItems < minItems")
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
            item = self.value(child, _sub(seed, i), depth + 1, stack, name, mode)
            if flat.unique:
                fresh = _Mode(examples=False, optional=mode.optional, salt=mode.salt)
                for attempt in range(UNIQUE_RETRIES):
                    if _canonical(item) not in seen:
                        break
                    item = self.value(child, _sub(seed, f"{i}~{attempt}"), depth + 1, stack, name, fresh)
                key = _canonical(item)
                if key in seen:
                    if len(out) >= low:
                        break
                    raise _Unsatisfiable("cannot find enough unique items")
                seen.add(key)
            out.append(item)
        return out

    def string(self, flat: _Flat, rng: random.Random, name: str | None) -> str:
        for candidate in self.string_candidates(flat, rng, name):
            if (
                flat.min_len <= len(candidate)
                and (flat.max_len is None or len(candidate) <= flat.max_len)
                and all(_matches(p, candidate) for p in flat.patterns)
            ):
                return candidate
        raise _Unsatisfiable("no string satisfies the length, pattern and format together")

    def string_candidates(self, flat: _Flat, rng: random.Random, name: str | None) -> Iterator[str]:
        """Most specific first: a phone number where one is meant, the format, the pattern."""
        if _looks_like_phone(flat, name):
            yield _phone(rng)
        maker = FORMATS.get(flat.format or "") or FORMATS.get((flat.format or "").lower())
        if maker is not None:
            yield maker(rng)
        if flat.patterns:
            xeger = _Xeger(rng)
            for _ in range(12):
                try:
                    yield xeger.xeger(flat.patterns[0])
                except Exception:  # a pattern Python's parser cannot read: leave it to the rest
                    break
        if maker is None:
            yield _free_string(rng, name, flat.min_len, flat.max_len)

    # -- the entry point --
    def generate(self, pointer: str, seed: int, overrides: dict[str, Any] | None, examples: bool = True) -> Any:
        node = get(self.index.doc, pointer, _MISSING)
        if node is _MISSING:
            raise GenerationError(f"no schema at {pointer}")
        flat = self.flat(((pointer, node),))
        validator = self.validator(pointer)
        base = _root_seed(pointer, seed)
        reason = "no attempt produced a value"
        for mode in ATTEMPTS if examples else tuple(m for m in ATTEMPTS if not m.examples):
            attempt_seed = base if mode.salt == 0 else _sub(base, f"attempt{mode.salt}")
            try:
                value = self.value(flat, attempt_seed, 0, (), None, mode)
            except _Unsatisfiable as exc:
                reason = str(exc)
                continue
            except RecursionError:
                reason = "recursion too deep"
                continue
            if validator is None:
                if _light_check(flat, value):
                    return self.overridden(flat, value, overrides, None)
                reason = "the light check (schema not compilable) rejected every attempt"
                continue
            if validator.is_valid(value):
                return self.overridden(flat, value, overrides, validator)
            reason = next(iter(validator.iter_errors(value))).message
        raise GenerationError(f"could not generate a valid value for {pointer}: {reason}")

    def overridden(self, flat: _Flat, value: Any, overrides: dict[str, Any] | None, validator: Any) -> Any:
        """Put the caller's values on the top-level object where the schema accepts them:
        all at once when that validates, else one by one, keeping those that do."""
        if not overrides or not isinstance(value, dict):
            return value
        allowed = {k: v for k, v in overrides.items() if self.name_allowed(flat, k)}
        if validator is None:
            for key, new in allowed.items():
                facets = flat.properties.get(key)
                if facets is None or _light_check(self.child(flat, key, facets), new):
                    value[key] = new
            return value
        trial = {**value, **allowed}
        if validator.is_valid(trial):
            return trial
        for key, new in allowed.items():
            trial = {**value, key: new}
            if validator.is_valid(trial):
                value = trial
        return value


def _engine(index: SpecIndex, direction: Direction) -> _Engine:
    engines = index.memo.setdefault(f"{__name__}._engines", {})
    found = engines.get(direction)
    if found is None:
        validators = index.memo.setdefault(f"{__name__}._validators", {})
        found = engines[direction] = _Engine(index, direction, validators)
    return found


def generate(
    index: SpecIndex,
    pointer: str,
    *,
    seed: int,
    direction: Direction = "response",
    overrides: dict[str, Any] | None = None,
    examples: bool = True,
) -> Any:
    """A value valid against the schema at `pointer`, the same for the same (spec, pointer,
    seed, direction, overrides) in any process.

    `examples=False` ignores the spec's examples and defaults, so that different seeds give
    different values (the server's records must differ from one another, ids first).

    The schema's own example is used when it validates; otherwise every property is generated
    (required ones always, optional ones too, for complete-looking responses, minus `writeOnly`
    in responses and `readOnly` in requests), arrays hold 1-3 items unless minItems says more.
    `overrides` set top-level properties (real ids, timestamps) wherever the result stays valid.
    Raises GenerationError, naming the pointer, when no valid value could be found."""
    if direction not in ("response", "request"):
        raise ValueError(f"direction must be 'response' or 'request', not {direction!r}")
    return _engine(index, direction).generate(pointer, seed, overrides, examples)
