"""The pytest plugin of the conformance run: options, the schemathesis schema the tests use,
the refusal of methods the target must not receive, and per-operation results.

Loaded in every pytest session (entry point `pytest11`), it stays inert until `--base-url` is
given, so the project's own test suite is unaffected. `conformance/test_operations.py` reads
the schema built here at import time: pytest_configure runs before collection.
"""

import os
import random
import re
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.results import Evidence, FailureRecord, OperationResult, Results, classify, one_line
from conformance.target import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, Target, TargetError, parse_base_url
from conformance.triage import SERVER

ENV_KEY = "TELNYX_API_KEY"
TEST_NAME = "test_operation"
OPERATION_MARK = "telnyx_operation"  # marks a test that concerns an operation: @telnyx_operation("GET /x")


@dataclass
class RunContext:
    """Everything the tests and the hooks of one session share."""

    target: Target
    schema: Any  # schemathesis BaseSchema, filtered to the selected operations
    results: Results
    report_dir: Path | None
    operation_ids: dict[str, str | None]  # "METHOD /path" -> operationId
    loaded: Any = None  # the LoadedSpec, for triage
    index: Any = None  # the one SpecIndex of the run: its memo holds compiled validators, share it
    operations: dict[str, Any] = field(default_factory=dict)  # "METHOD /path" -> Operation
    _triage: Any = None
    session: Any = None  # conformance.transport.BoundedSession: the response size enforced while reading
    unresponsive: dict[str, BaseException] = field(default_factory=dict)  # label -> first timeout/reset
    max_pages: int = 5  # --max-pages: pages walked per list by the pagination checks
    allure: bool = False  # Allure results are written (labels and attachments are added)
    previous: tuple[str, dict[str, Any]] | None = None  # --compare: (dir, its summary.json)
    _coverage: Any = None

    def coverage(self) -> Any:
        if self._coverage is None:
            from conformance.coverage import Coverage

            self._coverage = Coverage(self.index)
        return self._coverage

    def triage(self) -> Any:
        """The run's triage, built on the first failure (an audit of the spec, ~0.3 s)."""
        if self._triage is None:
            from conformance.triage import triage_for

            self._triage = triage_for(self.index, self.loaded)
        return self._triage

    def send(self, case: Any) -> Any:
        """Send `case`, backing off on 429 (never judged: the target is only pacing us).
        Returns None when the target kept answering 429."""
        from conformance.checks import MAX_RETRIES, TOO_MANY_REQUESTS, backoff_delay

        label = case.operation.label
        dead = self.unresponsive.get(label)
        if dead is not None:
            # A timeout or a dropped connection is recorded once per operation: Hypothesis
            # replays a failing example many times while shrinking, and each replay would
            # wait the whole timeout again.
            raise type(dead)(*dead.args)
        for attempt in range(MAX_RETRIES + 1):
            try:
                response = case.call(session=self.session)
            except Exception as exc:
                if transport_check(exc) in ("request_timeout", "connection_error"):
                    self.unresponsive[label] = exc
                raise
            if response.status_code != TOO_MANY_REQUESTS:
                return response
            self.results.rate_limited += 1
            if attempt < MAX_RETRIES:
                time.sleep(backoff_delay(response.headers, attempt))
        return None

    def send_and_validate(self, case: Any) -> None:
        response = self.send(case)
        if response is not None:
            case.validate_response(response)


_ACTIVE: RunContext | None = None


def active() -> RunContext | None:
    return _ACTIVE


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("telnyx-conformance", "Telnyx API conformance run")
    group.addoption("--base-url", default=None, metavar="URL", help="API under test, e.g. https://api.telnyx.com/v2")
    group.addoption("--api-key", default=None, metavar="KEY", help=f"bearer token (default: ${ENV_KEY})")
    group.addoption("--spec", dest="telnyx_spec", default=None, metavar="PATH", help="spec file (default: located)")
    group.addoption("--allow-unpinned", action="store_true", help="accept a spec other than the pinned one")
    group.addoption("--include-tag", action="append", default=[], metavar="T", help="only operations with tag T")
    group.addoption("--exclude-tag", action="append", default=[], metavar="T", help="skip operations with tag T")
    group.addoption(
        "--include-operation-id", action="append", default=[], metavar="ID", help="only this operationId (repeatable)"
    )
    group.addoption(
        "--include-operation", action="append", default=[], metavar="LABEL", help='only "METHOD /path" (repeatable)'
    )
    group.addoption("--rate-limit", default=None, metavar="N/s", help="at most N requests per second (or N/m, N/h)")
    group.addoption("--max-examples", type=int, default=10, metavar="N", help="generated cases per operation")
    group.addoption("--seed", dest="telnyx_seed", type=int, default=None, metavar="N", help="generation seed")
    group.addoption("--allow-writes", action="store_true", help="send writes to a non-loopback target")
    group.addoption("--read-only", action="store_true", help="send only GET/HEAD/OPTIONS")
    group.addoption("--timeout", dest="telnyx_timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S")
    group.addoption("--report-dir", default=None, metavar="DIR", help="write summary.json here")
    group.addoption(
        "--max-response-size",
        type=int,
        default=DEFAULT_MAX_RESPONSE_BYTES,
        metavar="BYTES",
        help="larger answers fail response_size_limit",
    )
    group.addoption(
        "--max-pages", type=int, default=5, metavar="N", help="pages walked per list by the pagination checks"
    )
    group.addoption("--compare", dest="telnyx_compare", default=None, metavar="DIR", help="previous run's report dir")
    group.addoption("--progress", dest="telnyx_progress", action="store_true", help="live progress line (terminal)")


def pytest_configure(config: pytest.Config) -> None:
    global _ACTIVE
    config.addinivalue_line("markers", f"{OPERATION_MARK}(label): the operation a conformance test concerns")
    if config.getoption("base_url", None) is None:
        return
    from spec.errors import SpecError

    try:
        _ACTIVE = build_context(config)
    except (SpecError, TargetError) as exc:
        raise pytest.UsageError(str(exc)) from None
    _configure_reports(config, _ACTIVE)


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Allure's results, redacted and labelled (allure-pytest's logger exists by now)."""
    config = session.config
    if _ACTIVE is not None and config.getoption("allure_report_dir", None):
        from conformance.allure_labels import install_redacting_logger

        restore = install_redacting_logger(_ACTIVE.target)
        if restore is not None:
            _ACTIVE.allure = True
            config.add_cleanup(restore)


def _configure_reports(config: pytest.Config, context: RunContext) -> None:
    """The comparison base and the progress line (issue 6)."""
    compare = config.getoption("telnyx_compare", None)
    if compare:
        from conformance.artifacts import load_previous

        try:
            context.previous = (compare, load_previous(Path(compare)))
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
    if config.getoption("telnyx_progress", False):
        from conformance.progress import Progress

        config.pluginmanager.register(Progress(context), "telnyx_progress")


def pytest_unconfigure(config: pytest.Config) -> None:
    global _ACTIVE
    _ACTIVE = None


def build_context(config: pytest.Config) -> RunContext:
    from spec.load import load_spec

    opt = config.getoption
    target = Target(
        base_url=parse_base_url(opt("base_url")),
        api_key=opt("api_key") or os.environ.get(ENV_KEY, ""),
        allow_writes=opt("allow_writes"),
        read_only=opt("read_only"),
        timeout=opt("telnyx_timeout"),
        max_response_bytes=opt("max_response_size"),
    )
    from conformance.checks import RESPONSE_LIMIT

    RESPONSE_LIMIT["bytes"] = target.max_response_bytes
    from conformance.transport import BoundedSession

    if opt("rate_limit") is not None and not re.fullmatch(r"[1-9][0-9]*/[smhd]", opt("rate_limit")):
        raise TargetError(f"--rate-limit {opt('rate_limit')!r}: expected N/s, N/m, N/h or N/d")
    seed = opt("telnyx_seed")
    seed = random.randrange(2**31) if seed is None else seed
    loaded = load_spec(opt("telnyx_spec"), allow_unpinned=opt("allow_unpinned"))
    index = loaded.index()
    schema = build_schema(
        loaded.data,
        target,
        seed=seed,
        max_examples=opt("max_examples"),
        include_tags=opt("include_tag"),
        exclude_tags=opt("exclude_tag"),
        operation_ids=opt("include_operation_id"),
        labels=opt("include_operation"),
        rate_limit=opt("rate_limit"),
    )
    results = Results(target=target, spec_sha256=loaded.sha256, seed=seed)
    context = RunContext(
        target=target,
        schema=schema,
        results=results,
        report_dir=Path(opt("report_dir")) if opt("report_dir") else None,
        operation_ids={f"{op.method.upper()} {op.path}": op.operation_id for op in index.operations},
        loaded=loaded,
        index=index,
        operations={f"{op.method.upper()} {op.path}": op for op in index.operations},
        max_pages=opt("max_pages"),
        session=BoundedSession(target.max_response_bytes),
    )
    register_hooks(context)
    from conformance import id_feed
    from strategies.ids import IdPool

    id_feed.register(schema, IdPool(), index, context.operations)  # seen ids into later path parameters
    from conformance import wire_check

    wire_check.register(schema, index, context.operations, target.base_url)  # "invalid" only before serializing
    return context


def build_schema(
    data: dict[str, Any],
    target: Target,
    *,
    seed: int,
    max_examples: int,
    include_tags: list[str],
    exclude_tags: list[str],
    operation_ids: list[str],
    labels: list[str] | None = None,
    rate_limit: str | None = None,
) -> Any:
    """The schemathesis schema: the target's URL and key, examples + coverage + fuzzing
    phases bounded by `max_examples`, every built-in check (all enabled by default) plus ours;
    `labels` ("METHOD /path") narrow it further, `rate_limit` ("N/s") paces the requests."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    import conformance.checks  # noqa: F401 - registers the Telnyx checks
    from strategies.formats import register_formats

    register_formats()  # E.164 numbers, ISO codes, decimals... for the spec's string formats

    config = SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "base-url": target.base_url,
            "headers": target.auth_headers(),
            "request-timeout": target.timeout,
            "generation": {"max-examples": max_examples, "database": "none"},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            **({"rate-limit": rate_limit} if rate_limit else {}),
        }
    )
    schema = schemathesis.openapi.from_dict(data, config=config)
    if operation_ids:
        schema = schema.include(operation_id=operation_ids)
    if labels:
        schema = schema.include(name=labels)
    if include_tags:
        schema = schema.include(tag=include_tags)
    if exclude_tags:
        schema = schema.exclude(tag=exclude_tags)
    return schema


def register_hooks(context: RunContext) -> None:
    """Schema-scoped hooks: count requests, and keep what each failing check saw (check
    name, status, a redacted curl) for the summary; the pytest exception carries only the
    Failure objects."""
    from schemathesis.engine import Status

    results, target = context.results, context.target

    def after_call(ctx: Any, case: Any, response: Any) -> None:
        results.requests += 1
        observe(context, case.operation.label, response)

    def after_validate(ctx: Any, case: Any, response: Any, results_: list[Any]) -> None:
        request = response.request
        curl = _curl(target, request)
        sent_key = bool(target.api_key) and target.api_key in str(request.headers.get("Authorization", ""))
        operation = results.operations.get(case.operation.label)
        for result in results_:
            if operation is not None:
                operation.checks_run.add(result.name)
            if result.status == Status.FAILURE and result.failure is not None:
                evidence = Evidence(result.name, response.status_code, sent_key, curl)
                evidence.sent = (case.body, case.query, case.path_parameters)  # for by-value triage
                if context.allure:
                    from conformance.allure_labels import describe_request, describe_response

                    evidence.request = describe_request(request, target)
                    evidence.response = describe_response(response, target)
                results.record_evidence(case.operation.label, result.failure, evidence)

    context.schema.hook(after_call)
    context.schema.hook(after_validate)


def observe(context: RunContext, label: str, response: Any) -> None:
    """Status code and documented properties of one answer, for the matrix's coverage."""
    result = context.results.operations.get(label)
    operation = context.operations.get(label)
    if result is None or operation is None:
        return
    result.observed_statuses[response.status_code] += 1
    if b"{" not in response.content[:64]:
        return
    try:
        import orjson

        body = orjson.loads(response.content)
    except ValueError:
        return
    result.properties_seen |= context.coverage().seen(operation, response.status_code, body)


def _curl(target: Target, request: Any) -> str:
    from conformance.target import curl_command

    return curl_command(request.method, request.url, dict(request.headers), request.body, target.api_key)


# --- collection and results -----------------------------------------------------------------------


def _label(item: pytest.Item) -> str | None:
    label = getattr(item, "operation_label", None)
    marker = item.get_closest_marker(OPERATION_MARK)  # the pagination and lifecycle tests
    if label is None and marker is not None and marker.args:
        label = marker.args[0]
    if _ACTIVE is None or not isinstance(label, str) or label not in _ACTIVE.operation_ids:
        return None
    return label


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _ACTIVE is None:
        return
    for item in items:
        label = _label(item)
        if label is None:
            continue
        if getattr(item, "originalname", None) == TEST_NAME:
            item.operation_label = label  # type: ignore[attr-defined]  # the operation's own test
        method, path = label.split(" ", 1)
        if label not in _ACTIVE.results.operations:  # several tests may concern one operation
            _ACTIVE.results.operations[label] = OperationResult(_ACTIVE.operation_ids[label], method, path)
        if not _ACTIVE.target.may_send(method):
            item.add_marker(pytest.mark.skip(reason=_ACTIVE.target.refusal(method)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    label = _label(item)
    if label is not None and _ACTIVE is not None:
        counts = {k: len(op.failures) for k, op in _ACTIVE.results.operations.items()} if _ACTIVE.allure else {}
        record(_ACTIVE, label, report, call, primary=getattr(item, "operation_label", None) == label)
        if _ACTIVE.allure:
            _annotate(_ACTIVE, item, label, report, call, counts)
    return report


def _annotate(
    context: RunContext,
    item: pytest.Item,
    label: str,
    report: pytest.TestReport,
    call: pytest.CallInfo[None],
    counts: dict[str, int],
) -> None:
    """Allure labels of this test, and its own failures (those `record` just added)."""
    from conformance.allure_labels import annotate_result, annotate_setup

    if report.when == "setup":
        kind = getattr(item, "originalname", item.name).removeprefix("test_")
        annotate_setup(context, label, None if kind == "operation" else kind)
    if report.when == "call" or (report.when == "setup" and not report.passed):
        added = [f for k, op in context.results.operations.items() for f in op.failures[counts.get(k, 0) :]]
        leaves = list(_leaves(call.excinfo.value)) if call.excinfo is not None else []
        annotate_result(context, label, added, leaves)


def record(
    context: RunContext, label: str, report: pytest.TestReport, call: pytest.CallInfo[None], *, primary: bool = True
) -> None:
    """Fold one pytest report phase into the operation's result. A test other than the
    operation's own (`primary`: pagination, lifecycle) never marks it skipped, and files each
    failure under the operation the failure names (a lifecycle concerns several)."""
    result = context.results.operations.get(label)
    if result is None:
        return
    if primary and (report.when == "call" or report.skipped):
        context.results.ran.add(label)  # its own test got to run (or to its verdict of skipped)
    if report.skipped and not primary:
        return
    if report.skipped:
        result.status = "skipped"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr or "")
        result.reason = context.target.redact(one_line(reason.removeprefix("Skipped: ")))
        return
    if not report.failed or call.excinfo is None:
        return
    from schemathesis.core.failures import Failure

    failed = False
    for exc in _leaves(call.excinfo.value):
        concerned = getattr(exc, "operation", None)
        if isinstance(exc, Failure) and not primary and concerned in context.results.operations:
            context.results.operations[concerned].failures.append(_failure_record(context, concerned, exc))
            context.results.operations[concerned].status = "failed"
        elif isinstance(exc, Failure):
            failed = True
            result.failures.append(_failure_record(context, label, exc))
        else:
            message = context.target.redact(
                one_line(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            )
            check = transport_check(exc)
            result.failures.append(FailureRecord(check, classify(check, error=exc), message, None))
    if failed or any(not isinstance(exc, Failure) for exc in _leaves(call.excinfo.value)):
        result.status = "failed" if failed or result.status == "failed" else "errored"


def _failure_record(context: RunContext, label: str, failure: Any) -> FailureRecord:
    evidence = context.results.evidence_for(label, failure)
    checks = type(failure).checks
    check = evidence.check if evidence else (checks[0] if checks else type(failure).__name__)
    message = f"{failure.title}: {failure.message}" if failure.message else failure.title
    classification = classify(check, evidence.status_code, evidence.sent_key) if evidence else classify(check)
    if classification == SERVER:
        # The spec's own contradictions at this operation make it the spec's failure.
        status = evidence.status_code if evidence else None
        operation = context.operations.get(label)
        sent = evidence.sent if evidence else None
        classification = context.triage().classify(operation, check, message, status, failure=failure, sent=sent)
    return FailureRecord(
        check=check,
        classification=classification,
        message=context.target.redact(one_line(message)),
        curl=evidence.curl if evidence else None,
    )


def transport_check(exc: BaseException) -> str:
    """The name a transport error is reported under: a timeout or a dropped connection on one
    operation, after preflight reached the target, is that operation's misbehaviour."""
    import requests

    chain = [exc, exc.__cause__, exc.__context__]
    if any(isinstance(e, requests.Timeout) for e in chain):
        return "request_timeout"
    if any(isinstance(e, (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)) for e in chain):
        return "connection_error"
    return "request"


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    """The individual exceptions of (nested) exception groups: hypothesis reports several
    distinct bugs as a group, schemathesis several check failures as a FailureGroup."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    worker = getattr(session.config, "workerinput", None)
    if _ACTIVE is not None and worker is not None:  # an xdist worker (--workers): its share, for the controller
        if _ACTIVE.report_dir is not None:
            from conformance.workers import part_path, write_part

            write_part(_ACTIVE.results, part_path(_ACTIVE.report_dir, worker["workerid"]))
        return
    if _ACTIVE is not None and _ACTIVE.report_dir is not None and session.config.pluginmanager.hasplugin("dsession"):
        from conformance.workers import merge_parts

        merge_parts(_ACTIVE.results, _ACTIVE.report_dir)
    if _ACTIVE is not None and exitstatus == pytest.ExitCode.INTERRUPTED:
        _ACTIVE.results.mark_interrupted()  # Ctrl-C: keep what was gathered, say what was not run
    if _ACTIVE is not None and _ACTIVE.report_dir is not None:
        _ACTIVE.results.write(_ACTIVE.report_dir)
        from conformance.artifacts import write_all

        allure_dir = session.config.getoption("allure_report_dir", None)
        write_all(_ACTIVE, _ACTIVE.report_dir, _ACTIVE.previous, Path(allure_dir) if allure_dir else None)
