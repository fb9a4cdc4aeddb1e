"""Triage: whose fault is a failure, the target's (`server`), the spec's (`spec`), or the
run's own configuration and network (`setup`)?

A failure is the spec's when the part of the spec the check judged the target against
contradicts itself: the audit has a finding there of a kind that makes the schema wrong
(an invalid default or example, a 3.0 keyword that changes validation in 3.1, a schema that
is not valid JSON Schema, a `$ref` to the wrong kind of object). The audit already knows
these places, located; triage only asks whether the failing operation reaches one.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spec.index import SCHEMA_LIST, SCHEMA_MAP, SCHEMA_ONE, Operation, SpecIndex
from spec.pointer import escape

SERVER, SPEC, SETUP = "server", "spec", "setup"
CLASSES = (SERVER, SPEC, SETUP)

# Audit rules whose findings mean "a conforming server can still fail here": the schema
# itself misleads a validator or a server. (Invalid examples only mislead a server that
# echoes them, like a mock: that is judged by value, not by location.)
SPEC_BREAKING_RULES = frozenset(
    {
        "default-valid",
        "value-format",  # a default or example that a strict validator rejects (`default: ""` on a URI)
        "schema-dialect",
        "oas31-legacy-keywords",
        "ref-target-kind",
        "required-property-undefined",
        "composition-illogical",
        "enum-type-match",
        "schema-type-mismatch",
        "parameter-unique",
        "telnyx-error-envelope",  # the spec documents an error body that is not the envelope
    }
)
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
        return cls({pointer for rule, pointer in findings if rule in SPEC_BREAKING_RULES})

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


def reached_schemas(index: SpecIndex, roots: Iterable[str], limit: int = 5000) -> set[str]:
    """Every schema location reachable from `roots` through subschemas and `$ref`s."""
    from spec.pointer import get

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
        for key in SCHEMA_ONE:
            if isinstance(node.get(key), dict):
                stack.append(f"{pointer}/{key}")
        for key in SCHEMA_LIST:
            if isinstance(node.get(key), list):
                stack.extend(f"{pointer}/{key}/{i}" for i in range(len(node[key])))
        for key in SCHEMA_MAP:
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


def response_schemas(index: SpecIndex, operation: Operation) -> set[str]:
    """The schemas an operation's responses are judged against."""
    roots: list[str] = []
    responses = operation.node.get("responses")
    if isinstance(responses, dict):
        for status, response in responses.items():
            pointer, resolved = index.deref(f"{operation.pointer}/responses/{escape(status)}", response)
            roots += _content_schemas(pointer, resolved)
    return reached_schemas(index, roots)


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
    _reach: dict[tuple[str, str], bool] = field(default_factory=dict)

    def _touches(self, operation: Operation, side: str) -> bool:
        key = (operation.pointer, side)
        if key not in self._reach:
            reach = request_schemas if side == "request" else response_schemas
            self._reach[key] = self.problems.touches(reach(self.index, operation))
        return self._reach[key]

    def operation_has_spec_problem(self, operation: Operation) -> bool:
        return self._touches(operation, "request") or self._touches(operation, "response")

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
        form or multipart fields: those fields are text on the wire (`3` and `"3"` are the same
        bytes), so no server can tell; the spec types them without an `encoding` to say how."""
        violations = _VIOLATION.findall(message)
        if "in body" not in message or not violations:
            return False
        if any(keyword != "type" or location in ("", "/") for keyword, location in violations):
            return False
        _, body = self.index.deref(operation.pointer + "/requestBody", operation.node.get("requestBody"))
        content = body.get("content") if isinstance(body, dict) else None
        return isinstance(content, dict) and bool(content) and set(content) <= TEXT_FIELD_MEDIA

    def classify(self, operation: Operation | None, check: str, message: str, status_code: int | None = None) -> str:
        explained = operation is not None and self.spec_explains(operation, check, status_code, message)
        return classify(check, message, spec_problem=explained)


def triage_for(index: SpecIndex, spec: object) -> Triage:
    """A Triage from an audit of the loaded spec (the warm audit costs ~0.4 s)."""
    from spec.audit import run_audit
    from spec.rules import all_rules

    rules = [r for r in all_rules() if r.id in SPEC_BREAKING_RULES]
    result = run_audit(spec, rules=rules, index=index)  # type: ignore[arg-type]
    return Triage(index, SpecProblems.from_findings((f.rule, f.pointer) for f in result.findings))
