"""conformance.run.wire_check: a negative case whose violation serialization erased is no failure."""

import requests
from schemathesis.core.failures import AcceptedNegativeData

from conformance.run.wire_check import register, valid_on_the_wire
from conformance.server.routes import Router
from spec.load import load_spec

BASE = "http://127.0.0.1:9/v2"


def _prepared(method: str, url: str) -> requests.PreparedRequest:
    return requests.Request(method, url, headers={"Authorization": "Bearer k"}).prepare()


def test_the_request_as_sent_is_judged(shared_spec_path) -> None:  # type: ignore[no-untyped-def]
    index = load_spec(shared_spec_path).index()
    router = Router(index)
    operation = {(op.method, op.path): op for op in index.operations}[("get", "/requirement_types")]
    # what a run sent for {"filter": {"name[contains]": ...}}: on the wire, the valid nested filter
    sent = _prepared("GET", f"{BASE}/requirement_types?filter%5Bname%5D%5Bcontains%5D=%0E%C2%AD")
    assert valid_on_the_wire(index, router, BASE, operation, sent)
    assert not valid_on_the_wire(
        index, router, BASE, operation, _prepared("GET", f"{BASE}/requirement_types?filter[x]=1")
    )
    # a target under another base path cannot be placed: the failure stays
    assert not valid_on_the_wire(index, router, "http://127.0.0.1:9/v3", operation, sent)


class _Hooks:
    def __init__(self) -> None:
        self.hooks: dict[str, object] = {}

    def hook(self, function):  # type: ignore[no-untyped-def]
        self.hooks[function.__name__] = function
        return function


class _Operation:
    label = "GET /requirement_types"


class _Case:
    operation = _Operation()


class _Response:
    def __init__(self, request: requests.PreparedRequest) -> None:
        self.request = request


def test_the_hook_drops_only_negative_failures_valid_as_sent(shared_spec_path) -> None:  # type: ignore[no-untyped-def]
    index = load_spec(shared_spec_path).index()
    operations = {f"{op.method.upper()} {op.path}": op for op in index.operations}
    schema = _Hooks()
    register(schema, index, operations, BASE)
    keep = schema.hooks["filter_failure"]
    failure = AcceptedNegativeData(
        operation="GET /requirement_types", message="m", status_code=200, expected_statuses=[400]
    )
    erased = _Response(_prepared("GET", f"{BASE}/requirement_types?filter%5Bname%5D%5Bcontains%5D=x"))
    kept = _Response(_prepared("GET", f"{BASE}/requirement_types?filter[x]=1"))
    assert keep(None, failure, _Case(), erased) is False  # dropped: valid as sent
    assert keep(None, failure, _Case(), kept) is True
