"""`run --client CLIENT_SPEC`: an old client's operations, sent the way it sends them and judged
by what it reads, against a target that serves today's (pinned) spec.

The client's spec (Swagger 2.0, OpenAPI 3.0 or 3.1) is matched to the pinned one as `drift`
matches them (`spec/diff/drift.py`: method + path template, parameter names ignored, base paths
honoured). Operations of the client that are gone are reported as skipped, never sent. The
others are handed to schemathesis as the client's own spec: schemathesis 4 drives Swagger 2.0
natively (its parameters, `in: body`/`formData`, `definitions`, `collectionFormat`), so the
requests are generated from exactly the schemas the client was built from, with no conversion
of ours in between to get wrong. Only each path is rewritten, relative to the pinned spec's base
path, so the client's request goes where today's operation lives under the run's base URL.

A failure is judged by the client's spec (schemathesis' checks); `judge` asks the pinned spec
about the same exchange, for triage (`conformance/triage/drift.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.triage import Verdict
from conformance.triage.drift import ANSWER_CHECKS, DRIFT_CHECKS, PinnedView, drift_verdict

METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
IMPLICIT_METHODS = frozenset({"head", "options"})  # answered by HTTP frameworks, declared or not
# Where the client's spec says where it was served: the run's base URL says it instead.
SERVED_AT = ("basePath", "host", "schemes", "servers")


@dataclass
class Matched:
    """A client operation that still exists in the pinned spec."""

    name: str  # the client's name for it (operationId, else "METHOD /path")
    pinned: Any  # spec.index.Operation of the pinned spec
    verdict: str  # breaking or compatible, by `drift`
    where: str = ""  # the client's operation, file:line
    pinned_where: str = ""  # the pinned operation, file:line


@dataclass
class ClientPlan:
    """The client's side of a run: what is sent (`data`, `matched`) and what is only reported (`gone`)."""

    path: Path
    sha256: str
    data: dict[str, Any]  # the client's spec for schemathesis: matched operations only, paths relative
    operation_ids: dict[str, str | None]  # every client label -> its operationId
    matched: dict[str, Matched] = field(default_factory=dict)  # by the label schemathesis gives it
    gone: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # label -> (why not sent, its tags)
    counts: dict[str, int] = field(default_factory=dict)  # gone, breaking, compatible (of all its operations)
    pinned_data: dict[str, Any] = field(default_factory=dict)  # the pinned spec, for its schemathesis operations
    index: Any = None  # the pinned spec's SpecIndex, for the reference server's request validation
    base_url: str = ""  # the run's target
    _pinned_schema: Any = None
    _router: Any = None

    def summary(self) -> dict[str, Any]:
        """summary.json's `client`: which client, and drift's verdicts over all its operations."""
        return {"spec": self.path.name, "sha256": self.sha256, "operations": dict(self.counts)}

    def judge(self, case: Any, response: Any, check: str) -> Verdict | None:
        """`drift` when the pinned spec allows what failed `check` by the client's spec, else None."""
        matched = self.matched.get(case.operation.label)
        if matched is None or check not in DRIFT_CHECKS:
            return None
        pinned_label = f"{matched.pinned.method.upper()} {matched.pinned.path}"
        client = f"{matched.name} ({case.operation.label}, {matched.where})"
        view = PinnedView(client=client, pinned=f"{pinned_label} ({matched.pinned_where})")
        if check in ANSWER_CHECKS:
            operation = self.pinned_operation(matched)
            item = self.pinned_data["paths"].get(matched.pinned.path) or {}
            methods = {method.lower() for method in item if method.lower() in METHODS}
            view = PinnedView(view.client, view.pinned, answer_ok=answer_conforms(operation, response, check, methods))
        else:
            problem = request_problem(self, matched, response.request)
            view = PinnedView(view.client, view.pinned, request_problem=problem)
        return drift_verdict(check, view)

    def pinned_operation(self, matched: Matched) -> Any:
        """The pinned spec's schemathesis operation (the schema is built once, on the first drift question)."""
        if self._pinned_schema is None:
            import schemathesis

            self._pinned_schema = schemathesis.openapi.from_dict(self.pinned_data)
        return self._pinned_schema[matched.pinned.path][matched.pinned.method]


def answer_conforms(operation: Any, response: Any, check: str, methods: set[str]) -> bool:
    """Does `check` hold on this answer by the pinned operation (`methods`: those the pinned spec
    declares at its path)? Each as schemathesis' check of that name judges it: a status must be
    documented; a media type or body schema is judged when the status documents one (else the
    pinned spec does not constrain it); the methods at the path are the pinned path item's."""
    if check == "unsupported_method":
        return str(response.request.method).lower() in methods  # an operation the client's spec lacks
    if check == "allow_header_conformance":
        allow = ", ".join(response.headers.get("allow") or [])
        advertised = {method.strip().lower() for method in allow.split(",") if method.strip()}
        return advertised - IMPLICIT_METHODS == methods - IMPLICIT_METHODS
    definition = operation.responses.find_by_status_code(response.status_code)
    if check == "status_code_conformance":
        return definition is not None
    if check == "content_type_conformance":
        if definition is None:
            return True
        documented = [m.split(";")[0].strip().lower() for m in operation.schema.get_content_types(operation, response)]
        if not documented:
            return True
        got = (response.headers.get("content-type") or [""])[0].split(";")[0].strip().lower()
        return bool(got) and any(_media_covers(media, got) for media in documented)
    return bool(operation.is_valid_response(response))


def _media_covers(documented: str, got: str) -> bool:
    if documented in ("*/*", got):
        return True
    return documented.endswith("/*") and got.startswith(documented[:-1])


def request_problem(plan: ClientPlan, matched: Matched, request: Any) -> str | None:
    """Why the pinned operation refuses the request as it went on the wire ("" when it accepts
    it), by the reference server's own request validation (the one `wire_check` asks); None
    when the request does not route to that operation under the run's base URL."""
    from conformance.run.wire_check import wire_parts
    from conformance.server.routes import Router
    from conformance.server.validation import validate_request

    if plan._router is None:
        plan._router = Router(plan.index)
    parts = wire_parts(plan.index, plan._router, plan.base_url, matched.pinned, request)
    if parts is None:
        return None
    check = validate_request(plan.index, matched.pinned, parts)
    return "" if check.ok else "; ".join(error.detail for error in check.errors[:2])


def load_client(path: str, pinned: Any, index: Any, base_url: str = "") -> ClientPlan:
    """The plan of a client run; a client spec that cannot be read raises SpecError (one line, exit 2)."""
    from spec.diff.drift import drift
    from spec.errors import SpecError
    from spec.load import load_any
    from spec.model import build_model

    file = Path(path)
    if not file.is_file():
        raise SpecError(f"--client {path}: {'not a file' if file.exists() else 'not found'}")
    try:
        loaded = load_any(file)
        client = build_model(loaded)
    except SpecError as exc:
        raise SpecError(f"--client: {exc}") from None
    report = drift(client, build_model(pinned))
    by_pointer = {operation.pointer: operation for operation in index.operations}
    written = _written(client)
    plan = ClientPlan(Path(loaded.path), loaded.sha256, _without_paths(loaded.data), {}, pinned_data=pinned.data)
    plan.index, plan.base_url = index, base_url
    plan.counts = {name: count for name, count in report.counts().items() if name != "lacking"}
    lines = client.locate_all([operation.pointer for operation in client.operations.values()])
    pinned_lines = report.spec.locate_all([operation.pointer for operation in report.spec.operations.values()])
    for verdict in report.verdicts:
        operation = verdict.operation
        raw_path, method, item = written[operation.pointer]
        pinned_model = report.spec.operations.get(operation.key)
        target = by_pointer.get(pinned_model.pointer) if pinned_model is not None else None
        if verdict.verdict == "gone" or target is None:
            label = f"{method.upper()} {raw_path}"
            plan.operation_ids[label] = operation.operation_id
            reason = f"gone: the pinned spec has no {operation.method.upper()} {operation.path} (not sent)"
            if pinned_model is not None:  # matched, but the run's index places it elsewhere (a $ref'd path item)
                reason = f"not sent: the pinned {pinned_model.label} is not among the run's operations"
            tags = item[method].get("tags") or []
            plan.gone[label] = (reason, [tag for tag in tags if isinstance(tag, str)])
            continue
        relative = operation.path[len(pinned_model.path) - len(target.path) :]
        label = f"{method.upper()} {relative}"
        plan.operation_ids[label] = operation.operation_id
        plan.matched[label] = Matched(
            operation.name,
            target,
            verdict.verdict,
            f"{Path(loaded.path).name}:{lines[operation.pointer][0]}",
            f"{Path(pinned.path).name}:{pinned_lines[pinned_model.pointer][0]}",
        )
        shared = {k: v for k, v in item.items() if k.lower() not in METHODS and k not in SERVED_AT}
        into = plan.data["paths"].setdefault(relative, shared)
        into[method] = {k: v for k, v in item[method].items() if k not in SERVED_AT}
    return plan


def _without_paths(data: dict[str, Any]) -> dict[str, Any]:
    copy = {key: value for key, value in data.items() if key not in SERVED_AT and key != "paths"}
    copy["paths"] = {}
    return copy


def _written(client: Any) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Each operation of the client's model by its pointer -> (its path as written, its method
    key, its path item): found as the model finds them, a path item's `$ref` followed."""
    from spec.pointer import escape

    found: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, raw in (client.document.data.get("paths") or {}).items():
        pointer, item = client.document.deref(f"/paths/{escape(path)}", raw)
        if isinstance(item, dict):
            for method in item:
                found.setdefault(f"{pointer}/{method}", (path, method, item))
    return found


def report_gone(
    plan: ClientPlan,
    results: Any,
    operation_ids: list[str],
    labels: list[str],
    include_tags: list[str],
    exclude_tags: list[str],
) -> None:
    """The client's gone operations in the selection, as skipped results with the reason (never sent)."""
    from conformance.reporting.results import OperationResult

    results.client = plan.summary()
    for label, (reason, tags) in plan.gone.items():
        if operation_ids and plan.operation_ids.get(label) not in operation_ids:
            continue
        if (labels and label not in labels) or (include_tags and not set(tags) & set(include_tags)):
            continue
        if set(tags) & set(exclude_tags):
            continue
        method, path = label.split(" ", 1)
        results.operations[label] = OperationResult(plan.operation_ids.get(label), method, path, "skipped", reason)
