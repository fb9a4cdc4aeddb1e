"""Fixtures of the reference-server tests: the shared spec, indexed once, and an independent
response-conformance checker.

The checker deliberately uses the Python `jsonschema` library (Draft 2020-12, `referencing`
registry over the whole document), not jsonschema-rs: the server generates and checks its own
bodies with jsonschema-rs, so judging them with the same engine would hide that engine's bugs.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from spec.index import Operation, SpecIndex, build_index
from spec.pointer import escape

SHARED_SPEC = Path(__file__).resolve().parents[3].parent / "shared/spec/telnyx.yml"
SPEC_URI = "urn:telnyx-conformance-tests:spec"


@dataclass(frozen=True)
class Verdict:
    """Why one response does not conform (empty `problems`: it does)."""

    operation: Operation
    status: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        return f"{self.operation.method.upper()} {self.operation.path} -> {self.status}: " + "; ".join(self.problems)


class ResponseChecker:
    """Is a response one the spec documents? Status, Content-Type and body schema."""

    def __init__(self, index: SpecIndex) -> None:
        self.index = index
        resource = Resource.from_contents(index.doc, default_specification=DRAFT202012)
        self.registry: Registry = Registry().with_resource(SPEC_URI, resource)
        self._validators: dict[str, Draft202012Validator] = {}

    def validator(self, pointer: str) -> Draft202012Validator:
        """A validator for the schema at `pointer`, formats checked, cached per pointer."""
        found = self._validators.get(pointer)
        if found is None:
            schema = {"$ref": f"{SPEC_URI}#{pointer}"}
            checker = Draft202012Validator.FORMAT_CHECKER
            found = self._validators[pointer] = Draft202012Validator(
                schema, registry=self.registry, format_checker=checker
            )
        return found

    def documented_status(self, operation: Operation, status: int) -> str | None:
        """The `responses` key covering `status`: exact, then `4XX`-style range, then default."""
        responses = operation.node.get("responses", {})
        for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
            if key in responses:
                return key
        return None

    def check(self, operation: Operation, status: int, content_type: str | None, body: bytes) -> Verdict:
        """The verdict on one response to a request for `operation`."""
        key = self.documented_status(operation, status)
        if key is None:
            return Verdict(operation, status, (f"status {status} is not documented",))
        pointer, node = self.index.deref(
            f"{operation.pointer}/responses/{escape(key)}", operation.node["responses"][key]
        )
        content = node.get("content") if isinstance(node, dict) else None
        if not body or not isinstance(content, dict) or not content:
            return Verdict(operation, status, ())  # nothing sent, or anything goes
        media = _media_matching(content, content_type)
        if media is None:
            documented = ", ".join(content)
            return Verdict(operation, status, (f"Content-Type {content_type!r} is not one of: {documented}",))
        return Verdict(operation, status, self._body_problems(pointer, content, media, body))

    def _body_problems(self, pointer: str, content: dict[str, Any], media: str, body: bytes) -> tuple[str, ...]:
        media_object = content[media] if isinstance(content[media], dict) else {}
        if "schema" not in media_object or "json" not in media:
            return ()  # non-JSON bodies (CSV, audio, PDF) are judged by their type only
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            return (f"body is not JSON: {exc}",)
        validator = self.validator(f"{pointer}/content/{escape(media)}/schema")
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
        return tuple(f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:5])


def _media_matching(content: dict[str, Any], content_type: str | None) -> str | None:
    """The documented media type a response Content-Type falls under (`*/*`, `type/*`, `*` too)."""
    if not content_type:
        return None
    sent = content_type.split(";")[0].strip().lower()
    for media in content:
        declared = media.split(";")[0].strip().lower()
        if declared in (sent, "*", "*/*") or (declared.endswith("/*") and sent.startswith(declared[:-1])):
            return media
    return None


@pytest.fixture(scope="session")
def spec_index() -> SpecIndex:
    """The shared spec, loaded once per session without the parse cache (the per-test
    isolated cache is not in place at session scope; the user's real one stays untouched)."""
    if not SHARED_SPEC.is_file():
        pytest.skip(f"the shared Telnyx spec is not at {SHARED_SPEC}")
    from spec.load import load_spec

    return build_index(load_spec(SHARED_SPEC, use_cache=False).data)


@pytest.fixture(scope="session")
def response_checker(spec_index: SpecIndex) -> ResponseChecker:
    return ResponseChecker(spec_index)
