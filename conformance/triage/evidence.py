"""The evidence that puts a failure on the spec, one rule each, tried in order.

Each rule looks at one failure (`Observed`) of one operation and returns why the spec is at
fault there, or None. None from every rule leaves the failure the target's: without positive
evidence at the exact place the check judged, the target is blamed, never the spec.
"""

import re
from collections.abc import Callable
from typing import Any, Protocol

from conformance.triage.classes import (
    LOCATION_RULES,
    RESPONSE_CHECKS,
    SIBLINGS,
    STANDARD_CLIENT_ERRORS,
    TEXT_FIELD_MEDIA,
    WHOLE_SCHEMA_RULES,
)
from conformance.triage.examples import ExampleValues, FlaggedValue
from conformance.triage.observed import Observed, response_schema_pointer
from spec.index import Operation, SpecIndex
from spec.pointer import escape, get, split
from spec.telnyx import documented_status, flat_properties, other_error_body_status, response_object


class Triage(Protocol):
    """What a rule reads of the run's triage (`conformance.triage.Triage`)."""

    index: SpecIndex
    findings: dict[str, set[str]]
    examples: ExampleValues

    def response_roots(self, operation: Operation) -> list[str]: ...

    def response_schemas(self, operation: Operation) -> set[str]: ...

    def sent_example(self, operation: Operation, sent: Any) -> FlaggedValue | None: ...


Rule = Callable[[Triage, Operation, Observed], str | None]
_VIOLATION = re.compile(r"violates `([^`]+)` at (\S*)")
_DISCRIMINATOR = re.compile(r"discriminator property '([^']+)' with value '([^']*)'")


def spec_example_echoed(triage: Triage, operation: Operation, observed: Observed) -> str | None:
    """The failing value is the spec's own example (or default) for that place, which the
    spec's schema rejects: a server that echoes the documentation is right to."""
    if observed.check not in RESPONSE_CHECKS or not observed.has_instance or observed.instance_path is None:
        return None
    flagged = triage.examples.matching(
        triage.index, triage.response_roots(operation), observed.instance, observed.instance_path
    )
    if flagged is None:
        return None
    return f"the value is the spec's own {_kind(flagged.site)} at {flagged.site}, which its schema rejects"


def _kind(site: str) -> str:
    return "default" if site.endswith("/default") else "example"


def finding_at_keyword(triage: Triage, operation: Operation, observed: Observed) -> str | None:
    """The audit found a schema-breaking problem at the failing keyword itself, at a sibling
    keyword that contradicts it, or at the schema as a whole."""
    location = observed.keyword_location
    if location is None or not location.startswith("/"):
        return None
    schema, _, keyword = location.rpartition("/")
    places = [(location, None)]
    places += [(f"{schema}/{sibling}", None) for sibling in SIBLINGS.get(keyword, ())]
    places.append((schema, WHOLE_SCHEMA_RULES))
    for pointer, only in places:
        for rule in sorted(triage.findings.get(pointer, ())):
            if rule in LOCATION_RULES and (only is None or rule in only):
                return f"the audit's {rule} finding is at {pointer}, where `{keyword}` failed"
    return None


def discriminator_contradicts_members(triage: Triage, operation: Operation, observed: Observed) -> str | None:
    """A discriminator without a mapping expects each member's schema name, yet the member
    declares its own values for the property: the value it declares can never match."""
    match = _DISCRIMINATOR.search(observed.message)
    if observed.check != "response_schema_conformance" or match is None:
        return None
    name, value = match.groups()
    index = triage.index
    for pointer in triage.response_schemas(operation):
        node = get(index.doc, pointer, None)
        discriminator = node.get("discriminator") if isinstance(node, dict) else None
        if not isinstance(discriminator, dict) or discriminator.get("propertyName") != name:
            continue
        for keyword in ("oneOf", "anyOf"):
            for i, member in enumerate(node.get(keyword) or []):
                member_pointer, member_node = index.deref(f"{pointer}/{keyword}/{i}", member)
                declared = flat_properties(index, member_pointer, member_node).get(name)
                if declared is None:
                    continue
                _, prop = index.deref(*declared)
                allowed = prop.get("enum", [prop["const"]] if "const" in prop else []) if isinstance(prop, dict) else []
                if value in allowed and value not in (discriminator.get("mapping") or {}):
                    return (
                        f"the discriminator at {pointer}/discriminator has no mapping for {value!r}, which its "
                        f"member {member_pointer} declares for `{name}`: no answer satisfies both"
                    )
    return None


def undocumented_standard_error(triage: Triage, operation: Operation, observed: Observed) -> str | None:
    """A 401 without a key, a 404 for an unknown id, a 422 for invalid input: answers any API
    gives, which the operation documents neither by code, nor as 4XX, nor as default."""
    if observed.check != "status_code_conformance" or observed.status not in STANDARD_CLIENT_ERRORS:
        return None
    if documented_status(operation, observed.status) is not None:
        return None
    return f"the operation documents no {observed.status} (nor 4XX, nor default) at {operation.pointer}/responses"


def spec_example_sent(triage: Triage, operation: Operation, observed: Observed) -> str | None:
    """The examples phase sent the spec's own example as valid data, and the audit found
    that example invalid: a server rejecting it is right to."""
    if observed.check != "positive_data_acceptance":
        return None
    flagged = triage.sent_example(operation, observed.sent)
    if flagged is None:
        return None
    return f"the request carried the spec's own {_kind(flagged.site)} at {flagged.site}, which its schema rejects"


def duplicated_parameter_sent(triage: Triage, operation: Operation, observed: Observed) -> str | None:
    """The operation declares the parameter the request carried twice (same name and
    location): the request followed one declaration, a target may follow the other; the audit
    reports it (parameter-unique) at that parameter."""
    if observed.check not in ("positive_data_acceptance", "negative_data_rejection") or observed.sent is None:
        return None
    _, query, path_parameters = (*tuple(observed.sent), None, None, None)[:3]
    sent = {str(key).split("[", 1)[0] for part in (query, path_parameters) if isinstance(part, dict) for key in part}
    declared = operation.node.get("parameters")
    for i, param in enumerate(declared if isinstance(declared, list) else []):
        pointer = f"{operation.pointer}/parameters/{i}"
        _, resolved = triage.index.deref(pointer, param)
        name = resolved.get("name") if isinstance(resolved, dict) else None
        if name in sent and "parameter-unique" in triage.findings.get(pointer, ()):
            return f"the request carried `{name}`, which the operation declares twice (parameter-unique at {pointer})"
    return None


def text_fields_typed(triage: Triage, operation: Operation, observed: Observed) -> str | None:
    """A "schema-violating" body that differs from a valid one only in the JSON type of form
    or multipart fields, or in the `format: binary` of a file part: those fields are text or
    bytes on the wire (`3` and `"3"` are the same bytes), so no server can tell; the spec types
    them without an `encoding` that says how."""
    if observed.check != "negative_data_rejection":
        return None
    violations = _VIOLATION.findall(observed.message)
    if "in body" not in observed.message or not violations:
        return None
    index = triage.index
    body_pointer, body = index.deref(operation.pointer + "/requestBody", operation.node.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict) or not content or not set(content) <= TEXT_FIELD_MEDIA:
        return None
    roots = [f"{body_pointer}/content/{escape(media)}/schema" for media in content]
    for keyword, location in violations:
        if location in ("", "/") or not (
            keyword == "type" or (keyword == "format" and _binary(triage, roots, location))
        ):
            return None
    return f"only the JSON types of {', '.join(sorted(content))} fields were changed, which the wire cannot carry"


def _binary(triage: Triage, roots: list[str], location: str) -> bool:
    index = triage.index
    for root in roots:
        pointer, schema = index.deref(root, get(index.doc, root, None))
        for token in split(location):
            if not isinstance(schema, dict) or not isinstance(schema.get(token), dict):
                schema = None
                break
            pointer, schema = index.deref(f"{pointer}/{escape(token)}", schema[token])
        if isinstance(schema, dict) and (schema.get("format") == "binary" or "contentMediaType" in schema):
            return True
    return False


def own_auth_header(triage: Triage, operation: Operation, observed: Observed) -> str | None:
    """The operation declares its own auth-like header parameter (Telnyx's
    `authorization_bearer`), so the checker mutates that instead of the real credentials."""
    if observed.check != "ignored_auth":
        return None
    for pointer, param in triage.index.parameters(operation):
        if param.get("in") == "header" and "authoriz" in str(param.get("name", "")).lower():
            return f"the operation declares its own auth-like header parameter {param.get('name')!r} at {pointer}"
    return None


def documented_other_error_body(triage: Triage, operation: Operation, observed: Observed) -> str | None:
    """The answer is the error body the operation documents for that status, which is not
    the Telnyx envelope: the spec breaks the convention, the target follows the spec."""
    if observed.check != "telnyx_error_envelope" or observed.status is None:
        return None
    key = other_error_body_status(triage.index, operation, observed.status)
    if key is None:
        return None
    pointer, _ = response_object(triage.index, operation, key)
    return f"the operation documents another error body for {observed.status} at {pointer} (telnyx-error-envelope)"


def media_type_finding(triage: Triage, operation: Operation, observed: Observed) -> str | None:
    """The documented response's media type is malformed (`content: {"*": ...}`): no
    Content-Type can match it."""
    if observed.check not in ("content_type_conformance", "response_schema_conformance"):
        return None
    schema = response_schema_pointer(triage.index, operation, observed.status)
    content = schema.rsplit("/", 2)[0] if schema else None
    key = documented_status(operation, observed.status) if observed.status is not None else None
    if key is not None and content is None:
        content = f"{response_object(triage.index, operation, key)[0]}/content"
    for pointer, rules in triage.findings.items():
        if content and pointer.startswith(content + "/") and "media-type-valid" in rules:
            return f"the audit's media-type-valid finding is at {pointer}: no Content-Type can match it"
    return None


RULES: tuple[Rule, ...] = (
    spec_example_echoed,
    finding_at_keyword,
    discriminator_contradicts_members,
    undocumented_standard_error,
    spec_example_sent,
    duplicated_parameter_sent,
    text_fields_typed,
    own_auth_header,
    documented_other_error_body,
    media_type_finding,
)
