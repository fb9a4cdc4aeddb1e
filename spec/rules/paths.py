"""Rules about path keys: their shape, and whether two of them can claim the same URL."""

import re
from collections import defaultdict
from typing import Any

from spec.index import SpecIndex
from spec.pointer import escape
from spec.rules import rule

_TEMPLATE = re.compile(r"\{[^{}]*\}")
_WHOLE_TEMPLATE = re.compile(r"^\{[^{}]+\}$")


def _path_keys(index: SpecIndex) -> list[str]:
    paths = index.doc.get("paths")
    return [key for key in paths if isinstance(key, str)] if isinstance(paths, dict) else []


def _pointer(path: str) -> str:
    return "/paths/" + escape(path)


@rule(
    "path-trailing-slash",
    "error",
    "Path keys do not end with a slash.",
    equivalents=("spectral:path-keys-no-trailing-slash", "redocly:no-path-trailing-slash"),
)
def path_trailing_slash(index: SpecIndex):
    """`/users/` and `/users` are different URLs to most servers and routers; documenting the
    slash form sends clients to a path that redirects or 404s, and makes tools treat the two
    as separate resources. The root path `/` is the exception."""
    for path in _path_keys(index):
        if path.endswith("/") and path != "/":
            yield _pointer(path), f"path {path!r} ends with a slash"


@rule(
    "path-query-string",
    "error",
    "Path keys carry no query string or fragment.",
    equivalents=("spectral:path-not-include-query", "redocly:path-not-include-query"),
)
def path_query_string(index: SpecIndex):
    """Query parameters belong in `parameters` with `in: query`, where they get a schema,
    a requiredness and serialization rules. Baked into the path key they are invisible to
    validators and SDK generators, and the key stops matching real request paths."""
    for path in _path_keys(index):
        if "?" in path or "#" in path:
            yield _pointer(path), f"path {path!r} contains a query string or fragment"


@rule(
    "path-declaration-not-empty",
    "error",
    "Path templates name their parameter ({} is not allowed).",
    equivalents=("spectral:path-declarations-must-exist", "redocly:path-declaration-must-exist"),
)
def path_declaration_not_empty(index: SpecIndex):
    """An empty `{}` template cannot be tied to any path parameter, so nobody can tell what
    value goes there and no generated client can fill it in."""
    for path in _path_keys(index):
        if "{}" in path:
            yield _pointer(path), f"path {path!r} has an empty template {{}}"


def _segments(path: str) -> tuple[list[str], list[Any]]:
    """The path's segments and, per segment, None (literal), True (a whole `{x}` template) or
    a regex (a literal with embedded templates, like `{id}.json`)."""
    segments = path.split("/")
    kinds: list[Any] = []
    for segment in segments:
        if _WHOLE_TEMPLATE.match(segment):
            kinds.append(True)
        elif "{" in segment and _TEMPLATE.search(segment):
            pattern = ".+".join(re.escape(piece) for piece in _TEMPLATE.split(segment))
            kinds.append(re.compile(pattern + r"\Z"))
        else:
            kinds.append(None)
    return segments, kinds


def _normal(path: str) -> str:
    return _TEMPLATE.sub("{}", path)


def _compatible(a: str, ka: Any, b: str, kb: Any) -> bool:
    """Whether one concrete segment value can match both segment a and segment b."""
    if ka is True or kb is True:
        return True
    if ka is None and kb is None:
        return a == b
    if ka is None:
        return bool(kb.match(a))
    if kb is None:
        return bool(ka.match(b))
    return _TEMPLATE.sub("{}", a) == _TEMPLATE.sub("{}", b)


def _template_groups(index: SpecIndex) -> list[list[tuple[str, str, list[str], list[Any]]]]:
    """Templated paths grouped by (segment count, whole-template segment count), in key order:
    (path, normalized path, segments, segment kinds)."""
    groups: dict[tuple[int, int], list[tuple[str, str, list[str], list[Any]]]] = defaultdict(list)
    for path in _path_keys(index):
        if "{" not in path:
            continue
        segments, kinds = _segments(path)
        groups[(len(segments), sum(k is True for k in kinds))].append((path, _normal(path), segments, kinds))
    return [members for members in groups.values() if len(members) > 1]


def _ambiguous(a: list[str], ka: list[Any], b: list[str], kb: list[Any]) -> bool:
    return all(segment == b[i] or _compatible(segment, ka[i], b[i], kb[i]) for i, segment in enumerate(a))


@rule(
    "path-ambiguous",
    "warning",
    "No two templated paths, equally concrete, can match the same URL.",
    equivalents=("redocly:no-ambiguous-paths",),
)
def path_ambiguous(index: SpecIndex):
    """OpenAPI only says concrete paths win over templated ones. When two templates have the
    same number of templated segments and every segment pair could match the same value
    (`/a/{x}` and `/{y}/b` both match `/a/b`), neither is more concrete and the spec leaves
    the route undefined: servers, mocks and request validators pick different operations.
    A path with fewer templated segments is the more concrete one and wins, so that pair is
    not reported. Identical templates are `path-identical`'s business. Each path is reported
    once, against the first earlier path it collides with."""
    for members in _template_groups(index):
        for i, (path, normal, segments, kinds) in enumerate(members):
            for j in _candidates(members, i):
                other, other_normal, other_segments, other_kinds = members[j]
                if other_normal != normal and _ambiguous(segments, kinds, other_segments, other_kinds):
                    yield _pointer(path), f"path {path!r} can match the same URLs as {other!r}"
                    break


def _candidates(members: list[tuple[str, str, list[str], list[Any]]], i: int) -> list[int]:
    """The earlier members that may collide with member i, in order: when its first segment
    is literal, those whose first segment is the same literal or not literal at all. (Most
    pairs differ right there: this spares ~90% of the comparisons on the Telnyx spec.)"""
    _, _, segments, kinds = members[i]
    first = 1 if len(segments) > 1 else 0  # segments[0] is the empty string before the leading '/'
    if kinds[first] is not None:
        return list(range(i))
    return [j for j in range(i) if members[j][3][first] is not None or members[j][2][first] == segments[first]]


@rule(
    "path-identical",
    "error",
    "No two path keys differ only in their template names.",
    equivalents=("redocly:no-identical-paths",),
)
def path_identical(index: SpecIndex):
    """OpenAPI forbids `/pets/{petId}` next to `/pets/{name}`: they are the same route, so
    which operation a request reaches is undefined, and merging tools silently drop one of
    them."""
    seen: dict[str, str] = {}
    for path in _path_keys(index):
        if "{" not in path:
            continue
        normal = _normal(path)
        if normal in seen:
            yield _pointer(path), f"path {path!r} is identical to {seen[normal]!r} but for template names"
        else:
            seen[normal] = path
