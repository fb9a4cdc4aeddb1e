"""Map a request path under the server's base path to an operation of the spec.

Telnyx has 26 pairs of ambiguous templates (`/calls/{id}/actions/x` vs `/calls/{id}/{y}/z`):
a literal segment always beats a template segment at the same position, which is how every
mainstream router (and a reader) resolves them.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from spec.index import Operation, SpecIndex

_TEMPLATE = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class Route:
    template: str
    pattern: re.Pattern[str]
    names: tuple[str, ...]
    rank: tuple[int, ...]  # per segment: 0 literal, 1 template (lower sorts first)
    operations: dict[str, Operation] = field(compare=False)


@dataclass(frozen=True)
class Match:
    route: Route
    path_params: dict[str, str]

    def operation(self, method: str) -> Operation | None:
        return self.route.operations.get(method.lower())


def base_path(index: SpecIndex) -> str:
    """The path of the first server URL ("https://api.telnyx.com/v2" -> "/v2"), no trailing slash."""
    servers = index.doc.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = str(servers[0].get("url", ""))
        return urlsplit(url).path.rstrip("/") if "://" in url else url.rstrip("/")
    return ""


def compile_routes(index: SpecIndex) -> list[Route]:
    by_template: dict[str, dict[str, Operation]] = {}
    for operation in index.operations:
        by_template.setdefault(operation.path, {})[operation.method] = operation
    routes = [_route(template, operations) for template, operations in by_template.items()]
    return sorted(routes, key=lambda r: (len(r.rank), r.rank))


def _route(template: str, operations: dict[str, Operation]) -> Route:
    names: list[str] = []
    rank: list[int] = []
    parts: list[str] = []
    for segment in template.strip("/").split("/") if template.strip("/") else []:
        pieces = _TEMPLATE.split(segment)  # literal, name, literal, name, ..., literal
        regex = ""
        for i, piece in enumerate(pieces):
            if i % 2:
                names.append(piece)
                regex += f"(?P<p{len(names) - 1}>[^/]+?)"
            else:
                regex += re.escape(piece)
        rank.append(1 if len(pieces) > 1 else 0)
        parts.append(regex)
    pattern = re.compile("^/" + "/".join(parts) + "$") if parts else re.compile("^/?$")
    return Route(template, pattern, tuple(names), tuple(rank), operations)


class Router:
    """First match in rank order; one regex per template keeps it simple and fast enough
    (566 templates, a few µs per request for the common case of a literal-first path)."""

    def __init__(self, index: SpecIndex) -> None:
        self.base = base_path(index)
        self.routes = compile_routes(index)
        self._by_first: dict[str, list[Route]] = {}
        self._templated_first: list[Route] = []
        for route in self.routes:
            first = route.template.strip("/").split("/")[0]
            if "{" in first:
                self._templated_first.append(route)
            else:
                self._by_first.setdefault(first, []).append(route)

    def match(self, path: str) -> Match | None:
        """The route for a full request path (including the base path), or None."""
        if self.base:
            if path != self.base and not path.startswith(self.base + "/"):
                return None
            path = path[len(self.base) :] or "/"
        first = path.strip("/").split("/")[0]
        for route in (*self._by_first.get(first, ()), *self._templated_first):
            found = route.pattern.match(path)
            if found:
                params = {route.names[i]: unquote(found.group(f"p{i}")) for i in range(len(route.names))}
                return Match(route, params)
        return None
