"""Triage: whose fault is a failure, the target's (`server`), the spec's (`spec`), or the
run's own configuration and network (`setup`)?

A failure is the spec's when the part of the spec the check judged the target against
contradicts itself: the audit has a finding there of a kind that makes the schema wrong
(an invalid default, a 3.0 keyword that changes validation in 3.1, a schema that is not valid
JSON Schema, a `$ref` to the wrong kind of object). The audit already knows these places,
located; triage only asks whether the failing operation reaches one.

An invalid example is judged by value instead: it only misleads a server that echoes it (a
mock answering with the spec's examples). A response that fails its schema with a value the
spec's own invalid example holds, at the same place, is the spec's failure; any other value
failing the same schema is still the server's.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from spec.index import SCHEMA_LIST, SCHEMA_MAP, SCHEMA_ONE, Operation, SpecIndex
from spec.pointer import escape, get, split

SERVER, SPEC, SETUP = "server", "spec", "setup"
CLASSES = (SERVER, SPEC, SETUP)

# Audit rules whose findings mean "a conforming server can still fail here": the schema
# itself misleads a validator or a server. (Invalid examples only mislead a server that
# echoes them, like a mock: that is judged by value, not by location.)
SPEC_BREAKING_RULES = frozenset(
    {
        "default-valid",
        "schema-dialect",
        "oas31-legacy-keywords",
        "ref-target-kind",
        "required-property-undefined",
        "composition-illogical",
        "enum-type-match",
        "schema-type-mismatch",
        "parameter-unique",
        "telnyx-error-envelope",  # the spec documents an error body that is not the envelope
        "media-type-valid",  # `content: {"*": ...}`: no Content-Type can match it
    }
)
# Audit rules that flag an invalid example (or, for `value-format`, also a default: a default
# that a strict validator rejects, `default: ""` on a URI, is judged by location like
# `default-valid`).
EXAMPLE_RULES = frozenset({"schema-example-valid", "media-example-valid", "parameter-example-valid", "value-format"})
# Checks whose failure says nothing about the target's conformance.
SETUP_CHECKS = frozenset({"setup", "network_error"})
SETUP_MARKERS = ("connection refused", "name or service not known", "ssl", "certificate")


RESPONSE_CHECKS = frozenset(
    {"response_schema_conformance", "content_type_conformance", "response_headers_conformance", "telnyx_error_envelope"}
)
# Answers a conforming server must be able to give (no key, unknown id, invalid input): when
# the operation documents neither the code nor 4XX, answering it is the spec's omission.
STANDARD_CLIENT_ERRORS = frozenset({400, 401, 403, 404, 405, 413, 415, 422})
TEXT_FIELD_MEDIA = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
_VIOLATION = re.compile(r"violates `([^`]+)` at (\S*)")
INPUT_CHECKS = frozenset({"negative_data_rejection", "positive_data_acceptance", "missing_required_header"})


@dataclass
class SpecProblems:
    """Where the audit found spec-breaking problems: pointers, for prefix lookups."""

    pointers: set[str] = field(default_factory=set)

    @classmethod
    def from_findings(cls, findings: Iterable[tuple[str, str]]) -> "SpecProblems":
        """From (rule id, pointer) pairs of an audit."""
        # a malformed media type is reported at its content key: its schema is what checks judge by
        return cls(
            {
                pointer + "/schema" if rule == "media-type-valid" else pointer
                for rule, pointer in findings
                if breaks_schema(rule, pointer)
            }
        )

    def touches(self, schema_pointers: Iterable[str]) -> bool:
        """Does any problem lie at or under one of these schema locations (not below a
        nested schema that is itself listed: those are checked on their own)?"""
        for pointer in schema_pointers:
            if pointer in self.pointers:
                return True
            prefix = pointer + "/"
            for problem in self.pointers:
                if problem.startswith(prefix) and _same_schema(problem[len(prefix) :]):
                    return True
        return False


def breaks_schema(rule: str, pointer: str) -> bool:
    """Is this finding a place where a conforming server can still fail (judged by location)?"""
    return rule in SPEC_BREAKING_RULES or (rule == "value-format" and pointer.endswith("/default"))


@dataclass(frozen=True)
class FlaggedValue:
    """One invalid part of an example the audit flagged: `value`, found at `path` inside the
    example of the schema at `schema`; `whole` when the example is a whole body (a media
    type's example), so `path` starts at the body's root."""

    site: str  # the finding's pointer
    schema: str
    path: tuple[str | int, ...]
    value: Any
    whole: bool


def value_key(value: Any) -> str:
    """A type-exact key of a JSON value (`1`, `1.0`, `true` and `"1"` all differ). A value no
    JSON body can hold (a YAML date, a key that is not a string) gets a key no body matches."""
    import json

    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return f"not JSON: {value!r}"


@dataclass
class ExampleValues:
    """The invalid parts of the spec's flagged examples, by value, for by-value triage."""

    by_key: dict[str, list[FlaggedValue]] = field(default_factory=dict)

    @classmethod
    def from_findings(cls, index: SpecIndex, findings: Iterable[tuple[str, str]]) -> "ExampleValues":
        """From (rule id, pointer) pairs of an audit: the example findings, defaults left out."""
        values = cls()
        for rule, pointer in findings:
            if rule in EXAMPLE_RULES and not breaks_schema(rule, pointer):
                for flagged in flagged_values(index, rule, pointer):
                    values.by_key.setdefault(value_key(flagged.value), []).append(flagged)
        return values

    def __len__(self) -> int:
        return sum(len(found) for found in self.by_key.values())

    def matching(
        self, index: SpecIndex, roots: list[str], instance: Any, instance_path: Iterable[str | int]
    ) -> FlaggedValue | None:
        """The flagged part that `instance`, failing at `instance_path` of a body judged against
        the schemas at `roots`, is: the same value, at the same place of an example whose schema
        applies where the example would start in that body."""
        path = tuple(instance_path)
        for flagged in self.by_key.get(value_key(instance), ()):
            depth = len(flagged.path)
            if flagged.whole and path != flagged.path:
                continue
            if depth > len(path) or path[len(path) - depth :] != flagged.path:
                continue
            if flagged.schema in schemas_at(index, roots, path[: len(path) - depth]):
                return flagged
        return None


def schemas_at(index: SpecIndex, roots: Iterable[str], path: Iterable[str | int], limit: int = 2000) -> set[str]:
    """The schema locations that apply to the value at `path` (JSON keys and array indexes) of
    an instance judged against `roots`: down `properties`, `additionalProperties`, `items` and
    `prefixItems`, across `$ref` and the members of `allOf`/`anyOf`/`oneOf`."""
    current = _same_level(index, roots, limit)
    for token in path:
        below: list[str] = []
        for pointer in current:
            node = get(index.doc, pointer, None)
            if not isinstance(node, dict):
                continue
            if isinstance(token, str):
                if isinstance(node.get("properties"), dict) and token in node["properties"]:
                    below.append(f"{pointer}/properties/{escape(token)}")
                elif isinstance(node.get("additionalProperties"), dict):
                    below.append(f"{pointer}/additionalProperties")
            else:
                prefix = node.get("prefixItems")
                if isinstance(prefix, list) and token < len(prefix):
                    below.append(f"{pointer}/prefixItems/{token}")
                elif isinstance(node.get("items"), dict):
                    below.append(f"{pointer}/items")
        current = _same_level(index, below, limit)
        if not current:
            break
    return current


def _same_level(index: SpecIndex, pointers: Iterable[str], limit: int) -> set[str]:
    """These schemas and every schema that applies to the same value through them."""
    return _walk(index, pointers, limit, _COMBINATORS, (), ())


def example_site(index: SpecIndex, pointer: str) -> tuple[str, Any, bool] | None:
    """(schema pointer, example value, whole body?) of an example finding's pointer:
    `S/example`, `S/examples/N` (a 3.1 schema), `H/examples/NAME/value` and `H/examples/NAME`
    (a `$ref` to an Example Object) of a media type or parameter H, or `S/default`."""
    tokens = split(pointer)
    if tokens[-1:] in (["example"], ["default"]):
        holder, value = tokens[:-1], get(index.doc, pointer, _NONE)
    elif len(tokens) >= 3 and tokens[-3] == "examples" and tokens[-1] == "value":
        holder, value = tokens[:-3], get(index.doc, pointer, _NONE)
    elif len(tokens) >= 2 and tokens[-2] == "examples":
        holder, value = tokens[:-2], get(index.doc, pointer, _NONE)
        if isinstance(value, dict) and isinstance(value.get("$ref"), str):  # an Example Object elsewhere
            _, entry = index.deref(pointer, value)
            value = entry["value"] if isinstance(entry, dict) and "value" in entry else _NONE
    else:
        return None
    if value is _NONE:
        return None
    holder_pointer = "".join("/" + escape(token) for token in holder)
    node = get(index.doc, holder_pointer, None)
    if not isinstance(node, dict):
        return None
    if "schema" in node:  # a media type or a parameter: its example is the whole value
        return holder_pointer + "/schema", value, len(holder) >= 2 and holder[-2] == "content"
    return holder_pointer, value, False


_NONE = object()


def flagged_values(index: SpecIndex, rule: str, pointer: str) -> list[FlaggedValue]:
    """Every invalid part of the example at `pointer`, as the validator of its schema finds
    them (the audit reports only the first); the example itself for a format finding."""
    site = example_site(index, pointer)
    if site is None:
        return []
    schema, value, whole = site
    parts: dict[tuple[str | int, ...], Any] = {}
    if rule == "value-format":
        parts[()] = value
    try:
        from spec.rules.schemas import shared_validators

        validator = index.shared(shared_validators).get(schema)
        for error in validator.iter_errors(value) if validator is not None else ():
            parts.setdefault(tuple(error.instance_path), error.instance)
    except Exception:  # a regex the engine cannot run: the finding's own location is all we know
        pass
    if not parts:
        parts[()] = value
    return [FlaggedValue(pointer, schema, path, part, whole) for path, part in parts.items()]


def _same_schema(rest: str) -> bool:
    """Is `rest` (a pointer tail) a keyword of this schema rather than a subschema's?"""
    return "/" not in rest or rest.split("/", 1)[0] in ("default", "example", "examples", "enum", "required")


def reached_schemas(index: SpecIndex, roots: Iterable[str], limit: int = 5000) -> set[str]:
    """Every schema location reachable from `roots` through subschemas and `$ref`s."""
    return _walk(index, roots, limit, SCHEMA_LIST, SCHEMA_ONE, SCHEMA_MAP)


_COMBINATORS = ("allOf", "anyOf", "oneOf")


def _walk(
    index: SpecIndex,
    roots: Iterable[str],
    limit: int,
    lists: Iterable[str],
    singles: Iterable[str],
    maps: Iterable[str],
) -> set[str]:
    """The schema locations reached from `roots` through `$ref`s and the subschemas under
    these keywords (lists of schemas, single schemas, maps of schemas), at most `limit`."""
    seen: set[str] = set()
    stack = list(roots)
    while stack and len(seen) < limit:
        pointer = stack.pop()
        if pointer in seen:
            continue
        seen.add(pointer)
        node = get(index.doc, pointer, None)
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = index.resolve(ref)
            if target is not None:
                stack.append(target[0])
        for key in singles:
            if isinstance(node.get(key), dict):
                stack.append(f"{pointer}/{key}")
        for key in lists:
            if isinstance(node.get(key), list):
                stack.extend(f"{pointer}/{key}/{i}" for i in range(len(node[key])))
        for key in maps:
            if isinstance(node.get(key), dict):
                stack.extend(f"{pointer}/{key}/{escape(name)}" for name in node[key])
    return seen


def request_schemas(index: SpecIndex, operation: Operation) -> set[str]:
    """The schemas an operation's requests are judged against (parameters and body)."""
    parameters = index.parameters(operation)
    roots = [pointer + "/schema" for pointer, param in parameters if "schema" in param]
    body_pointer, body = index.deref(operation.pointer + "/requestBody", operation.node.get("requestBody"))
    roots += _content_schemas(body_pointer, body)
    # the parameters themselves too: a duplicate parameter is reported at the parameter
    return reached_schemas(index, roots) | {pointer for pointer, _ in parameters} | _declared_parameters(operation)


def _declared_parameters(operation: Operation) -> set[str]:
    """Every parameter as declared (the effective list drops a duplicate's first twin)."""
    declared = operation.node.get("parameters")
    if not isinstance(declared, list):
        return set()
    return {f"{operation.pointer}/parameters/{i}" for i in range(len(declared))}


def response_roots(index: SpecIndex, operation: Operation) -> list[str]:
    """The schema of each response body an operation documents (every status, every media type)."""
    roots: list[str] = []
    responses = operation.node.get("responses")
    if isinstance(responses, dict):
        for status, response in responses.items():
            pointer, resolved = index.deref(f"{operation.pointer}/responses/{escape(status)}", response)
            roots += _content_schemas(pointer, resolved)
    return roots


def response_schemas(index: SpecIndex, operation: Operation) -> set[str]:
    """The schemas an operation's responses are judged against."""
    return reached_schemas(index, response_roots(index, operation))


def operation_schemas(index: SpecIndex, operation: Operation) -> set[str]:
    """Every schema an operation's requests and responses are judged against."""
    return request_schemas(index, operation) | response_schemas(index, operation)


def _content_schemas(pointer: str, node: object) -> list[str]:
    if not isinstance(node, dict) or not isinstance(node.get("content"), dict):
        return []
    return [
        f"{pointer}/content/{escape(media)}/schema"
        for media, value in node["content"].items()
        if isinstance(value, dict) and "schema" in value
    ]


def classify(check: str, message: str, *, spec_problem: bool) -> str:
    """The class of one failure: setup problems first, then the spec's own contradictions."""
    lowered = message.lower()
    if check in SETUP_CHECKS or any(marker in lowered for marker in SETUP_MARKERS):
        return SETUP
    if spec_problem:
        return SPEC
    return SERVER


@dataclass
class Triage:
    """Per-run triage: the audit's spec problems, and each operation's reach into them
    (requests and responses apart), computed once per operation."""

    index: SpecIndex
    problems: SpecProblems
    examples: ExampleValues = field(default_factory=ExampleValues)
    _reach: dict[tuple[str, str], bool] = field(default_factory=dict)
    _response_roots: dict[str, list[str]] = field(default_factory=dict)
    _request_schemas: dict[str, set[str]] = field(default_factory=dict)

    def _touches(self, operation: Operation, side: str) -> bool:
        key = (operation.pointer, side)
        if key not in self._reach:
            reach = request_schemas if side == "request" else response_schemas
            self._reach[key] = self.problems.touches(reach(self.index, operation))
        return self._reach[key]

    def operation_has_spec_problem(self, operation: Operation) -> bool:
        return self._touches(operation, "request") or self._touches(operation, "response")

    def responses_have_spec_problem(self, operation: Operation) -> bool:
        """Do the operation's responses reach a spec-breaking location (judged by location)?"""
        return self._touches(operation, "response")

    def spec_explains(
        self, operation: Operation, check: str, status_code: int | None = None, message: str = ""
    ) -> bool:
        """Does the spec's own contradiction at this operation explain a failure of `check`?"""
        if check == "negative_data_rejection" and self._text_typed_fields_only(operation, message):
            return True
        if check in RESPONSE_CHECKS:
            return self._touches(operation, "response")
        if check in INPUT_CHECKS:
            return self._touches(operation, "request")
        if check == "ignored_auth":
            # an operation declaring its own auth-like header parameter (Telnyx's
            # `authorization_bearer`) lets the checker mutate that instead of real credentials
            return any(
                param.get("in") == "header" and "authoriz" in str(param.get("name", "")).lower()
                for _, param in self.index.parameters(operation)
            )
        if check == "status_code_conformance" and status_code in STANDARD_CLIENT_ERRORS:
            documented = {str(code).upper() for code in operation.node.get("responses", {}) or {}}
            return str(status_code) not in documented and "4XX" not in documented
        return False

    def _text_typed_fields_only(self, operation: Operation, message: str) -> bool:
        """A "schema-violating" body that differs from a valid one only in the JSON type of
        form or multipart fields, or in the `format: binary` of a file part: those fields are
        text or bytes on the wire (`3` and `"3"` are the same bytes, and any bytes are binary),
        so no server can tell; the spec types them without an `encoding` to say how."""
        violations = _VIOLATION.findall(message)
        if "in body" not in message or not violations:
            return False
        body_pointer, body = self.index.deref(operation.pointer + "/requestBody", operation.node.get("requestBody"))
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, dict) or not content or not set(content) <= TEXT_FIELD_MEDIA:
            return False
        roots = [f"{body_pointer}/content/{escape(media)}/schema" for media in content]
        for keyword, location in violations:
            if location in ("", "/"):
                return False
            if keyword == "format" and self._binary_field(roots, location):
                continue
            if keyword != "type":
                return False
        return True

    def _binary_field(self, roots: list[str], location: str) -> bool:
        """Is the field at `location` (`/properties/loa`) a file part (`format: binary`)?"""
        for root in roots:
            pointer, schema = self.index.deref(root, get(self.index.doc, root, None))
            for token in split(location):
                if not isinstance(schema, dict) or not isinstance(schema.get(token), dict):
                    schema = None
                    break
                pointer, schema = self.index.deref(f"{pointer}/{escape(token)}", schema[token])
            if isinstance(schema, dict) and (schema.get("format") == "binary" or "contentMediaType" in schema):
                return True
        return False

    def echoed_example(self, operation: Operation, check: str, failure: Any) -> FlaggedValue | None:
        """The spec's invalid example value a failing response holds where it fails, if any.

        Only a schema failure knows its value (schemathesis' `JsonSchemaError`: `instance` at
        `instance_path`); the example must belong to a schema this operation's responses are
        judged against."""
        if check not in RESPONSE_CHECKS or not self.examples.by_key:
            return None
        instance_path = getattr(failure, "instance_path", None)
        if not isinstance(instance_path, (list, tuple)) or not hasattr(failure, "instance"):
            return None
        if operation.pointer not in self._response_roots:
            self._response_roots[operation.pointer] = response_roots(self.index, operation)
        roots = self._response_roots[operation.pointer]
        return self.examples.matching(self.index, roots, failure.instance, instance_path)

    def sent_example(self, operation: Operation, check: str, sent: Any) -> FlaggedValue | None:
        """The spec's invalid example value a rejected "valid" request carried, if any: the
        examples phase sends the spec's own examples as valid data, and a server that rejects
        one the audit found invalid is right to. Judged by value: some value of the request
        (body, query or path parameters, at any depth) is a flagged example value of a schema
        this operation's requests are judged against."""
        if check != "positive_data_acceptance" or not self.examples.by_key or sent is None:
            return None
        if operation.pointer not in self._request_schemas:
            self._request_schemas[operation.pointer] = request_schemas(self.index, operation)
        reached = self._request_schemas[operation.pointer]
        for value in _subvalues(sent):
            for flagged in self.examples.by_key.get(value_key(value), ()):
                if flagged.schema in reached:
                    return flagged
        return None

    def classify(
        self,
        operation: Operation | None,
        check: str,
        message: str,
        status_code: int | None = None,
        *,
        failure: Any = None,
        sent: Any = None,
    ) -> str:
        """`failure`, the schemathesis Failure when there is one, lets a response that echoes
        the spec's own invalid example be judged by its value; `sent` (what the request carried)
        does the same for a request that sent one."""
        explained = operation is not None and (
            self.spec_explains(operation, check, status_code, message)
            or (failure is not None and self.echoed_example(operation, check, failure) is not None)
            or self.sent_example(operation, check, sent) is not None
        )
        return classify(check, message, spec_problem=explained)


def _subvalues(value: Any, limit: int = 10_000) -> Iterable[Any]:
    """`value` and every value nested in it (dict values, list items), breadth first, bounded."""
    queue, seen = [value], 0
    while queue and seen < limit:
        current = queue.pop(0)
        seen += 1
        yield current
        if isinstance(current, dict):
            queue.extend(current.values())
        elif isinstance(current, list | tuple):
            queue.extend(current)


def triage_for(index: SpecIndex, spec: object) -> Triage:
    """A Triage from an audit of the loaded spec (the warm audit costs ~0.4 s)."""
    from spec.audit import run_audit
    from spec.rules import all_rules

    rules = [r for r in all_rules() if r.id in SPEC_BREAKING_RULES | EXAMPLE_RULES]
    result = run_audit(spec, rules=rules, index=index)  # type: ignore[arg-type]
    findings = [(f.rule, f.pointer) for f in result.findings]
    return Triage(index, SpecProblems.from_findings(findings), ExampleValues.from_findings(index, findings))
