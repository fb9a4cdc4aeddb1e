"""The normalized model of an API's operations, the same whichever version described it.

Every element carries the JSON pointer of where it is written (its `pointer`); the model's
`locate` turns pointers into file lines with the spec's locator. A schema is a `Node`: the
pointer and the raw schema there (dereferenced when compared, see `spec.model.schema`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# (pointer, raw schema object): the raw form keeps `$ref`s; the comparison resolves them.
Node = tuple[str, Any]


@dataclass(frozen=True)
class Parameter:
    """A value the client sends outside the body, by its wire name (a deepObject `filter` with
    property `tag` is the wire parameter `filter[tag]`)."""

    name: str
    location: str  # path, query, header, cookie
    required: bool
    schema: Node | None
    pointer: str
    style: str = ""
    explode: bool = False
    deprecated: bool = False
    media: str = ""  # OpenAPI 3 `content`: the value goes on the wire encoded as this media type

    @property
    def key(self) -> tuple[str, str]:
        return (self.location, self.name.lower() if self.location == "header" else self.name)


@dataclass(frozen=True)
class MediaType:
    name: str  # normalized: lower case, no parameters
    schema: Node | None
    pointer: str


@dataclass(frozen=True)
class RequestBody:
    required: bool
    content: dict[str, MediaType]
    pointer: str


@dataclass(frozen=True)
class Header:
    name: str
    required: bool
    schema: Node | None
    pointer: str


@dataclass(frozen=True)
class Response:
    status: str  # "200", "2XX", "default"
    content: dict[str, MediaType]
    headers: dict[str, Header]  # keyed by lower-case name
    pointer: str

    @property
    def success(self) -> bool:
        return self.status.startswith("2")


@dataclass(frozen=True)
class Credential:
    """Where a security scheme puts the credential: two schemes that send it in the same
    place are the same credential to a client (`scheme` refines it: bearer or basic)."""

    scheme_name: str
    kind: str  # apiKey, http, oauth2, openIdConnect, basic (Swagger 2.0), undeclared
    location: str  # header, query, cookie, or "" when undeclared
    name: str  # header names in lower case
    scheme: str | None  # http scheme (bearer, basic...); None when opaque (apiKey)
    pointer: str

    @property
    def place(self) -> tuple[str, str]:
        return (self.location, self.name) if self.location else ("undeclared", self.scheme_name)

    def describe(self) -> str:
        if not self.location:
            return f"undeclared scheme {self.scheme_name!r}"
        where = f"{self.location} {self.name!r}"
        return f"{self.kind}{' ' + self.scheme if self.scheme and self.kind != 'apiKey' else ''} in {where}"


# One alternative of a security requirement: every credential it needs, with its scopes.
Requirement = tuple[tuple[Credential, frozenset[str]], ...]


@dataclass(frozen=True)
class Security:
    alternatives: tuple[Requirement, ...]  # any one suffices; () inside means anonymous access
    pointer: str

    @property
    def anonymous(self) -> bool:
        return any(not alternative for alternative in self.alternatives)


@dataclass(frozen=True)
class Operation:
    method: str  # lower case
    path: str  # the template as written, with the base path in front (`/v2/calls/{id}`)
    pointer: str
    operation_id: str | None
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: dict[str, Response]
    security: Security
    deprecated: bool = False
    path_params: tuple[str, ...] = ()  # the template's parameter names, in order

    @property
    def key(self) -> tuple[str, str]:
        """What matches operations across versions: method and template, names ignored."""
        return (self.method, template_key(self.path))

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def name(self) -> str:
        return self.operation_id or self.label


@dataclass
class ApiModel:
    """Every operation of one spec, keyed by `Operation.key`, and where its text is."""

    path: Any  # pathlib.Path of the source
    version: str  # "2.0", "3.0", "3.1"
    operations: dict[tuple[str, str], Operation]
    document: Any  # spec.model.document.Document
    duplicates: list[Operation] = field(default_factory=list)  # same key as an earlier one
    views: Any = None  # spec.model.schema.Views of `document`
    spec: Any = None  # the spec.load.LoadedSpec it was built from
    _items: dict[str, str] | None = field(default=None, repr=False)  # template key -> path item pointer

    def locate_all(self, pointers: list[str]) -> dict[str, tuple[int, int]]:
        return self.document.locator.locate_all(pointers)

    def path_item(self, template: str) -> str | None:
        """The pointer of the path item holding operations of this template key, if any."""
        if self._items is None:
            self._items = {}
            for (_, key), operation in self.operations.items():
                self._items.setdefault(key, operation.pointer.rsplit("/", 1)[0])
        return self._items.get(template)


def template_key(path: str) -> str:
    """`/calls/{call_control_id}/actions` -> `/calls/{}/actions`."""
    out: list[str] = []
    depth = 0
    for char in path:
        if char == "{":
            if depth == 0:
                out.append("{}")
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def template_params(path: str) -> tuple[str, ...]:
    names: list[str] = []
    start = -1
    for i, char in enumerate(path):
        if char == "{":
            start = i + 1
        elif char == "}" and start >= 0:
            names.append(path[start:i])
            start = -1
    return tuple(names)
