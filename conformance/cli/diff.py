"""`telnyx-conformance diff` and `drift`: breaking changes between two versions of a spec, and
a client's drift from one. Any version (Swagger 2.0, OpenAPI 3.0, 3.1), pinned or not."""

import argparse
import sys
from pathlib import Path

from conformance.cli.common import EXIT_FINDINGS, EXIT_OK, emit


def add_commands(commands: argparse._SubParsersAction) -> None:
    from spec.diff.changes import FAIL_ON
    from spec.diff.output import DIFF_FORMATS, DRIFT_FORMATS

    diff = commands.add_parser("diff", help="breaking and other changes from spec OLD to spec NEW")
    diff.add_argument("old", metavar="OLD", nargs="?", help="the old version (any Swagger 2.0 / OpenAPI 3.x file)")
    diff.add_argument("new", metavar="NEW", nargs="?", help="the new version")
    diff.add_argument("--format", choices=DIFF_FORMATS, default="text")
    diff.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="breaking",
        help="exit 1 when a change is at this level or above: breaking (default), any, never",
    )
    diff.add_argument("--baseline", metavar="FILE", help="only report changes not in this baseline")
    diff.add_argument("--write-baseline", metavar="FILE", help="record the current changes as a baseline")
    diff.add_argument("--list-rules", action="store_true", help="print the rule catalogue and exit")
    diff.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    diff.add_argument("--no-cache", action="store_true", help="parse both specs even if cached parses exist")
    diff.set_defaults(handler=diff_command)

    drift = commands.add_parser("drift", help="which operations of a client's spec still work against a spec")
    drift.add_argument("--client", metavar="CLIENT_SPEC", required=True, help="the spec the client was generated from")
    drift.add_argument(
        "--spec", metavar="NEW", help="the spec to check against (default: $TELNYX_SPEC, then the pinned one)"
    )
    drift.add_argument("--format", choices=DRIFT_FORMATS, default="text")
    drift.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    drift.add_argument("--no-cache", action="store_true", help="parse both specs even if cached parses exist")
    drift.set_defaults(handler=drift_command)


def list_rules(args: argparse.Namespace) -> int:
    import orjson

    from spec.diff.rules import all_rules

    rules = all_rules()
    if args.format == "json":
        text = orjson.dumps([r.as_dict() | {"rationale": r.rationale} for r in rules], option=orjson.OPT_INDENT_2)
        emit(text.decode() + "\n", args.output)
        return EXIT_OK
    width = max(len(r.id) for r in rules)
    emit("".join(f"{r.id:<{width}}  {r.level.label:<8}  {r.side:<9}  {r.description}\n" for r in rules), args.output)
    return EXIT_OK


def diff_command(args: argparse.Namespace) -> int:
    if args.list_rules:
        return list_rules(args)
    if not args.old or not args.new:
        from spec.errors import SpecError

        raise SpecError("diff needs two specs: telnyx-conformance diff OLD NEW")
    from spec.diff import diff_models
    from spec.diff.baseline import apply_baseline, read_baseline, write_baseline
    from spec.diff.output import renderer
    from spec.model.pair import load_pair

    known = read_baseline(Path(args.baseline)) if args.baseline else None
    old, new = load_pair(args.old, args.new, use_cache=not args.no_cache)
    result = diff_models(old, new)
    for model in (old, new):
        for duplicate in model.duplicates:
            print(
                f"telnyx-conformance: warning: {model.path.name}: {duplicate.label} has the template of an "
                "earlier operation; only the first is compared",
                file=sys.stderr,
            )
    if args.write_baseline:
        write_baseline(Path(args.write_baseline), result.changes)
    if known:
        apply_baseline(result, known)
    emit(renderer(args.format)(result), args.output)
    return EXIT_FINDINGS if result.fails(args.fail_on) else EXIT_OK


def drift_command(args: argparse.Namespace) -> int:
    from spec.diff.drift import drift
    from spec.diff.output import drift_renderer
    from spec.model.pair import load_pair

    client, spec = load_pair(args.client, args.spec, use_cache=not args.no_cache)
    emit(drift_renderer(args.format)(drift(client, spec)), args.output)
    return EXIT_OK
