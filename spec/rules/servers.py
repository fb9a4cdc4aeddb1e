"""Rules about server objects: where the API lives and how its base URL is templated."""

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from spec.index import HTTP_METHODS, SpecIndex
from spec.pointer import escape
from spec.rules import rule

_TEMPLATE = re.compile(r"\{([^{}]*)\}")
_EXAMPLE_HOST = re.compile(r"(?:^|\.)example\.(?:com|net|org)$|(?:^|\.)example$")


def server_objects(index: SpecIndex) -> list[tuple[str, dict[str, Any]]]:
    """(pointer, server) for every Server Object: root, path items, operations and webhooks."""
    found: list[tuple[str, dict[str, Any]]] = []

    def collect(base: str, servers: Any) -> None:
        if isinstance(servers, list):
            for i, server in enumerate(servers):
                if isinstance(server, dict):
                    found.append((f"{base}/servers/{i}", server))

    collect("", index.doc.get("servers"))
    for section in ("paths", "webhooks"):
        items = index.doc.get(section)
        if not isinstance(items, dict):
            continue
        for key, item in items.items():
            if not isinstance(item, dict):
                continue
            base = f"/{section}/{escape(key)}"
            collect(base, item.get("servers"))
            for method in HTTP_METHODS:
                operation = item.get(method)
                if isinstance(operation, dict):
                    collect(f"{base}/{method}", operation.get("servers"))
    return found


def _urls(index: SpecIndex) -> Iterator[tuple[str, dict[str, Any], str]]:
    for pointer, server in index.shared(server_objects):
        url = server.get("url")
        if isinstance(url, str):
            yield pointer, server, url


@rule(
    "servers-defined",
    "warning",
    "The document lists at least one server.",
    equivalents=("spectral:oas3-api-servers", "redocly:no-empty-servers"),
)
def servers_defined(index: SpecIndex):
    """With no `servers`, OpenAPI falls back to `/` relative to wherever the document was
    fetched from, which is never the production host. Clients generated from it point at
    the docs site, and "try it" consoles send real requests to the wrong place."""
    servers = index.doc.get("servers")
    if "servers" not in index.doc:
        yield "", "the document has no servers"
    elif not isinstance(servers, list) or not servers:
        yield "/servers", "servers is empty"


@rule(
    "server-trailing-slash",
    "warning",
    "Server URLs do not end with a slash.",
    equivalents=("spectral:oas3-server-trailing-slash", "redocly:no-server-trailing-slash"),
)
def server_trailing_slash(index: SpecIndex):
    """Paths start with `/`, and tools join them to the server URL by plain concatenation, so
    a trailing slash yields `https://host/v2//users`, which many gateways route differently
    or reject. A bare `/` (the relative root) is fine."""
    for pointer, _, url in _urls(index):
        base = url.split("#", 1)[0].split("?", 1)[0]
        if base.endswith("/") and base != "/":
            yield pointer + "/url", f"server url {url!r} ends with a slash"


@rule(
    "server-variables",
    "error",
    "Server URL templates and server variables agree, and enums admit their defaults.",
    equivalents=(
        "spectral:oas3-server-variables",
        "redocly:no-undefined-server-variable",
        "redocly:no-server-variables-empty-enum",
    ),
)
def server_variables(index: SpecIndex):
    """A `{name}` in a server URL with no variable behind it cannot be substituted, so every
    client builds a literal `{name}` into its base URL; a variable the URL never uses is dead
    configuration that misleads. An empty `enum` admits no value at all, and a `default`
    outside its `enum` is a base URL the API itself declares invalid."""
    for pointer, server, url in _urls(index):
        variables = server.get("variables")
        variables = variables if isinstance(variables, dict) else {}
        used = _TEMPLATE.findall(url)
        for name in dict.fromkeys(used):
            if name not in variables:
                yield pointer + "/url", f"server url {url!r} uses {{{name}}} but defines no variable {name!r}"
        for name, variable in variables.items():
            where = f"{pointer}/variables/{escape(name)}"
            if name not in used:
                yield where, f"server variable {name!r} is not used in url {url!r}"
            if not isinstance(variable, dict):
                continue
            enum = variable.get("enum")
            if isinstance(enum, list) and not enum:
                yield where + "/enum", f"server variable {name!r} has an empty enum"
            elif isinstance(enum, list) and "default" in variable and variable["default"] not in enum:
                yield where + "/default", f"server variable {name!r} default {variable['default']!r} is not in its enum"


@rule(
    "server-example-com",
    "warning",
    "Server URLs do not point at a reserved example domain.",
    equivalents=("redocly:no-server-example.com",),
)
def server_example_com(index: SpecIndex):
    """`example.com` (and `.net`, `.org`, `.example`, RFC 2606) are placeholders left over from
    a template. Published as a server, they send generated clients and "try it" consoles to a
    host that will never serve the API."""
    for pointer, _, url in _urls(index):
        try:
            host = urlsplit(url if "//" in url else "//" + url).hostname or ""
        except ValueError:
            continue
        if _EXAMPLE_HOST.search(host.rstrip(".")):
            yield pointer + "/url", f"server url {url!r} points at the placeholder host {host!r}"


@rule(
    "webhook-servers",
    "warning",
    "Webhooks do not declare servers.",
    equivalents=("spectral:oas3_1-servers-in-webhook",),
    versions=("3.1",),
)
def webhook_servers(index: SpecIndex):
    """A webhook is a request the API provider sends to a URL the consumer registers out of
    band; there is no provider server to call. `servers` on a webhook is therefore
    meaningless, and tools that honour it generate nonsense targets."""
    webhooks = index.doc.get("webhooks")
    if not isinstance(webhooks, dict):
        return
    for name, item in webhooks.items():
        if not isinstance(item, dict):
            continue
        base = f"/webhooks/{escape(name)}"
        if "servers" in item:
            yield base + "/servers", f"webhook {name!r} declares servers"
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and "servers" in operation:
                yield f"{base}/{method}/servers", f"webhook {name!r} {method.upper()} declares servers"
