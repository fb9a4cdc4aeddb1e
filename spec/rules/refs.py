"""Rules about `$ref`."""

import re

from spec.index import SpecIndex
from spec.rules import rule


@rule(
    "unresolved-ref",
    "error",
    "Every $ref resolves to a node of this document.",
    equivalents=("redocly:no-unresolved-refs",),
)
def unresolved_ref(index: SpecIndex):
    """A `$ref` that points nowhere makes every tool that reads the spec guess. The audit
    stops with exit 2 on the first one, naming its line, because later verdicts would be
    unreliable. Only local references (`#/...`) are supported; others are reported too."""
    for pointer, ref in index.refs:
        if index.resolve(ref) is None:
            where = "is not a local reference (#/...)" if not ref.startswith("#") else "does not resolve"
            yield pointer + "/$ref", f"$ref {ref!r} {where}"


# Where a reference sits decides what it must point at: the last pointer token(s) of the
# object holding `$ref`, and the component section that kind of object lives in.
_CONTEXTS = (
    (re.compile(r"/parameters/\d+$"), "parameters"),
    (re.compile(r"/responses/[^/]+$"), "responses"),
    (re.compile(r"/requestBody$"), "requestBodies"),
    (re.compile(r"/headers/[^/]+$"), "headers"),
    (re.compile(r"/examples/[^/]+$"), "examples"),
    (re.compile(r"/links/[^/]+$"), "links"),
    (re.compile(r"/callbacks/[^/]+$"), "callbacks"),
    (re.compile(r"^/(?:paths|webhooks)/[^/]+$"), "pathItems"),
)
_SECTION = re.compile(r"^/components/([^/]+)/")


def _expected_section(pointer: str, schema_pointers: set[str]) -> str | None:
    if pointer in schema_pointers:
        return "schemas"
    for pattern, section in _CONTEXTS:
        if pattern.search(pointer):
            return section
    return None


@rule(
    "ref-target-kind",
    "error",
    "A $ref points at the kind of object its place calls for (a schema at a schema, a response at a response).",
    equivalents=("redocly:struct",),
)
def ref_target_kind(index: SpecIndex):
    """A schema whose `items` is `$ref: '#/components/responses/X'` resolves to a Response
    Object: validators then treat `content` and `description` as schema keywords and accept
    anything, code generators emit a broken type, and the mistake stays invisible because the
    reference does resolve. Only references into `components` are judged, where the section
    names the kind."""
    schema_pointers = {pointer for pointer, _ in index.schemas}
    for holder, ref in index.refs:
        expected = _expected_section(holder, schema_pointers)
        target = index.resolve(ref)
        if expected is None or target is None:
            continue
        found = _SECTION.match(target[0])
        if found and found.group(1) != expected:
            yield holder + "/$ref", f"$ref {ref!r} points at a {found.group(1)} entry where {expected} belong"
