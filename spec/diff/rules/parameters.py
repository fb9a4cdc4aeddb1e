"""Rules on an operation's parameters (query, header, cookie and path), matched by location
and wire name (a deepObject `filter` property `tag` is `filter[tag]`), path ones by position."""

from collections.abc import Iterator

from spec.diff.pairs import OperationPair, ParameterPair
from spec.diff.rules import Hit, diff_rule


def _pairs(pair: OperationPair) -> Iterator[ParameterPair]:
    if pair.old is not None and pair.new is not None:
        yield from pair.parameters


def _label(parameter) -> str:
    return f"{parameter.location} parameter {parameter.name!r}"


@diff_rule("parameter-removed", "breaking", "A parameter the client sends is no longer declared.", side="sends")
def parameter_removed(pair: OperationPair):
    """The client still sends it and the server no longer reads it: a filter or an option
    silently stops applying (a list comes back unfiltered), or a strict server refuses the
    request. Either way the call no longer does what the client asked."""
    for item in _pairs(pair):
        if item.new is None and item.old is not None:
            yield Hit(item.old.pointer, pair.new.pointer, f"{_label(item.old)} removed")


@diff_rule("parameter-added-required", "breaking", "A required parameter was added.", side="sends")
def parameter_added_required(pair: OperationPair):
    """Old clients do not send it; the new server refuses their requests."""
    for item in _pairs(pair):
        if item.old is None and item.new is not None and item.new.required:
            yield Hit(pair.old.pointer, item.new.pointer, f"required {_label(item.new)} added")


@diff_rule("parameter-added-optional", "info", "An optional parameter was added.", side="sends")
def parameter_added_optional(pair: OperationPair):
    """New optional input: old clients do not send it and are not affected."""
    for item in _pairs(pair):
        if item.old is None and item.new is not None and not item.new.required:
            yield Hit(pair.old.pointer, item.new.pointer, f"optional {_label(item.new)} added")


@diff_rule("parameter-became-required", "breaking", "An optional parameter became required.", side="sends")
def parameter_became_required(pair: OperationPair):
    """Clients that left it out (it was optional) are now refused."""
    for item in _pairs(pair):
        if item.old and item.new and item.new.required and not item.old.required:
            yield Hit(item.old.pointer, item.new.pointer, f"{_label(item.new)} became required")


@diff_rule("parameter-became-optional", "info", "A required parameter became optional.", side="sends")
def parameter_became_optional(pair: OperationPair):
    """Looser input: every request that passed still passes."""
    for item in _pairs(pair):
        if item.old and item.new and item.old.required and not item.new.required and item.new.location != "path":
            yield Hit(item.old.pointer, item.new.pointer, f"{_label(item.new)} became optional")


@diff_rule(
    "parameter-location-changed",
    "breaking",
    "A parameter moved to another location (query, header, cookie).",
    side="sends",
)
def parameter_location_changed(pair: OperationPair):
    """The client sends it where it was (a query string), the server reads it where it is now
    (a header): the value is lost, and a required one makes the request fail."""
    for item in _pairs(pair):
        if item.relation == "moved" and item.old and item.new:
            yield Hit(
                item.old.pointer,
                item.new.pointer,
                f"parameter {item.old.name!r} moved from {item.old.location} to {item.new.location}",
            )


def _serialization(parameter) -> tuple[str, bool, str]:
    return (parameter.style, parameter.explode, parameter.media)


def _form(parameter) -> str:
    if parameter.media:
        return f"{parameter.media} content"
    return f"{parameter.style}{', exploded' if parameter.explode else ''}"


@diff_rule(
    "parameter-serialization-changed",
    "warning",
    "A parameter's serialization (style, explode, collectionFormat, content) changed.",
    side="sends",
)
def parameter_serialization_changed(pair: OperationPair):
    """`ids=1,2` (form, not exploded; Swagger's csv) and `ids=1&ids=2` (exploded; multi) are
    different requests; a server that parses the new form reads the old one wrong. Only
    arrays and objects serialize differently, and deepObject members are compared by name. A
    value encoded as `content` (JSON text) and one written plainly differ whatever its type; their
    schemas describe different wire forms and are not compared."""
    for item in _pairs(pair):
        old, new = item.old, item.new
        if not (old and new) or "deepObject" in (old.style, new.style) or _serialization(old) == _serialization(new):
            continue
        kinds = set()
        for model, parameter in ((pair.old_model, old), (pair.new_model, new)):
            if parameter.schema is not None:
                kinds |= model.views.view(parameter.schema).types or set()
        if kinds & {"array", "object"} or old.media != new.media:
            yield Hit(
                old.pointer, new.pointer, f"{_label(new)} serialization changed from {_form(old)} to {_form(new)}"
            )
