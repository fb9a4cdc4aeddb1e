"""Schema rules on what the client sends: parameters and request bodies, at every node."""

from spec.diff import facets
from spec.diff.pairs import SchemaPair
from spec.diff.rules import Hit, diff_rule


@diff_rule(
    "parameter-type-changed",
    "breaking",
    "A parameter no longer accepts a type it accepted.",
    side="sends",
    subject="parameter",
)
def parameter_type_changed(pair: SchemaPair):
    """A client sends the values the old version typed (`integer`, `null`...); the new server
    validates against the new type and rejects them. Widening (`integer` to `number`) is safe."""
    yield from facets.types_narrowed(pair)


@diff_rule(
    "parameter-format-changed",
    "breaking",
    "A parameter's format changed or was added.",
    side="sends",
    subject="parameter",
)
def parameter_format_changed(pair: SchemaPair):
    """A format the old version did not ask for (`uuid`, `date-time`) makes the server reject
    values clients were free to send; `int32` to `int64` and the like only widen, and pass."""
    yield from facets.format_narrowed(pair)


@diff_rule(
    "parameter-enum-narrowed",
    "breaking",
    "A parameter no longer accepts an enum value.",
    side="sends",
    subject="parameter",
)
def parameter_enum_narrowed(pair: SchemaPair):
    """A value removed from the enum (or an enum where there was none) is refused by the new
    server, though the client was told it was valid."""
    yield from facets.enum_narrowed(pair)


@diff_rule(
    "parameter-bounds-tightened",
    "breaking",
    "A parameter's maximum, minimum or length or item bounds got stricter.",
    side="sends",
    subject="parameter",
)
def parameter_bounds_tightened(pair: SchemaPair):
    """A lower maximum (`page[size]` 250 to 100), a higher minimum, a shorter maxLength or a new
    bound rejects values a client generated from the old version sends."""
    yield from facets.bounds_tightened(pair)


@diff_rule(
    "parameter-pattern-changed",
    "warning",
    "A parameter's pattern changed.",
    side="sends",
    subject="parameter",
)
def parameter_pattern_changed(pair: SchemaPair):
    """Whether two regular expressions accept the same strings cannot be told in general; a
    different pattern may reject values that passed, so it is flagged for a person."""
    yield from facets.pattern_changed(pair)


@diff_rule(
    "parameter-pattern-added",
    "breaking",
    "A parameter has a pattern where it had none.",
    side="sends",
    subject="parameter",
)
def parameter_pattern_added(pair: SchemaPair):
    """Any string was valid before; now only those matching the pattern are, so the new server
    refuses values a client was free to send (oasdiff's request-parameter-pattern-added, ERR).
    A pattern every string matches (`.*`) is not reported."""
    yield from facets.pattern_added(pair)


@diff_rule(
    "request-property-type-changed",
    "breaking",
    "A request body (or property of it) no longer accepts a type it accepted.",
    side="sends",
    subject="request",
)
def request_property_type_changed(pair: SchemaPair):
    """The client serializes the body as the old version typed it; a narrower type (a string
    becoming an integer, `null` no longer allowed) makes the server reject the request."""
    yield from facets.types_narrowed(pair)


@diff_rule(
    "request-property-format-changed",
    "breaking",
    "A request property's format changed or was added.",
    side="sends",
    subject="request",
)
def request_property_format_changed(pair: SchemaPair):
    """As for parameters: a new format constrains the strings the client is free to send."""
    yield from facets.format_narrowed(pair)


@diff_rule(
    "request-property-enum-narrowed",
    "breaking",
    "A request property no longer accepts an enum value.",
    side="sends",
    subject="request",
)
def request_property_enum_narrowed(pair: SchemaPair):
    """A removed enum value in a body the client sends is a request the new server refuses."""
    yield from facets.enum_narrowed(pair)


@diff_rule(
    "request-property-bounds-tightened",
    "breaking",
    "A request property's maximum, minimum or length or item bounds got stricter.",
    side="sends",
    subject="request",
)
def request_property_bounds_tightened(pair: SchemaPair):
    """Stricter bounds on what the client sends reject requests that used to pass."""
    yield from facets.bounds_tightened(pair)


@diff_rule(
    "request-property-pattern-changed",
    "warning",
    "A request property's pattern changed.",
    side="sends",
    subject="request",
)
def request_property_pattern_changed(pair: SchemaPair):
    """A changed pattern may reject strings that passed; whether it does needs a person."""
    yield from facets.pattern_changed(pair)


@diff_rule(
    "request-property-pattern-added",
    "breaking",
    "A request property has a pattern where it had none.",
    side="sends",
    subject="request",
)
def request_property_pattern_added(pair: SchemaPair):
    """The property took any string; now the new server refuses those that do not match
    (oasdiff's request-property-pattern-added, ERR). A pattern every string matches is not
    reported."""
    yield from facets.pattern_added(pair)


@diff_rule(
    "request-property-became-required",
    "breaking",
    "A request property became required (or a new required property appeared).",
    side="sends",
    subject="request",
)
def request_property_became_required(pair: SchemaPair):
    """A client built on the old version may leave the property out; the new server then
    answers 422. A new property that is required at once is the same break."""
    old, new = pair.old, pair.new
    for name in sorted(new.required - old.required):
        if (name not in new.properties and name not in old.properties) or not pair.sent(name):
            continue
        where = old.properties[name][0] if name in old.properties else old.pointer
        text = "became required" if name in old.properties else "new required property"
        yield Hit(where, new.required_pointer, text, (name,))


@diff_rule(
    "request-property-removed", "warning", "A request property is no longer declared.", side="sends", subject="request"
)
def request_property_removed(pair: SchemaPair):
    """A client still sends it: the server ignores it at best (the value no longer has its
    effect) and refuses it when the object is closed (see request-additional-properties-closed)."""
    old, new = pair.old, pair.new
    for name in sorted(set(old.properties) - set(new.properties)):
        if pair.sent(name):
            yield Hit(old.properties[name][0], new.pointer, "property removed", (name,))


@diff_rule("request-property-added", "info", "An optional request property was added.", side="sends", subject="request")
def request_property_added(pair: SchemaPair):
    """New optional input: old clients do not send it and are not affected."""
    old, new = pair.old, pair.new
    for name in sorted(set(new.properties) - set(old.properties) - new.required):
        if pair.sent(name):
            yield Hit(old.pointer, new.properties[name][0], "optional property added", (name,))


@diff_rule(
    "request-additional-properties-closed",
    "breaking",
    "A request object no longer accepts undeclared properties (additionalProperties: false).",
    side="sends",
    subject="request",
)
def request_additional_properties_closed(pair: SchemaPair):
    """A client may send properties the old version left open (extensions, or ones since
    removed); a closed object makes the server reject the whole request."""
    old, new = pair.old, pair.new
    if new.additional is False and old.additional is not False:
        yield Hit(old.additional_pointer, new.additional_pointer, "no longer accepts undeclared properties")


@diff_rule(
    "parameter-not-schema-changed",
    "breaking",
    "A parameter's `not` subschema was added or changed.",
    side="sends",
    subject="parameter",
)
def parameter_not_schema_changed(pair: SchemaPair):
    """`not` inverts: what its subschema matches is refused. When that subschema changes, what is
    excluded changes, so values accepted before may now be refused; whether the new one excludes
    more or less cannot be told in general (a stricter subschema inside `not` excludes less), and
    a client cannot tell either. A `not` added where there was none refuses what it matches.
    Only annotations changed (descriptions, examples) is no change."""
    yield from facets.negation_narrowed(pair)


@diff_rule(
    "parameter-not-schema-removed",
    "info",
    "A parameter's `not` subschema was removed.",
    side="sends",
    subject="parameter",
)
def parameter_not_schema_removed(pair: SchemaPair):
    """What the `not` excluded is now valid: every value accepted before still is."""
    yield from facets.negation_removed(pair)


@diff_rule(
    "request-not-schema-changed",
    "breaking",
    "A request body's (or property's) `not` subschema was added or changed.",
    side="sends",
    subject="request",
)
def request_not_schema_changed(pair: SchemaPair):
    """What `not` excluded changed, so bodies accepted before may now be refused: a stricter
    subschema inside `not` excludes less, a looser or a different one more, and in general the
    direction cannot be told (nor can a client know it). The facet rules are not applied inside
    `not` (they would read it backwards); the `not` is compared whole, `$ref`s written out and
    annotations ignored. A `not` added where there was none refuses what it matches."""
    yield from facets.negation_narrowed(pair)


@diff_rule(
    "request-not-schema-removed",
    "info",
    "A request body's (or property's) `not` subschema was removed.",
    side="sends",
    subject="request",
)
def request_not_schema_removed(pair: SchemaPair):
    """What the `not` excluded is now accepted: every body accepted before still is."""
    yield from facets.negation_removed(pair)
