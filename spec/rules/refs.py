"""Rules about `$ref`."""

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
