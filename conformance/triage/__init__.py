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

from conformance.triage.classes import (
    CLASSES,
    EXAMPLE_RULES,
    INPUT_CHECKS,
    RESPONSE_CHECKS,
    SERVER,
    SETUP,
    SETUP_CHECKS,
    SETUP_MARKERS,
    SPEC,
    SPEC_BREAKING_RULES,
    STANDARD_CLIENT_ERRORS,
    TEXT_FIELD_MEDIA,
    breaks_schema,
)
from conformance.triage.examples import ExampleValues, FlaggedValue, value_key
from conformance.triage.reach import operation_schemas, request_schemas, response_roots, response_schemas
from spec.index import Operation, SpecIndex
from spec.pointer import escape, get, split

__all__ = ["CLASSES", "RESPONSE_CHECKS", "SERVER", "SETUP", "SPEC", "Triage", "operation_schemas", "triage_for"]
_VIOLATION = re.compile(r"violates `([^`]+)` at (\S*)")


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


def _same_schema(rest: str) -> bool:
    """Is `rest` (a pointer tail) a keyword of this schema rather than a subschema's?"""
    return "/" not in rest or rest.split("/", 1)[0] in ("default", "example", "examples", "enum", "required")


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
