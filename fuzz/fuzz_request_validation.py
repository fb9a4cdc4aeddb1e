"""Fuzz target: the reference server's request validation (`conformance.server.validation`).

`validate_request` is the pure core that reads what a client sends (path values, a query, headers,
a Content-Type and body bytes) against one operation of the spec. It is documented as total: any
input yields a `RequestCheck`, valid (`status` None, no errors) or not (400, 415 or 422 with Telnyx
error items), and its safety net (an error of kind "internal") is never reached. Anything else is
a bug: an exception, the safety net, a status without errors or errors without a status, more
than `MAX_ERRORS` errors, an error item that cannot be sent as JSON or is not a Telnyx error.

Input format (every byte string is a request): byte 0 picks one of `OPERATIONS` (real operations
of the spec chosen for their parameter styles and body kinds), then records of
`tag, size, payload[size]` (a short last payload is taken as it is), by `tag % 8`:

0 the next path value; 1 a query pair `key=value`; 2 a query pair whose key is a declared
parameter name (payload[0] picks it) followed by the rest up to `=`: `filter` + `[status][eq]`;
3 a header `name:value`; 4 a header whose name is declared (payload[0] picks it); 5 the
Content-Type; 6 a declared media type (payload[0] picks it) followed by the rest (`; boundary=x`);
7 more body bytes. Text is UTF-8 read with `surrogateescape`, so lone surrogates reach it too.
"""

from typing import Any

import orjson
from hypothesis import strategies as st

from conformance.server.validation import RequestCheck, RequestParts, validate_request
from conformance.server.validation.model import MAX_ERRORS
from spec.index import Operation, SpecIndex
from spec.load import load_spec
from spec.telnyx import envelope_problems

NAME = "request_validation"

# (method, path): deepObject and literal bracket parameters, JSON, form, multipart, XML and
# wildcard bodies, header and path parameters, an allowEmptyValue flag.
OPERATIONS = (
    ("get", "/addresses"),
    ("get", "/available_phone_numbers"),
    ("get", "/network_coverage"),
    ("get", "/oauth_clients"),
    ("post", "/addresses"),
    ("post", "/messages/group_mms"),
    ("post", "/media"),
    ("post", "/oauth/token"),
    ("get", "/bundle_pricing/billing_bundles/{bundle_id}"),
    ("put", "/{bucketName}/{objectName}"),
    ("post", "/{bucketName}"),
    ("post", "/reports/mdr_usage_reports"),
)
STATUSES = frozenset({400, 415, 422})
BOUNDARY = b"XyZ"
PATH, QUERY, DECLARED_QUERY, HEADER, DECLARED_HEADER, CONTENT_TYPE, DECLARED_MEDIA, BODY = range(8)

_LOADED: dict[str, Any] = {}


class FuzzedOperation:
    """One operation and the names it declares, for records that pick a declared name."""

    def __init__(self, index: SpecIndex, operation: Operation) -> None:
        self.operation = operation
        params = [param for _, param in index.parameters(operation)]
        self.path = [str(p.get("name")) for p in params if p.get("in") == "path"]
        self.query = [str(p.get("name")) for p in params if p.get("in") == "query"]
        self.headers = [str(p.get("name")).lower() for p in params if p.get("in") == "header"]
        self.headers += ["content-type", "authorization"]
        _, body = index.deref("", operation.node.get("requestBody"))
        content = body.get("content") if isinstance(body, dict) else None
        self.media = [str(name) for name in content] if isinstance(content, dict) else []


def loaded() -> tuple[SpecIndex, list[FuzzedOperation | None]]:
    """The spec (`spec.load.load_spec(None)`: --spec, TELNYX_SPEC, ../shared/spec or the cache),
    indexed once per process, and each operation of `OPERATIONS` (None where the spec lacks it)."""
    if not _LOADED:
        index = load_spec(None).index()
        by_route = {(o.method, o.path): o for o in index.operations}
        targets = [FuzzedOperation(index, by_route[route]) if route in by_route else None for route in OPERATIONS]
        if not any(targets):
            raise RuntimeError("none of the fuzzed operations is in the spec")
        _LOADED.update(index=index, targets=targets)
    return _LOADED["index"], _LOADED["targets"]


def records(data: bytes) -> list[tuple[int, bytes]]:
    """(tag, payload) records after byte 0."""
    found: list[tuple[int, bytes]] = []
    at = 1
    while at + 1 < len(data):
        tag, size = data[at] % 8, data[at + 1]
        found.append((tag, data[at + 2 : at + 2 + size]))
        at += 2 + size
    return found


def text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def pick(names: list[str], payload: bytes) -> tuple[str, bytes]:
    """A declared name chosen by payload[0] (none declared: no name), and the rest."""
    if not names or not payload:
        return "", payload[1:]
    return names[payload[0] % len(names)], payload[1:]


def request(data: bytes) -> tuple[SpecIndex, Operation, RequestParts]:
    """The operation and the raw request that `data` spells (see the module's docstring)."""
    index, targets = loaded()
    wanted = data[0] % len(targets) if data else 0
    chosen = next(t for t in (*targets[wanted:], *targets) if t is not None)
    path_values: list[str] = []
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    content_type: str | None = None
    body = bytearray()
    for tag, payload in records(data):
        if tag == PATH:
            path_values.append(text(payload))
        elif tag in (QUERY, DECLARED_QUERY):
            name, rest = pick(chosen.query, payload) if tag == DECLARED_QUERY else ("", payload)
            key, _, value = rest.partition(b"=")
            query.append((name + text(key), text(value)))
        elif tag == HEADER:
            key, _, value = payload.partition(b":")
            headers[text(key).lower()] = text(value)
        elif tag == DECLARED_HEADER:
            name, rest = pick(chosen.headers, payload)
            headers[name] = text(rest)
        elif tag in (CONTENT_TYPE, DECLARED_MEDIA):
            name, rest = pick(chosen.media, payload) if tag == DECLARED_MEDIA else ("", payload)
            content_type = name + text(rest)
        else:
            body += payload
    # The router always gives every path parameter a non-empty value; missing ones default to "1".
    path_params = {name: path_values[i] if i < len(path_values) else "1" for i, name in enumerate(chosen.path)}
    method = chosen.operation.method.upper()
    return index, chosen.operation, RequestParts(method, path_params, query, headers, content_type, bytes(body))


def target(data: bytes) -> None:
    """Validate the request `data` spells; raise only on a bug of request validation."""
    index, operation, parts = request(data)
    check = validate_request(index, operation, parts)
    expect(isinstance(check, RequestCheck), f"not a RequestCheck: {check!r}")
    expect((check.status is None) == (not check.errors), f"status {check.status} with errors {check.errors}")
    expect(check.status is None or check.status in STATUSES, f"status {check.status}")
    expect(len(check.errors) <= MAX_ERRORS, f"{len(check.errors)} errors")
    for error in check.errors:
        expect(error.kind != "internal", f"the safety net was reached: {error.detail}")
    if check.errors:
        # orjson raises on lone surrogates: what goes into an error must be plain text
        envelope = orjson.loads(orjson.dumps({"errors": [error.as_dict() for error in check.errors]}))
        expect(not envelope_problems(envelope), f"not a Telnyx error envelope: {envelope_problems(envelope)}")


def expect(condition: bool, problem: str) -> None:
    """A broken promise of request validation (raised also under `python -O`)."""
    if not condition:
        raise AssertionError(problem)


# --- inputs -----------------------------------------------------------------------------------------


def encode(operation: int, *items: tuple[int, bytes]) -> bytes:
    """The bytes of a request: the operation's position in `OPERATIONS`, then (tag, payload)
    records; a body longer than one record takes several."""
    out = bytearray([operation % 256])
    for tag, payload in items:
        chunks = [payload[i : i + 255] for i in range(0, len(payload), 255)] if tag == BODY else [payload[:255]]
        for chunk in chunks or [b""]:
            out += bytes([tag, len(chunk)]) + chunk
    return bytes(out)


def multipart(*parts: tuple[bytes, bytes]) -> bytes:
    """A multipart/form-data body (boundary `XyZ`) of (Content-Disposition parameters, data) parts."""
    body = b"".join(b"--%s\r\nContent-Disposition: form-data; %s\r\n\r\n%s\r\n" % (BOUNDARY, h, d) for h, d in parts)
    return body + b"--" + BOUNDARY + b"--\r\n"


SEEDS: list[bytes] = [
    # a valid page and filter; then a page size beyond the maximum and a deepObject sent plain
    encode(0, (QUERY, b"page[number]=2"), (QUERY, b"page[size]=20"), (QUERY, b"filter[customer_reference][eq]=r")),
    encode(0, (QUERY, b"page[size]=251"), (QUERY, b"filter=x"), (QUERY, b"filter[a][b][c][d][e][f][g][h]=1")),
    # repeated deepObject keys (an array) and a key that is both a value and an object
    encode(1, (QUERY, b"filter[features]=sms"), (QUERY, b"filter[features]=fax"), (QUERY, b"filter[features][x]=1")),
    encode(2, (QUERY, b"filters[available_services]="), (QUERY, b"page[number]=-1")),
    encode(3, (QUERY, b"page[size]=\xed\xa0\x80"), (QUERY, b"filter[verified]=maybe"), (QUERY, b"page[number]=1e400")),
    # JSON bodies: valid, of the wrong types, and not JSON at all
    encode(
        4,
        (CONTENT_TYPE, b"application/json"),
        (BODY, b'{"first_name":"Ada","last_name":"L","business_name":"E","street_address":"1 Main St",'),
        (BODY, b'"locality":"London","country_code":"GB"}'),
    ),
    encode(4, (CONTENT_TYPE, b"application/json; charset=latin-1"), (BODY, b'{"first_name": 7, "country_code": []}')),
    encode(4, (CONTENT_TYPE, b"application/json"), (BODY, b'{"first_name": "\xff", "')),
    encode(5, (CONTENT_TYPE, b"application/vnd.api+json"), (BODY, b'{"from": "+13125550001", "to": ["\\ud800"]}')),
    # multipart: a file, non-Latin-1 names, an RFC 5987 name; then a missing closing boundary
    encode(
        6,
        (CONTENT_TYPE, b"multipart/form-data; boundary=XyZ"),
        (
            BODY,
            multipart(
                (b'name="media"; filename="photo.jpg"', b"\xff\xd8\xff\xe0"),
                (b"name*=UTF-8''%E6%BC%A2%E5%AD%97", "値".encode()),
                (b'name="ttl_secs"', b"86400"),
            ),
        ),
    ),
    encode(6, (DECLARED_MEDIA, b'\x01; boundary="XyZ"'), (BODY, b"--XyZ\r\nContent-Disposition: form-data")),
    # form bodies, in a charset that does not exist and with bracket keys that conflict
    encode(7, (CONTENT_TYPE, b"application/x-www-form-urlencoded"), (BODY, b"grant_type=client_credentials")),
    encode(7, (CONTENT_TYPE, b"application/x-www-form-urlencoded; charset=nope"), (BODY, b"a[b]=1&a[b][c]=2&a=\xff")),
    # header and path parameters, wildcard and XML bodies, an allowEmptyValue flag
    encode(8, (PATH, b"\xed\xb2\x80/.."), (DECLARED_HEADER, b"\x00Bearer x"), (HEADER, b"content-type:text/html")),
    encode(9, (PATH, b"bucket"), (PATH, b""), (DECLARED_QUERY, b"\x00=1,2"), (BODY, b"\x00\x01\x02")),
    encode(10, (PATH, b"bucket"), (QUERY, b"delete"), (CONTENT_TYPE, b"text/xml"), (BODY, b"<Delete><Object/>")),
    encode(11),
    b"",
]

_RECORD = st.tuples(st.integers(0, 7), st.binary(max_size=60))
_MULTIPART = st.lists(st.tuples(st.binary(max_size=30), st.binary(max_size=30)), max_size=4).map(
    lambda parts: (BODY, multipart(*((b"name=" + head, data) for head, data in parts)))
)
_NAMED = st.tuples(
    st.sampled_from([DECLARED_QUERY, DECLARED_HEADER, DECLARED_MEDIA]),
    st.builds(lambda i, rest: bytes([i]) + rest, st.integers(0, 255), st.binary(max_size=30)),
)


def strategy() -> st.SearchStrategy[bytes]:
    """Inputs for plain Hypothesis: the seeds, structured requests (records, declared names,
    multipart bodies with the boundary of `; boundary=XyZ`) and raw bytes."""
    structured = st.builds(
        lambda operation, items: encode(operation, *items),
        st.integers(0, len(OPERATIONS) - 1),
        st.lists(st.one_of(_RECORD, _NAMED, _MULTIPART, st.just((DECLARED_MEDIA, b"\x01; boundary=XyZ"))), max_size=8),
    )
    return st.one_of(st.sampled_from(SEEDS), structured, st.binary(max_size=400))
