"""`telnyx-conformance run` and `report`: the conformance run against a target, and the
Allure HTML of its results."""

import argparse
import re
import sys
from pathlib import Path


def add_commands(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run", help="contract-test a target (default: the embedded reference server) with schemathesis"
    )
    run_options(run)
    run.set_defaults(handler=run_command)

    report = commands.add_parser("report", help="render the Allure HTML report of a run (Allure 3, needs Node.js)")
    report.add_argument("--report-dir", default="reports", metavar="DIR", help="a run's report dir (default: reports)")
    report.add_argument("--output", metavar="DIR", help="where the HTML goes (default: DIR/allure-report)")
    report.set_defaults(handler=report_command)


def run_options(run: argparse.ArgumentParser) -> None:
    run.add_argument("--base-url", metavar="URL", help="API under test (default: start the embedded reference server)")
    run.add_argument(
        "--api-key", metavar="KEY", help="bearer token (default: $TELNYX_API_KEY; random for the embedded server)"
    )
    run.add_argument(
        "--spec", metavar="PATH", help="spec file (default: $TELNYX_SPEC, ../shared/spec/telnyx.yml, cache)"
    )
    run.add_argument("--allow-unpinned", action="store_true", help="accept a spec other than the pinned one (warns)")
    run.add_argument("--include-tag", action="append", default=[], metavar="T", help="only operations tagged T")
    run.add_argument("--exclude-tag", action="append", default=[], metavar="T", help="leave out operations tagged T")
    run.add_argument("--include-operation-id", action="append", default=[], metavar="ID", help="only this operation")
    run.add_argument(
        "--max-examples", type=_positive_int, default=10, metavar="N", help="cases per operation and phase"
    )
    run.add_argument(
        "--max-pages", type=_positive_int, default=5, metavar="N", help="pages walked per list (default: 5)"
    )
    run.add_argument("--seed", type=int, default=None, metavar="N", help="generation seed (default: random, printed)")
    run.add_argument("--allow-writes", action="store_true", help="send writes to a target that is not loopback")
    run.add_argument("--read-only", action="store_true", help="send only GET/HEAD/OPTIONS")
    run.add_argument("--timeout", type=float, default=10.0, metavar="S", help="per-request timeout (default: 10)")
    run.add_argument("--report-dir", default="reports", metavar="DIR", help="where the reports go (default: reports)")
    run.add_argument(
        "--workers", type=_positive_int, default=1, metavar="N", help="run operations in N processes (default: 1)"
    )
    run.add_argument("--rate-limit", type=_pace, metavar="N/s", help="send at most N requests per second (or N/m, N/h)")
    run.add_argument(
        "--last-failed", action="store_true", help="rerun only what failed in the report dir's last run, with its seed"
    )
    run.add_argument(
        "--fail-on",
        choices=("server", "spec", "drift", "any"),
        default="server",
        help="failure classes that exit 1 (drift: a --client run's)",
    )
    run.add_argument(
        "--client",
        metavar="CLIENT_SPEC",
        help="an old client's spec (Swagger 2.0 or OpenAPI 3.x): send its requests, judge by what it reads; "
        "its operations gone from the spec are reported, not sent (docs/diff.md)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress line or per-test output, only the verdict")
    run.add_argument("--compare", metavar="DIR", help="a previous run's report dir: the matrix shows what changed")
    run.add_argument(
        "--scenarios",
        action="append",
        default=[],
        metavar="DIR",
        help="also run the scenario files of DIR (a file also works; repeatable; see docs/scenarios.md)",
    )
    run.add_argument("--no-scenarios", action="store_true", help="run no scenario, not even the built-in ones")
    run.add_argument(
        "--stateful",
        action="store_true",
        help="also run schemathesis' stateful phase over the links it infers (off by default: see docs/scenarios.md)",
    )
    run.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        help="run part K of N of the selection (default: $TELNYX_SHARD, GitLab's CI_NODE_INDEX/CI_NODE_TOTAL, "
        "a Kubernetes Indexed Job's JOB_COMPLETION_INDEX with $TELNYX_SHARD_TOTAL); see docs/scale-out.md",
    )
    run.add_argument(
        "--durations", metavar="FILE", help="a previous run's durations.json (or its report dir): shards packed by time"
    )
    run.add_argument(
        "--rate-limit-scope",
        choices=("total", "shard"),
        default="total",
        help="--rate-limit is the total of all shards (each gets 1/N, the default) or each shard's own",
    )
    _webhook_options(run)


def _webhook_options(run: argparse.ArgumentParser) -> None:
    """`run --webhooks` and its settings, a group of their own in --help."""
    group = run.add_argument_group("webhooks (docs/webhooks.md)")
    group.add_argument(
        "--webhooks",
        action="store_true",
        help="receive the target's webhooks on a loopback sink, point created resources at it, judge each "
        "delivery (docs/webhooks.md)",
    )
    group.add_argument(
        "--webhook-public-url", metavar="URL", help="--webhooks: where a remote target reaches the sink (a tunnel)"
    )
    group.add_argument(
        "--webhook-public-key", metavar="FILE", help="--webhooks with --base-url: the target's webhook public key"
    )
    group.add_argument(
        "--webhook-port", type=int, default=0, metavar="P", help="--webhooks: the sink's port (default: a free one)"
    )
    group.add_argument(
        "--webhook-grace",
        type=_grace,
        default=10.0,
        metavar="S",
        help="--webhooks: wait at most S seconds after the tests for late deliveries (default: 10)",
    )


def _pace(text: str) -> str:
    """`run --rate-limit`: schemathesis' N/s, N/m, N/h or N/d."""
    if not re.fullmatch(r"[1-9][0-9]*/[smhd]", text):
        raise argparse.ArgumentTypeError(f"expected N/s, N/m, N/h or N/d, got {text!r}")
    return text


def _shard(text: str) -> str:
    """`run --shard`: K/N with 1 <= K <= N."""
    from conformance.run.shards import ShardError, parse_shard

    try:
        parse_shard(text)
    except ShardError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--shard ")) from None
    return text


def _grace(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 600:
        raise argparse.ArgumentTypeError("want 0 to 600 seconds")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run_command(args: argparse.Namespace) -> int:
    from conformance.run.runner import RunError, RunOptions, run

    options = RunOptions(
        base_url=args.base_url,
        api_key=args.api_key,
        spec=args.spec,
        allow_unpinned=args.allow_unpinned,
        include_tags=args.include_tag,
        exclude_tags=args.exclude_tag,
        operation_ids=args.include_operation_id,
        max_examples=args.max_examples,
        max_pages=args.max_pages,
        seed=args.seed,
        allow_writes=args.allow_writes,
        read_only=args.read_only,
        timeout=args.timeout,
        report_dir=args.report_dir,
        fail_on=args.fail_on,
        rate_limit=args.rate_limit,
        workers=args.workers,
        last_failed=args.last_failed,
        quiet=args.quiet,
        compare=args.compare,
        shard=args.shard,
        durations=args.durations,
        rate_limit_scope=args.rate_limit_scope,
        webhooks=args.webhooks,
        webhook_public_url=args.webhook_public_url,
        webhook_public_key=args.webhook_public_key,
        webhook_port=args.webhook_port,
        webhook_grace=args.webhook_grace,
        client=args.client,
        scenarios=args.scenarios,
        no_scenarios=args.no_scenarios,
        stateful=args.stateful,
    )
    try:
        return run(options)
    except RunError as exc:
        print(f"telnyx-conformance: error: {exc}", file=sys.stderr)
        return exc.code


def report_command(args: argparse.Namespace) -> int:
    from conformance.reporting.allure_html import render_report

    return render_report(Path(args.report_dir), Path(args.output) if args.output else None)
