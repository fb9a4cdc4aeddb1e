"""Schema rules on what the client reads: success response bodies and headers, at every node."""

from spec.diff import facets
from spec.diff.pairs import SchemaPair
from spec.diff.rules import Hit, diff_rule


@diff_rule(
    "response-property-removed",
    "breaking",
    "A success response property is no longer declared.",
    side="reads",
    subject="response",
)
def response_property_removed(pair: SchemaPair):
    """A client reads the property the old version documented; the new server need not send
    it, and code that dereferences it fails."""
    old, new = pair.old, pair.new
    for name in sorted(set(old.properties) - set(new.properties)):
        if pair.sent(name):
            yield Hit(old.properties[name][0], new.pointer, "property removed", (name,))


@diff_rule(
    "response-property-added", "info", "A success response property was added.", side="reads", subject="response"
)
def response_property_added(pair: SchemaPair):
    """More output: clients that ignore unknown properties (as they should) are not affected."""
    old, new = pair.old, pair.new
    for name in sorted(set(new.properties) - set(old.properties)):
        if pair.sent(name):
            yield Hit(old.pointer, new.properties[name][0], "property added", (name,))


@diff_rule(
    "response-property-type-changed",
    "breaking",
    "A success response value may have a type the old version did not declare.",
    side="reads",
    subject="response",
)
def response_property_type_changed(pair: SchemaPair):
    """A client parses the value as the old type (a string becoming an object, an integer a
    string); a narrower type (`number` to `integer`) is safe to read."""
    yield from facets.types_widened(pair)


@diff_rule(
    "response-property-became-nullable",
    "breaking",
    "A success response value may now be null.",
    side="reads",
    subject="response",
)
def response_property_became_nullable(pair: SchemaPair):
    """Typed clients (and code that calls a method on the value) fail on a null the old version
    said could not come; nullable is 3.0's `nullable`, 2.0's `x-nullable` or 3.1's `null` type."""
    yield from facets.became_nullable(pair)


@diff_rule(
    "response-property-became-optional",
    "breaking",
    "A success response property is no longer required.",
    side="reads",
    subject="response",
)
def response_property_became_optional(pair: SchemaPair):
    """The old version promised the property is always there; clients that rely on it fail
    when the new server leaves it out."""
    old, new = pair.old, pair.new
    for name in sorted(old.required - new.required):
        if name in old.properties and name in new.properties and pair.sent(name):
            yield Hit(old.required_pointer, new.properties[name][0], "no longer required", (name,))


@diff_rule(
    "response-enum-widened",
    "warning",
    "A success response value may be an enum value the old version did not list.",
    side="reads",
    subject="response",
)
def response_enum_widened(pair: SchemaPair):
    """A client that switches over the documented values meets one it does not know; many
    handle an unknown value, strict ones (generated enums) fail, hence a warning."""
    yield from facets.enum_widened(pair)


@diff_rule(
    "response-property-format-changed",
    "warning",
    "A success response value's format changed or was removed.",
    side="reads",
    subject="response",
)
def response_property_format_changed(pair: SchemaPair):
    """A client that parses the documented format (a date-time, a uuid) may fail on another."""
    yield from facets.format_widened(pair)


@diff_rule(
    "response-bounds-relaxed",
    "warning",
    "A success response value's bounds got looser or were removed.",
    side="reads",
    subject="response",
)
def response_bounds_relaxed(pair: SchemaPair):
    """A client may size buffers or validate by the documented bounds; a longer string or a
    larger number than it was told can come breaks those."""
    yield from facets.bounds_widened(pair)


@diff_rule(
    "response-not-schema-changed",
    "warning",
    "A success response value's `not` subschema changed or was removed.",
    side="reads",
    subject="response",
)
def response_not_schema_changed(pair: SchemaPair):
    """The server may now send what the old version's `not` excluded, a value the client's
    schema (and code written from it) does not expect; whether the change excludes more or less
    cannot be told in general. A warning, as for a relaxed bound. A `not` added only narrows
    what may come and is not reported."""
    yield from facets.negation_widened(pair)
