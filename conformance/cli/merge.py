"""`telnyx-conformance merge DIR... --report-dir OUT`: the report dirs of a run's shards
(`run --shard K/N`) made into the one an unsharded run would have written; see docs/scale-out.md."""

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from conformance.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, spec_options


def add_command(commands: argparse._SubParsersAction) -> None:
    merge = commands.add_parser(
        "merge", help="merge the report dirs of a run's shards (run --shard K/N) into one report dir"
    )
    merge.add_argument("shards", nargs="+", metavar="DIR", help="the N shard report dirs, each once")
    merge.add_argument("--report-dir", required=True, metavar="OUT", help="where the merged reports go")
    spec_options(merge)
    merge.add_argument(
        "--fail-on",
        choices=("server", "spec", "drift", "any"),
        default="server",
        help="failure classes that exit 1 (drift: a --client run's)",
    )
    merge.add_argument("--compare", metavar="DIR", help="a previous run's report dir: the matrix shows what changed")
    merge.set_defaults(handler=merge_command)


def merge_command(args: argparse.Namespace) -> int:
    from conformance.reporting.artifacts import load_previous
    from conformance.reporting.merge import MergeError, merge
    from conformance.run.context import ENV_KEY
    from conformance.run.options import RunError
    from conformance.run.verdict import verdict
    from spec.load import load_spec

    try:
        previous = (args.compare, load_previous(Path(args.compare))) if args.compare else None
    except ValueError as exc:
        print(f"telnyx-conformance: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        loaded = load_spec(args.spec, allow_unpinned=args.allow_unpinned, use_cache=not args.no_cache)
        summary, errors = merge(
            [Path(d) for d in args.shards], Path(args.report_dir), loaded, os.environ.get(ENV_KEY, ""), previous
        )
    except MergeError as exc:
        print(f"telnyx-conformance: error: merge: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from conformance.target import Target

    target = Target(base_url=summary["target"]["base_url"], api_key=os.environ.get(ENV_KEY, ""))
    print(f"merged {len(args.shards)} shards into {args.report_dir}")
    try:
        code = verdict(summary, args.fail_on, target, args.report_dir)
    except RunError as exc:
        print(f"telnyx-conformance: error: {exc}", file=sys.stderr)
        return exc.code
    if errors:
        return EXIT_USAGE
    return EXIT_FINDINGS if code == EXIT_OK and _webhooks_failing(summary) else code


def _webhooks_failing(summary: dict[str, Any]) -> int:
    """Shards run with --webhooks: their folded section's headline, and its failing checks (they
    count in the exit code, as in the run)."""
    document = summary.get("webhooks")
    if not isinstance(document, dict):
        return 0
    from conformance.reporting.webhooks import failing_checks, headline

    print(headline(document), flush=True)
    return failing_checks(document)
