"""Which schemas a check judged the target against: those an operation's requests or
responses are validated by, and those that apply to one value inside a body. One `$ref` walk
(`spec.walk`) does the reaching."""

from collections.abc import Iterable

from spec.index import SCHEMA_LIST, SCHEMA_MAP, SCHEMA_ONE, Operation, SpecIndex
from spec.pointer import escape
from spec.walk import step_down, walk


def schemas_at(index: SpecIndex, roots: Iterable[str], path: Iterable[str | int], limit: int = 2000) -> set[str]:
    """The schema locations that apply to the value at `path` (JSON keys and array indexes) of
    an instance judged against `roots`: down `properties`, `additionalProperties`, `items` and
    `prefixItems`, across `$ref` and the members of `allOf`/`anyOf`/`oneOf`."""
    current = _same_level(index, roots, limit)
    for token in path:
        below = step_down(index.doc, current, token)
        current = _same_level(index, below, limit)
        if not current:
            break
    return current


def _same_level(index: SpecIndex, pointers: Iterable[str], limit: int) -> set[str]:
    """These schemas and every schema that applies to the same value through them."""
    return {p for p, _ in walk(index, pointers, lists=_COMBINATORS, limit=limit)}


def reached_schemas(index: SpecIndex, roots: Iterable[str], limit: int = 5000) -> set[str]:
    """Every schema location reachable from `roots` through subschemas and `$ref`s."""
    return {p for p, _ in walk(index, roots, lists=SCHEMA_LIST, singles=SCHEMA_ONE, maps=SCHEMA_MAP, limit=limit)}


_COMBINATORS = ("allOf", "anyOf", "oneOf")


def request_schemas(index: SpecIndex, operation: Operation) -> set[str]:
    """The schemas an operation's requests are judged against (parameters and body)."""
    parameters = index.parameters(operation)
    roots = [pointer + "/schema" for pointer, param in parameters if "schema" in param]
    body_pointer, body = index.deref(operation.pointer + "/requestBody", operation.node.get("requestBody"))
    roots += _content_schemas(body_pointer, body)
    # the parameters themselves too: a duplicate parameter is reported at the parameter
    return reached_schemas(index, roots) | {pointer for pointer, _ in parameters} | _declared_parameters(operation)


def _declared_parameters(operation: Operation) -> set[str]:
    """Every parameter as declared (the effective list drops a duplicate's first twin)."""
    declared = operation.node.get("parameters")
    if not isinstance(declared, list):
        return set()
    return {f"{operation.pointer}/parameters/{i}" for i in range(len(declared))}


def response_roots(index: SpecIndex, operation: Operation) -> list[str]:
    """The schema of each response body an operation documents (every status, every media type)."""
    roots: list[str] = []
    responses = operation.node.get("responses")
    if isinstance(responses, dict):
        for status, response in responses.items():
            pointer, resolved = index.deref(f"{operation.pointer}/responses/{escape(status)}", response)
            roots += _content_schemas(pointer, resolved)
    return roots


def response_schemas(index: SpecIndex, operation: Operation) -> set[str]:
    """The schemas an operation's responses are judged against."""
    return reached_schemas(index, response_roots(index, operation))


def operation_schemas(index: SpecIndex, operation: Operation) -> set[str]:
    """Every schema an operation's requests and responses are judged against."""
    return request_schemas(index, operation) | response_schemas(index, operation)


def _content_schemas(pointer: str, node: object) -> list[str]:
    if not isinstance(node, dict) or not isinstance(node.get("content"), dict):
        return []
    return [
        f"{pointer}/content/{escape(media)}/schema"
        for media, value in node["content"].items()
        if isinstance(value, dict) and "schema" in value
    ]
