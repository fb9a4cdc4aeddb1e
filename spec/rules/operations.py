"""Rules about operations: identity, documentation, grouping and documented outcomes.

Identity, documentation and tag rules cover path operations and webhooks alike: a webhook
is documented and code-generated (handler names, doc sections) just like an endpoint. The
response rules cover path operations only, as both peers do by default: a webhook's
responses are produced by the consumer's server, not by the API.
"""

import re
from collections.abc import Iterator
from typing import Any

from spec.index import Operation, SpecIndex
from spec.rules import rule

# RFC 3986 unreserved + reserved characters: what may appear in a URL without escaping.
_URL_SAFE = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*$")
_STATUS = re.compile(r"^[1-5](?:\d\d|XX)$", re.IGNORECASE)


def _all(index: SpecIndex) -> Iterator[Operation]:
    yield from index.operations
    yield from index.webhook_operations


def name(operation: Operation) -> str:
    """How messages name an operation: `GET /users` or `webhook callAnswered POST`."""
    if operation.webhook:
        return f"webhook {operation.path!r} {operation.method.upper()}"
    return f"{operation.method.upper()} {operation.path}"


def _blank(value: Any) -> bool:
    return not isinstance(value, str) or not value.strip()


def _text_field(operation: Operation, key: str) -> Iterator[tuple[str, str]]:
    if key not in operation.node:
        yield operation.pointer, f"{name(operation)} has no {key}"
    elif _blank(operation.node[key]):
        yield f"{operation.pointer}/{key}", f"{name(operation)} has an empty {key}"


@rule(
    "operation-id",
    "warning",
    "Every operation has an operationId.",
    equivalents=("spectral:operation-operationId", "redocly:operation-operationId"),
)
def operation_id(index: SpecIndex):
    """`operationId` is the stable name of an operation: SDK generators turn it into method
    names, docs into anchors, and links and tests refer to it. Without one, tools invent
    names from the method and path, which change whenever the path does."""
    for operation in _all(index):
        yield from _text_field(operation, "operationId")


@rule(
    "operation-id-url-safe",
    "error",
    "operationIds use only characters that are safe in a URL.",
    equivalents=("spectral:operation-operationId-valid-in-url", "redocly:operation-operationId-url-safe"),
)
def operation_id_url_safe(index: SpecIndex):
    """Documentation portals put the operationId in URLs and fragments, and link objects
    carry it as a reference; spaces or other characters outside RFC 3986 break those links
    or need escaping that tools apply inconsistently."""
    for operation in _all(index):
        value = operation.node.get("operationId")
        if isinstance(value, str) and not _URL_SAFE.match(value):
            yield f"{operation.pointer}/operationId", f"operationId {value!r} of {name(operation)} is not URL-safe"


@rule(
    "operation-description",
    "warning",
    "Every operation has a description.",
    equivalents=("spectral:operation-description",),
)
def operation_description(index: SpecIndex):
    """The summary names an operation; the description says what it does, its side effects
    and its caveats. Without it, readers of the reference and of generated SDK docstrings
    guess behaviour from the path."""
    for operation in _all(index):
        yield from _text_field(operation, "description")


@rule(
    "operation-summary",
    "error",
    "Every operation has a summary.",
    equivalents=("redocly:operation-summary",),
)
def operation_summary(index: SpecIndex):
    """The summary is the operation's title in navigation, search results and SDK method
    docs; without it renderers fall back to the raw path or operationId, which makes the
    reference hard to scan."""
    for operation in _all(index):
        yield from _text_field(operation, "summary")


@rule(
    "operation-tags",
    "warning",
    "Every operation has at least one tag.",
    equivalents=("spectral:operation-tags",),
)
def operation_tags(index: SpecIndex):
    """Tags group operations into sections of the reference and into SDK service classes; an
    untagged operation lands in a catch-all bucket (or disappears) and is hard to find."""
    for operation in _all(index):
        tags = operation.node.get("tags")
        if "tags" not in operation.node:
            yield operation.pointer, f"{name(operation)} has no tags"
        elif not isinstance(tags, list) or not tags:
            yield f"{operation.pointer}/tags", f"{name(operation)} has an empty tags list"


@rule(
    "operation-tag-defined",
    "warning",
    "Operation tags are declared in the top-level tags list.",
    equivalents=("spectral:operation-tag-defined",),
)
def operation_tag_defined(index: SpecIndex):
    """The top-level `tags` list is where a tag gets its description, order and external
    docs. A tag used only on operations has none of that, and is usually a typo or a renamed
    section, which splits one group in two in the rendered reference."""
    declared = index.doc.get("tags")
    names = {t.get("name") for t in declared if isinstance(t, dict)} if isinstance(declared, list) else set()
    for operation in _all(index):
        tags = operation.node.get("tags")
        if not isinstance(tags, list):
            continue
        for i, tag in enumerate(tags):
            if isinstance(tag, str) and tag not in names:
                yield f"{operation.pointer}/tags/{i}", f"tag {tag!r} of {name(operation)} is not declared in tags"


def _codes(operation: Operation) -> list[str] | None:
    responses = operation.node.get("responses")
    return [str(code) for code in responses] if isinstance(responses, dict) else None


def _missing(operation: Operation, first_digits: str, what: str) -> Iterator[tuple[str, str]]:
    codes = _codes(operation)
    if codes is None:
        yield operation.pointer, f"{name(operation)} has no responses, so no {what} response"
    elif not any(_STATUS.match(code) and code[0] in first_digits for code in codes):
        yield f"{operation.pointer}/responses", f"{name(operation)} documents no {what} response"


@rule(
    "operation-success-response",
    "warning",
    "Every operation documents a success (2xx) or redirect (3xx) response.",
    equivalents=("spectral:operation-success-response", "redocly:operation-2xx-response"),
)
def operation_success_response(index: SpecIndex):
    """The success response is what a client is written against: its status, headers and
    body shape. With only error responses documented, SDKs cannot type the result and
    readers cannot tell what a working call returns. A 3xx counts: an endpoint whose job is
    to redirect (an OAuth authorize step) succeeds with one. `default` does not count, it
    says nothing about success."""
    for operation in index.operations:
        yield from _missing(operation, "23", "2xx/3xx")


@rule(
    "operation-4xx-response",
    "warning",
    "Every operation documents at least one client-error (4xx) response.",
    equivalents=("redocly:operation-4xx-response",),
)
def operation_4xx_response(index: SpecIndex):
    """Every endpoint can reject a request (bad input, missing auth, unknown id). Without a
    documented 4xx, clients do not know the error body shape and SDKs cannot type it; a
    catch-all `default` does not say which failures are the caller's fault, so it does not
    count."""
    for operation in index.operations:
        yield from _missing(operation, "4", "4xx")


# RFC 9110 media type (or a range: `*/*`, `type/*`), parameters allowed after `;`.
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_MEDIA_RANGE = re.compile(rf"^(?:\*/\*|{_TOKEN}/\*|{_TOKEN}/{_TOKEN})\s*(?:;.*)?$")


@rule(
    "media-type-valid",
    "error",
    "Every `content` key is a media type or media range (`type/subtype`, `type/*`, `*/*`).",
)
def media_type_valid(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """A `content` key is matched against the Content-Type of real messages: `*` or `json`
    matches nothing a client or server can send (no Content-Type header value is `*`), so
    neither side can conform there, and code generators drop or mangle the body. Only OAS's
    own ranges `type/*` and `*/*` may stand for several types."""
    from spec.pointer import unescape
    from spec.rules.examples import example_sites

    for pointer in index.shared(example_sites).media:
        media_type = unescape(pointer.rsplit("/", 1)[1])
        if not _MEDIA_RANGE.match(media_type):
            yield pointer, f"content key {media_type!r} is not a media type (type/subtype) or range"
