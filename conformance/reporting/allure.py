"""Allure for the conformance run: what each operation's test says in the report, and the files
that frame the results (`environment.properties`, `categories.json`).

allure-pytest writes the results (`--alluredir`); this module adds, per operation, `epic` (the
tag's group when the spec has `x-tagGroups`, else the tag) / `feature` (the tag) / `story` (the
operationId), a severity from the worst failing check, the triage class(es) as `triage` labels,
a link to the operation's line in the spec, and attachments for the failing exchange (request,
response truncated, curl, schema error path). Everything allure-pytest writes goes through
`Target.redact` first: its file logger is swapped for a redacting one.
"""

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from conformance.target import Target, redact_headers
from conformance.triage import CLASSES

MAX_BODY = 16 * 1024  # bytes of a body kept in an attachment
TRIAGE_LABEL = "triage"
CHECK_LABEL = "check"

# The severity of a failing check: a crash or ignored auth blocks a client; a body that breaks
# the schema breaks a client's parsing; status codes and content types confuse it; headers and
# conventions are worth fixing but rarely break anything.
SEVERITY = {
    "ignored_auth": "blocker",
    "not_a_server_error": "critical",
    "response_schema_conformance": "critical",
    "connection_error": "critical",
    "request_timeout": "critical",
    "use_after_free": "critical",
    "ensure_resource_availability": "critical",
    "status_code_conformance": "normal",
    "content_type_conformance": "normal",
    "negative_data_rejection": "normal",
    "positive_data_acceptance": "normal",
    "missing_required_header": "normal",
    "unsupported_method": "normal",
    "response_size_limit": "normal",
    "telnyx_error_envelope": "normal",
    "response_headers_conformance": "minor",
    "telnyx_rate_limit_headers": "minor",
}
SEVERITY_ORDER = ("trivial", "minor", "normal", "critical", "blocker")
CLASS_TITLES = {  # in the verdict's words and order (conformance/reporting/headline.py)
    "server": "Target does not conform",
    "spec": "Spec defects seen",
    "setup": "Setup problems (network, key)",
    "drift": "Client drift (the old client would break)",
}


def severity(checks: Iterable[str]) -> str:
    """The worst severity among failing checks (`normal` for none or unknown ones)."""
    ranks = [SEVERITY_ORDER.index(SEVERITY.get(check, "normal")) for check in checks]
    return SEVERITY_ORDER[max(ranks, default=SEVERITY_ORDER.index("normal"))]


def status_prefix(failures: Iterable[tuple[str, str]]) -> str:
    """The first line the failed test's message gets, e.g. `[server] response_schema_conformance`,
    one per distinct (class, check): what `categories.json` matches on."""
    seen: list[str] = []
    for classification, check in failures:
        entry = f"[{classification}] {check}"
        if entry not in seen:
            seen.append(entry)
    return "; ".join(seen)


def categories(checks: Iterable[str]) -> list[dict[str, Any]]:
    """Allure categories: one per triage class and check (the first match wins, so the pairs come
    first), then one per class for checks not listed."""
    result: list[dict[str, Any]] = []
    for cls in CLASSES:
        for check in sorted(set(checks)):
            result.append(
                {
                    "name": f"{cls}: {check}",
                    "description": f"{CLASS_TITLES[cls]}; caught by {check}",
                    "messageRegex": rf"(?s)^[^\n]*\[{cls}\] {check}\b.*",
                    "matchedStatuses": ["failed", "broken"],
                }
            )
    for cls in CLASSES:
        result.append(
            {
                "name": CLASS_TITLES[cls],
                "messageRegex": rf"(?s)^[^\n]*\[{cls}\] .*",
                "matchedStatuses": ["failed", "broken"],
            }
        )
    return result


def environment_properties(values: Mapping[str, str]) -> str:
    """`key = value` lines, escaped as java.util.Properties reads them."""

    def escape(text: str) -> str:
        out = text.replace("\\", "\\\\").replace("\n", "\\n").replace("=", "\\=").replace(":", "\\:")
        return "".join(ch if ord(ch) < 128 else f"\\u{ord(ch):04x}" for ch in out)

    return "".join(f"{escape(k).replace(' ', '_')} = {escape(v)}\n" for k, v in values.items())


def spec_link(spec_path: Path, sha256: str, line: int) -> str:
    """The operation's line: on GitHub at the pinned commit when the spec is the pinned one, else
    the local file."""
    from spec.pin import PINNED

    if sha256 == PINNED.sha256:
        return f"https://github.com/{PINNED.repository}/blob/{PINNED.commit}/{PINNED.path}#L{line}"
    return f"{Path(spec_path).resolve().as_uri()}#L{line}"


# --- the exchange as text -------------------------------------------------------------------------


def describe_request(request: Any, target: Target) -> str:
    """A prepared request as text: request line, headers (credentials masked), body."""
    lines = [f"{request.method} {target.redact_url(request.url)}"]
    lines += [f"{name}: {value}" for name, value in redact_headers(dict(request.headers), target.api_key).items()]
    body = request.body
    text = "\n".join(lines)
    if body:
        raw = body if isinstance(body, bytes) else str(body).encode()
        text += "\n\n" + target.redact(truncate(raw))
    return text


def describe_response(response: Any, target: Target) -> str:
    """A schemathesis Response as text: status line, headers, the body (pretty JSON when it is
    JSON), truncated to MAX_BODY bytes with a note of how much was left out."""
    lines = [f"HTTP/{response.http_version} {response.status_code} {response.message}".rstrip()]
    headers = {name: ", ".join(values) for name, values in response.headers.items()}
    lines += [f"{name}: {value}" for name, value in redact_headers(headers, target.api_key).items()]
    return "\n".join(lines) + "\n\n" + target.redact(truncate(response.content or b"", total=response.content_size))


def truncate(raw: bytes, limit: int = MAX_BODY, total: int | None = None) -> str:
    total = len(raw) if total is None else max(total, len(raw))
    if len(raw) <= limit:
        try:
            return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
        except ValueError:
            pass
    text = raw[:limit].decode("utf-8", "replace")
    if total > limit:
        text += f"\n… [{total - limit} more bytes not shown; {total} in all]"
    return text


# --- labels and attachments during the run --------------------------------------------------------


def annotate_setup(context: Any, label: str, kind: str | None = None) -> None:
    """Labels known before the test runs: behaviour, the link to the spec. `kind` names a test
    other than the operation's own (pagination, lifecycle), which gets its own title."""
    import allure

    operation = context.operations.get(label)
    if operation is None:
        return
    tag = (operation.node.get("tags") or ["(untagged)"])[0]
    groups = context.loaded.data.get("x-tagGroups") or []
    epic = next((g.get("name") for g in groups if isinstance(g, dict) and tag in (g.get("tags") or [])), tag)
    allure.dynamic.epic(str(epic))
    allure.dynamic.feature(str(tag))
    allure.dynamic.story(operation.operation_id or label)
    suffix = f" — {kind}" if kind else ""
    allure.dynamic.title(f"{operation.operation_id or label} ({label}){suffix}")
    line = context.loaded.locator.locate_all([operation.pointer])[operation.pointer][0]
    allure.dynamic.link(spec_link(context.loaded.path, context.loaded.sha256, line), name=f"spec line {line}")


def annotate_result(context: Any, label: str, records: list[Any], leaves: list[Any] | None = None) -> None:
    """Labels and attachments once the test's outcome is known: severity, triage classes and
    checks of its failures (`records`, FailureRecords), and per failing check the request,
    response, curl and schema error path (`leaves`: the raised failures)."""
    import allure

    allure.dynamic.severity(_severity_level(severity(f.check for f in records)))
    for cls in sorted({f.classification for f in records}):
        allure.dynamic.label(TRIAGE_LABEL, cls)
    for check in sorted({f.check for f in records}):
        allure.dynamic.label(CHECK_LABEL, check)
    pairs = [(f.classification, f.check) for f in records]
    test = _current_test()
    if pairs and test is not None:
        reasons = dict.fromkeys(f"why {f.classification} ({f.check}): {f.reason}" for f in records if f.reason)
        PREFIXES[str(test.uuid)] = "\n".join([status_prefix(pairs), *reasons])
    target: Target = context.target
    seen: set[str] = set()
    for record in records:
        if record.check in seen:
            continue
        seen.add(record.check)
        evidence = _evidence(context, label, record.check)
        name = f"{record.check} [{record.classification}]"
        if evidence is not None and evidence.request:
            allure.attach(evidence.request, f"{name}: request", allure.attachment_type.TEXT)
        if evidence is not None and evidence.response:
            allure.attach(evidence.response, f"{name}: response", allure.attachment_type.TEXT)
        if record.curl:
            allure.attach(record.curl, f"{name}: curl", allure.attachment_type.TEXT)  # redacted when built
    for error in leaves or ():
        path = schema_error_path(error)
        if path:
            allure.attach(target.redact(path), "schema error path", allure.attachment_type.TEXT)


# Allure test uuid -> the triage line its failure message starts with (read by the logger).
PREFIXES: dict[str, str] = {}


def _current_test() -> Any:
    """allure-pytest's result object of the running test, if any."""
    import allure_commons

    for plugin in allure_commons.plugin_manager.get_plugins():
        logger = getattr(plugin, "allure_logger", None)
        if logger is not None and hasattr(plugin, "_cache"):
            return logger.get_test(None)
    return None


def _evidence(context: Any, label: str, check: str) -> Any:
    found = None
    for (key_label, _, _), evidence in context.results.evidence.items():
        if key_label == label and evidence.check == check:
            found = evidence
    return found


def schema_error_path(failure: Any) -> str | None:
    """Where a JSON Schema failure points: in the body and in the schema, plus the validator's word."""
    schema_path = getattr(failure, "schema_path", None)
    instance_path = getattr(failure, "instance_path", None)
    if schema_path is None and instance_path is None:
        return None

    def pointer(parts: Any) -> str:
        return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts or ())

    lines = [f"body location: {pointer(instance_path)}", f"schema location: {pointer(schema_path)}"]
    message = getattr(failure, "validation_message", None) or getattr(failure, "message", "")
    if message:
        lines.append(f"error: {message}")
    return "\n".join(lines)


def _severity_level(name: str) -> Any:
    import allure

    return allure.severity_level[name.upper()]


# --- the results directory ------------------------------------------------------------------------


def install_redacting_logger(target: Target) -> Callable[[], None] | None:
    """Swap allure-pytest's file logger for one that redacts the key and prefixes failure
    messages with their triage. Returns the undo (allure-pytest's own cleanup unregisters its
    logger by name, so it must be back by then), or None when no Allure results are written."""
    import allure_commons
    from allure_commons.logger import AllureFileLogger

    manager = allure_commons.plugin_manager
    for plugin in list(manager.get_plugins()):
        if type(plugin) is AllureFileLogger:
            name = manager.get_name(plugin)
            manager.unregister(plugin)
            replacement = _redacting_logger(plugin._report_dir, target)
            manager.register(replacement)

            def restore(replacement: Any = replacement, original: Any = plugin, name: Any = name) -> None:
                manager.unregister(replacement)
                manager.register(original, name)

            return restore
    return None


def _redacting_logger(report_dir: Path, target: Target) -> Any:
    import uuid

    from allure_commons import hookimpl
    from allure_commons.logger import AllureFileLogger
    from attr import asdict

    class RedactingFileLogger(AllureFileLogger):
        def _report_item(self, item: Any) -> None:
            prefix = PREFIXES.pop(str(getattr(item, "uuid", "")), None)
            details = getattr(item, "statusDetails", None)
            if prefix and details is not None:
                details.message = f"{prefix}\n{details.message or ''}"
            data = target.redact_value(asdict(item, filter=lambda _, v: v or v is False))
            text = json.dumps(data, ensure_ascii=False)
            path = self._report_dir / item.file_pattern.format(prefix=uuid.uuid4())
            _write_atomic(path, text.encode("utf-8"))

        @hookimpl
        def report_attached_file(self, source: Any, file_name: str) -> None:
            _write_atomic(self._report_dir / file_name, _redact_bytes(Path(source).read_bytes(), target))

        @hookimpl
        def report_attached_data(self, body: Any, file_name: str) -> None:
            raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
            _write_atomic(self._report_dir / file_name, _redact_bytes(raw, target))

    return RedactingFileLogger(report_dir)


def _redact_bytes(raw: bytes, target: Target) -> bytes:
    """An attachment as text without the key as a whole token (our own attachments are
    redacted already; captured output is not); one that is not UTF-8 is replaced whole when it
    holds the key at all."""
    if not target.api_key:
        return raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return b"[attachment removed: it holds the API key]" if target.api_key.encode() in raw else raw
    return target.redact(text).encode("utf-8")


def _write_atomic(path: Path, data: bytes) -> None:
    from conformance.reporting.files import atomic_write

    atomic_write(path, data)


def write_frame(results_dir: Path, target: Target, values: Mapping[str, str], checks: Iterable[str]) -> None:
    """`environment.properties` and `categories.json` beside the results."""
    from conformance.reporting.files import atomic_write

    atomic_write(results_dir / "environment.properties", environment_properties(values))
    atomic_write(results_dir / "categories.json", json.dumps(categories(checks), indent=2) + "\n")
