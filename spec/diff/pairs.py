"""What the checks compare: an operation in both versions with its parameters, media types and
responses matched, and one schema node in both versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spec.model import ApiModel, MediaType, Operation, Parameter, Response
from spec.model.common import media_covers
from spec.model.schema import View, Views


@dataclass(frozen=True)
class ParameterPair:
    old: Parameter | None
    new: Parameter | None
    relation: str = "same"  # same, renamed (a path parameter), moved (same name, other location)


@dataclass
class OperationPair:
    old: Operation | None
    new: Operation | None
    old_model: ApiModel
    new_model: ApiModel
    parameters: list[ParameterPair] = field(default_factory=list)
    responses: list[tuple[Response | None, Response | None]] = field(default_factory=list)

    @classmethod
    def of(
        cls, old: Operation | None, new: Operation | None, old_model: ApiModel, new_model: ApiModel
    ) -> OperationPair:
        pair = cls(old, new, old_model, new_model)
        if old is not None and new is not None:
            pair.parameters = match_parameters(old, new)
            pair.responses = match_responses(old.responses, new.responses)
        return pair

    def old_place(self) -> str:
        """Where the old version has this operation, or the nearest place it would be."""
        return self.old.pointer if self.old else nearest(self.old_model, self.new)

    def new_place(self) -> str:
        return self.new.pointer if self.new else nearest(self.new_model, self.old)


def nearest(model: ApiModel, other: Operation | None) -> str:
    """The path item of an operation under the same template (another method), else `/paths`."""
    item = model.path_item(other.key[1]) if other is not None else None
    if item is not None:
        return item
    return "/paths" if isinstance(model.document.data.get("paths"), dict) else ""


def match_parameters(old: Operation, new: Operation) -> list[ParameterPair]:
    pairs: list[ParameterPair] = []
    old_path = {p.name: p for p in old.parameters if p.location == "path"}
    new_path = {p.name: p for p in new.parameters if p.location == "path"}
    for old_name, new_name in zip(old.path_params, new.path_params, strict=False):
        if old_name in old_path and new_name in new_path:
            relation = "same" if old_name == new_name else "renamed"
            pairs.append(ParameterPair(old_path[old_name], new_path[new_name], relation))
    old_rest = {p.key: p for p in old.parameters if p.location != "path"}
    new_rest = {p.key: p for p in new.parameters if p.location != "path"}
    for key in [k for k in old_rest if k in new_rest]:
        pairs.append(ParameterPair(old_rest.pop(key), new_rest.pop(key)))
    new_by_name = {p.name.lower(): key for key, p in new_rest.items()}
    for key, parameter in list(old_rest.items()):
        moved = new_by_name.get(parameter.name.lower())
        if moved is not None and moved in new_rest:
            pairs.append(ParameterPair(old_rest.pop(key), new_rest.pop(moved), "moved"))
    pairs += [ParameterPair(p, None) for p in old_rest.values()]
    pairs += [ParameterPair(None, p) for p in new_rest.values()]
    return pairs


def _range(status: str) -> str | None:
    return f"{status[0]}XX" if len(status) == 3 and status.isdigit() else None


def match_responses(
    old: dict[str, Response], new: dict[str, Response]
) -> list[tuple[Response | None, Response | None]]:
    """Statuses matched exactly, else an old code by the new range that covers it (`200` by `2XX`)."""
    pairs: list[tuple[Response | None, Response | None]] = []
    used: set[str] = set()
    for status, response in old.items():
        match = status if status in new else _range(status) if _range(status) in new else None
        pairs.append((response, new[match] if match else None))
        if match:
            used.add(match)
    pairs += [(None, response) for status, response in new.items() if status not in used]
    return pairs


def match_media(
    old: dict[str, MediaType], new: dict[str, MediaType]
) -> list[tuple[MediaType | None, MediaType | None]]:
    """Media types matched exactly, else by a wildcard on either side (`*/*` takes JSON)."""
    pairs: list[tuple[MediaType | None, MediaType | None]] = []
    used: set[str] = set()
    for name, media in old.items():
        match = name if name in new else None
        if match is None:
            match = next((n for n in new if media_covers(n, name) or media_covers(name, n)), None)
        pairs.append((media, new[match] if match else None))
        if match:
            used.add(match)
    pairs += [(None, media) for name, media in new.items() if name not in used]
    return pairs


@dataclass(frozen=True)
class SchemaPair:
    """One schema node in both versions, as flat views, with the views of either document (to
    look at a property's own view) and the subject: parameter, request or response."""

    old: View
    new: View
    subject: str
    old_views: Views
    new_views: Views

    def old_property(self, name: str) -> View:
        return self.old_views.view(self.old.properties[name])

    def new_property(self, name: str) -> View:
        return self.new_views.view(self.new.properties[name])

    def sent(self, name: str) -> bool:
        """Would the client send (request) or read (response) this property of both versions?
        readOnly properties are never sent, writeOnly ones never read."""
        views: list[Any] = []
        if name in self.old.properties:
            views.append(self.old_property(name))
        if name in self.new.properties:
            views.append(self.new_property(name))
        if self.subject == "response":
            return not any(v.write_only for v in views)
        return not any(v.read_only for v in views)
