"""The pytest plugin of the conformance run: its options, the run context it builds, and the
hooks that turn pytest's collection and reports into per-operation results.

Loaded in every pytest session (entry point `pytest11`), it stays inert until `--base-url` is
given, so the project's own test suite is unaffected. The test modules of `conformance/suite/`
read the context built here at import time: pytest_configure runs before collection.
"""

import os
import random
import re
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from conformance.reporting.results import OperationResult, Results
from conformance.run.context import ENV_KEY, OPERATION_MARK, RunContext, activate, active
from conformance.run.hooks import register_hooks
from conformance.run.record import record
from conformance.run.schema import build_schema
from conformance.run.transport_errors import leaves
from conformance.target import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, Target, TargetError, parse_base_url

TEST_NAME = "test_operation"
__all__ = ["ENV_KEY", "OPERATION_MARK", "active", "label_of"]


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
    group.addoption(
        "--shard",
        dest="telnyx_shard",
        default=None,
        metavar="K/N",
        help="run part K of N of the selection (default: $TELNYX_SHARD, CI_NODE_INDEX/TOTAL, JOB_COMPLETION_INDEX)",
    )
    group.addoption(
        "--webhook-url", default=None, metavar="URL", help="run --webhooks: name this URL in webhook URL fields"
    )
    group.addoption(
        "--client",
        dest="telnyx_client",
        default=None,
        metavar="CLIENT_SPEC",
        help="an old client's spec: send its operations as it does, judge by what it reads",
    )
    group.addoption(
        "--scenarios",
        dest="telnyx_scenarios",
        action="append",
        default=[],
        metavar="DIR",
        help="also run the scenario files of DIR (docs/scenarios.md)",
    )
    group.addoption("--no-scenarios", action="store_true", help="run no scenario, not even the built-in ones")
    group.addoption("--stateful", dest="telnyx_stateful", action="store_true", help="schemathesis' stateful phase")
    group.addoption(
        "--shard-durations", default=None, metavar="FILE", help="a previous run's durations.json: pack shards by time"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{OPERATION_MARK}(label): the operation a conformance test concerns")
    if config.getoption("base_url", None) is None:
        return
    from conformance.run.phases.scenarios import ScenarioError
    from spec.errors import SpecError

    try:
        context = build_context(config)
    except (SpecError, TargetError, ScenarioError) as exc:
        raise pytest.UsageError(str(exc)) from None
    activate(context)
    from conformance.target.transport import bound_sessionless_sends

    config.add_cleanup(bound_sessionless_sends(context.target.max_response_bytes, context.target.timeout))
    _configure_reports(config, context)
    _configure_shard(config, context)


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Allure's results, redacted and labelled (allure-pytest's logger exists by now)."""
    config, context = session.config, active()
    if context is not None and config.getoption("allure_report_dir", None):
        from conformance.reporting.allure import install_redacting_logger

        restore = install_redacting_logger(context.target)
        if restore is not None:
            context.allure = True
            config.add_cleanup(restore)


def _configure_reports(config: pytest.Config, context: RunContext) -> None:
    """The comparison base and the progress line (issue 6)."""
    compare = config.getoption("telnyx_compare", None)
    if compare:
        from conformance.reporting.artifacts import load_previous

        try:
            context.previous = (compare, load_previous(Path(compare)))
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
    if config.getoption("telnyx_progress", False):
        from conformance.reporting.progress import Progress

        config.pluginmanager.register(Progress(context, label_of), "telnyx_progress")


def _configure_shard(config: pytest.Config, context: RunContext) -> None:
    """`--shard K/N` (or a CI engine's variables): this shard's operations (conformance/run/shards.py)."""
    from conformance.run import shards
    from conformance.run.phases.pagination import selected_labels

    opt = config.getoption
    try:
        shard = shards.resolve(opt("telnyx_shard"), os.environ)
        if shard is None:
            return
        if opt("telnyx_seed") is None:
            raise shards.ShardError(f"--shard {shard}: give --seed, the same on every shard (the merge checks it)")
        choices = {
            "include_tags": opt("include_tag"),
            "exclude_tags": opt("exclude_tag"),
            "operation_ids": opt("include_operation_id"),
            "labels": opt("include_operation"),
            "max_examples": opt("max_examples"),
            "max_pages": opt("max_pages"),
            "read_only": opt("read_only"),
            **({"client": context.client.sha256} if context.client is not None else {}),  # shards of one client
        }
        context.shard = shards.plan(
            shard, selected_labels(context), context.operations, context.index, choices, opt("shard_durations")
        )
    except shards.ShardError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.hookimpl(tryfirst=True)
def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    """Ctrl-C: mark what was gathered as interrupted first, before pytest's own report of the
    interrupt (which can itself fail on an interrupted frame) gets a chance to stop the session."""
    context = active()
    if context is not None:
        context.results.mark_interrupted()


def pytest_unconfigure(config: pytest.Config) -> None:
    activate(None)


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
    from conformance.target.transport import BoundedSession

    if opt("rate_limit") is not None and not re.fullmatch(r"[1-9][0-9]*/[smhd]", opt("rate_limit")):
        raise TargetError(f"--rate-limit {opt('rate_limit')!r}: expected N/s, N/m, N/h or N/d")
    seed = opt("telnyx_seed")
    seed = random.randrange(2**31) if seed is None else seed
    loaded = load_spec(opt("telnyx_spec"), allow_unpinned=opt("allow_unpinned"))
    index = loaded.index()
    operations = {f"{op.method.upper()} {op.path}": op for op in index.operations}
    client = None
    if opt("telnyx_client"):  # the client's operations replace the spec's; each keeps the one it matched
        from conformance.run.client import load_client

        client = load_client(opt("telnyx_client"), loaded, index, target.base_url)
        operations = {label: matched.pinned for label, matched in client.matched.items()}
    schema = build_schema(
        client.data if client is not None else loaded.data,
        target,
        seed=seed,
        max_examples=opt("max_examples"),
        include_tags=opt("include_tag"),
        exclude_tags=opt("exclude_tag"),
        operation_ids=opt("include_operation_id"),
        labels=opt("include_operation"),
        rate_limit=opt("rate_limit"),
        stateful=opt("telnyx_stateful"),
    )
    results = Results(target=target, spec_sha256=loaded.sha256, seed=seed)
    context = RunContext(
        target=target,
        schema=schema,
        results=results,
        report_dir=Path(opt("report_dir")) if opt("report_dir") else None,
        operation_ids=client.operation_ids
        if client is not None
        else {k: op.operation_id for k, op in operations.items()},
        loaded=loaded,
        index=index,
        operations=operations,
        client=client,
        max_pages=opt("max_pages"),
        session=BoundedSession(target.max_response_bytes, target.timeout),
        webhook_url=opt("webhook_url"),
    )
    from conformance.run.phases.scenarios import scenarios_for

    context.scenarios = scenarios_for(index, opt("telnyx_scenarios"), builtin=not opt("no_scenarios"))
    from conformance.checks.knowledge import Knowledge, attach

    attach(schema, Knowledge(index, context.operations, target.max_response_bytes))  # what the checks read
    register_hooks(context)
    if client is not None:
        from conformance.run.client import report_gone

        selection = (opt("include_operation_id"), opt("include_operation"), opt("include_tag"), opt("exclude_tag"))
        report_gone(client, results, *selection)
    from conformance.run import id_feed
    from strategies.ids import IdPool

    id_feed.register(schema, IdPool(), index, context.operations)  # seen ids into later path parameters
    from conformance.run import wire_check

    wire_check.register(schema, index, context.operations, target.base_url)  # "invalid" only before serializing
    return context


# --- collection and results -----------------------------------------------------------------------


def label_of(item: pytest.Item) -> str | None:
    """The operation a collected test concerns ("METHOD /path"), None for any other test."""
    context = active()
    label = getattr(item, "operation_label", None)
    marker = item.get_closest_marker(OPERATION_MARK)  # the pagination and lifecycle tests
    if label is None and marker is not None and marker.args:
        label = marker.args[0]
    if context is None or not isinstance(label, str) or label not in context.operation_ids:
        return None
    return label


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    context = active()
    if context is None:
        return
    for item in items:
        label = label_of(item)
        if label is None:
            continue
        if getattr(item, "originalname", None) == TEST_NAME:
            item.operation_label = label  # type: ignore[attr-defined]  # the operation's own test
        method, path = label.split(" ", 1)
        if label not in context.results.operations:  # several tests may concern one operation
            context.results.operations[label] = OperationResult(context.operation_ids[label], method, path)
        if not context.target.may_send(method):
            item.add_marker(pytest.mark.skip(reason=context.target.refusal(method)))
    if context.shard is not None:  # every operation is registered above; this shard runs its own
        mine = context.shard.labels
        dropped = [item for item in items if label_of(item) not in mine and label_of(item) is not None]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [item for item in items if label_of(item) in mine or label_of(item) is None]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    """What each test of an operation costs, in seconds and requests (durations.json)."""
    context = active()
    label = label_of(item) if context is not None else None
    if context is None or label is None:
        return (yield)
    started, sent = time.perf_counter(), context.results.requests
    try:
        return (yield)
    finally:
        result = context.results.operations.get(label)
        if result is not None:
            result.cost["seconds"] += time.perf_counter() - started
            result.cost["requests"] += context.results.requests - sent


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    label, context = label_of(item), active()
    if label is not None and context is not None:
        # Failures are counted before `record` only where the new ones are read after it.
        needed = report.failed or context.allure
        counts = {k: len(op.failures) for k, op in context.results.operations.items()} if needed else {}
        record(context, label, report, call, primary=getattr(item, "operation_label", None) == label)
        if report.failed:
            added = [f for k, op in context.results.operations.items() for f in op.failures[counts.get(k, 0) :]]
            report.user_properties.append((CLASSES, sorted({f.classification for f in added})))
        if context.allure:
            _annotate(context, item, label, report, call, counts)
    return report


CLASSES = "telnyx_classes"  # a failed report's triage classes (user_properties survive xdist)
STATUS_WORDS = {  # pytest's category (its summary line's words), letter and verbose word per class
    "spec": ("with spec defects", "d", "SPEC DEFECTS"),
    "setup": ("with setup problems", "u", "SETUP PROBLEMS"),
    "drift": ("with client drift", "c", "CLIENT DRIFT"),
}


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    """A failed test whose failures are all the spec's (or setup's, or a client's drift) is
    counted in pytest's own lines under that name, not as `failed`: the target is judged by its
    `server` failures, and a run that found none must not read as failed (issue 15)."""
    if not report.failed:
        return None
    classes = next((value for name, value in report.user_properties if name == CLASSES), None)
    if classes and len(classes) == 1 and classes[0] in STATUS_WORDS:
        return STATUS_WORDS[classes[0]]
    return None


@pytest.hookimpl(trylast=True)
def pytest_exception_interact(node: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    """A conformance test's failure report, as what the target did: each failure's message
    (what the check saw, how to reproduce it) without the frames of schemathesis and of the
    suite, which say nothing about the target (schemathesis' own plugin prints them). An error
    that is not the target's (a bug of the suite) keeps its traceback."""
    if active() is None or label_of(node) is None or call.excinfo is None:
        return
    from conformance.run.transport_errors import failure_text

    text = failure_text(call.excinfo.value)
    if text is not None:
        report.longrepr = text


def _annotate(
    context: RunContext,
    item: pytest.Item,
    label: str,
    report: pytest.TestReport,
    call: pytest.CallInfo[None],
    counts: dict[str, int],
) -> None:
    """Allure labels of this test, and its own failures (those `record` just added)."""
    from conformance.reporting.allure import annotate_result, annotate_setup

    if report.when == "setup":
        kind = getattr(item, "originalname", item.name).removeprefix("test_")
        annotate_setup(context, label, None if kind == "operation" else kind)
    if report.when == "call" or (report.when == "setup" and not report.passed):
        added = [f for k, op in context.results.operations.items() for f in op.failures[counts.get(k, 0) :]]
        raised = list(leaves(call.excinfo.value)) if call.excinfo is not None else []
        annotate_result(context, label, added, raised)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    context = active()
    if context is None:
        return
    worker = getattr(session.config, "workerinput", None)
    if worker is not None:  # an xdist worker (--workers): its share, for the controller
        if context.report_dir is not None:
            from conformance.run.workers import part_path, write_part
            from conformance.target import hostility

            context.results.hostility = hostility.counts()
            write_part(context.results, part_path(context.report_dir, worker["workerid"]))
        return
    from conformance.target import hostility

    context.results.hostility = hostility.counts()  # this process's: the preflight's and its own run's
    if context.report_dir is not None and session.config.pluginmanager.hasplugin("dsession"):
        from conformance.run.workers import merge_parts

        merge_parts(context.results, context.report_dir)
    if exitstatus == pytest.ExitCode.INTERRUPTED:
        context.results.mark_interrupted()  # Ctrl-C: keep what was gathered, say what was not run
    if context.shard is not None:
        from conformance.run.shards import finish

        finish(context.results, context.report_dir, context.shard)  # its whole part, then its own operations
    if context.report_dir is not None:
        from conformance.reporting.artifacts import write_all
        from conformance.reporting.durations import write_durations
        from conformance.reporting.files import write_each

        allure_dir = session.config.getoption("allure_report_dir", None)
        context.write_errors = write_each(
            [
                ("summary.json", lambda: context.results.write(context.report_dir)),
                ("durations.json", lambda: write_durations(context.results, context.report_dir)),
            ]
        )
        context.write_errors += write_all(
            context, context.report_dir, context.previous, Path(allure_dir) if allure_dir else None
        )
