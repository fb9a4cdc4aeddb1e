"""`telnyx-conformance run`: pick (or start) a target, check it is usable, run the pytest
tests of `conformance/suite/` in process, and turn the summary into an exit code.

The parts: `options` (what was asked), `embedded` (the reference server when no --base-url),
`preflight` (is the target usable), `session` (the pytest session in process), `verdict`
(the last lines and the exit code).
"""

import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from conformance.run.context import ENV_KEY
from conformance.run.embedded import embedded_server
from conformance.run.options import (
    EXIT_FAILURES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TARGET,
    EXIT_USAGE,
    RunError,
    RunOptions,
)
from conformance.run.session import run_pytest
from conformance.run.verdict import verdict
from conformance.target import Target, TargetError, parse_base_url

__all__ = ["RunError", "RunOptions", "last_failed", "run"]


def run(options: RunOptions) -> int:
    from spec.load import load_spec

    spec = load_spec(options.spec, allow_unpinned=options.allow_unpinned)
    index = spec.index()
    known = {op.operation_id for op in index.operations}
    if options.client:  # read before any server starts: a bad client spec is one line, exit 2
        from conformance.run.client import load_client

        known = set(load_client(options.client, spec, index).operation_ids.values())
    _check_operation_ids(options.operation_ids, known, "the client's spec" if options.client else "the spec")
    _check_scenarios(options, index)
    if options.last_failed:
        options.labels, previous_seed = last_failed(options.report_dir)
        if not options.labels:
            print(f"nothing failed in the last run in {options.report_dir}: nothing to rerun")
            return EXIT_OK
        if options.seed is None:
            options.seed = previous_seed
    _resolve_shard(options)
    api_key = options.api_key or os.environ.get(ENV_KEY) or (None if options.base_url else secrets.token_urlsafe(24))
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    with contextlib.ExitStack() as stack:
        # (the index only when the sink needs it: a generator's frame holds its arguments until it ends)
        hooks = stack.enter_context(_webhooks(options, index if options.webhooks else None))
        base_url = stack.enter_context(
            _target_url(options, spec.path, api_key or "", seed, hooks.private_key_file if hooks else None)
        )
        target = Target(
            base_url=base_url,
            api_key=api_key or "",
            allow_writes=options.allow_writes,
            read_only=options.read_only,
            timeout=options.timeout,
        )
        for warning in _preflight(target, index):
            print(f"telnyx-conformance: warning: {target.redact(warning)}", file=sys.stderr)
        # The session loads the spec and builds its index anew: ours would stay alive beside
        # its copy for the whole session (what the webhooks sink needs of it, it holds).
        spec_path, spec, index = spec.path, None, None
        print(f"seed: {seed}" + (f", shard {options.shard}" if options.shard is not None else ""), flush=True)
        summary = run_pytest(options, target, spec_path, seed, hooks.url if hooks else None)
        failing = _finish_webhooks(hooks, options) if hooks and not summary.get("interrupted") else 0
    code = verdict(summary, options.fail_on, target, options.report_dir)
    if summary.get("interrupted"):
        print(f"telnyx-conformance: interrupted; partial results in {options.report_dir}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAILURES if failing and code == EXIT_OK else code


@contextlib.contextmanager
def _webhooks(options: RunOptions, index: Any) -> Iterator[Any]:
    """run --webhooks: the sink (conformance/run/webhooks.py), else None; nothing changes without it."""
    if not options.webhooks:
        if options.webhook_public_url or options.webhook_public_key:
            raise RunError("--webhook-public-url and --webhook-public-key go with --webhooks", EXIT_USAGE)
        yield None
        return
    from conformance.run.webhooks import reachable, receiving

    reachable(options)
    with receiving(options, index) as found:
        yield found


def _finish_webhooks(hooks: Any, options: RunOptions) -> int:
    from conformance.run.webhooks import finish

    return finish(hooks, options.webhook_grace, Path(options.report_dir))


def last_failed(report_dir: str) -> tuple[list[str], int | None]:
    """ "METHOD /path" of every operation that failed or errored in the last run written to
    `report_dir` (its summary.json), and that run's seed, so the rerun replays the same cases;
    a usage error when there is no run to read."""
    path = Path(report_dir) / "summary.json"
    try:
        summary = orjson.loads(path.read_bytes())
        operations = summary["operations"]
        labels = [f"{op['method']} {op['path']}" for op in operations if op["status"] in ("failed", "errored")]
        seed = summary.get("seed") if isinstance(summary.get("seed"), int) else None
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
        reason = "not found" if isinstance(exc, FileNotFoundError) else "unreadable"
        raise RunError(f"--last-failed: no previous run to read ({path} {reason})", EXIT_USAGE) from None
    return labels, seed


def _resolve_shard(options: RunOptions) -> None:
    """`--shard K/N` or a CI engine's variables (conformance/run/shards.py); a shard needs the
    seed every other shard uses, or the merge would refuse it."""
    from conformance.run.shards import Shard, ShardError, resolve

    try:
        if not isinstance(options.shard, Shard):
            options.shard = resolve(options.shard, os.environ)
    except ShardError as exc:
        raise RunError(str(exc), EXIT_USAGE) from None
    if options.shard is not None and options.seed is None:
        raise RunError(
            f"--shard {options.shard}: give --seed, the same on every shard (the merge checks it)", EXIT_USAGE
        )


def _check_scenarios(options: RunOptions, index: Any) -> None:
    """Scenario files are read before any server starts: a bad one is a usage error (exit 2)."""
    from conformance.run.phases.scenarios import ScenarioError, scenarios_for

    try:
        scenarios_for(index, options.scenarios, builtin=not options.no_scenarios)
    except ScenarioError as exc:
        raise RunError(str(exc), EXIT_USAGE) from None


def _check_operation_ids(wanted: list[str], known: set[str | None], where: str = "the spec") -> None:
    from spec.errors import SpecError

    unknown = sorted(set(wanted) - known)
    if unknown:
        raise SpecError(f"--include-operation-id: no operation with id {', '.join(unknown)} in {where}")


@contextlib.contextmanager
def _target_url(
    options: RunOptions, spec_path: Path, api_key: str, seed: int, webhook_key: Path | None = None
) -> Iterator[str]:
    if options.base_url is not None:
        try:
            yield parse_base_url(options.base_url)
        except TargetError as exc:
            raise RunError(str(exc), EXIT_USAGE) from None
        return
    with embedded_server(
        spec_path, api_key, seed=seed, allow_unpinned=options.allow_unpinned, webhook_key=webhook_key
    ) as url:
        yield url


def _preflight(target: Target, index: Any) -> list[str]:
    """The other developer's preflight when present; a target it calls unusable ends the run (exit 3)."""
    try:
        from conformance.run.preflight import PreflightError, preflight
    except ImportError:
        return []
    try:
        return preflight(target, index)
    except PreflightError as exc:
        for warning in exc.warnings:  # what the target did that is hostile, before why it is unusable
            print(f"telnyx-conformance: warning: {target.redact(warning)}", file=sys.stderr)
        raise RunError(target.redact(str(exc)), EXIT_TARGET) from None
