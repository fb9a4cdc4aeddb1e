"""`telnyx-conformance`: the one command line of the suite.

Exit codes (all subcommands): 0 success / nothing at or above --fail-on; 1 findings or
failures at or above it; 2 usage error, unreadable or untrusted spec; 3 target unusable.
Bad input ends in one line on stderr, never a traceback.
"""

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_TARGET = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from conformance import __version__
    from spec.output import FORMATS

    parser = _Parser(prog="telnyx-conformance", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def spec_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--spec",
            metavar="PATH",
            help="spec file (default: $TELNYX_SPEC, ../shared/spec/telnyx.yml, then the user cache)",
        )
        sub.add_argument(
            "--allow-unpinned",
            action="store_true",
            help="accept a spec whose sha256 differs from the pinned one (warns)",
        )
        sub.add_argument("--no-cache", action="store_true", help="parse the spec even if a cached parse exists")

    def report_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--format", choices=FORMATS, default="text")
        sub.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
        sub.add_argument(
            "--fail-on",
            choices=("error", "warning", "never"),
            default=None,
            help="lowest severity that makes the exit code 1 (default: error, or the config's)",
        )
        sub.add_argument("--baseline", metavar="FILE", help="only report findings not in this baseline")
        sub.add_argument("--write-baseline", metavar="FILE", help="record the current findings as a baseline")
        sub.add_argument(
            "--config",
            metavar="PYPROJECT",
            help="pyproject.toml with [tool.telnyx-conformance.audit] (default: nearest one)",
        )

    audit = commands.add_parser("audit", help="validate and lint the spec, with file:line locations")
    validate = commands.add_parser(
        "validate", help="structural validation only (openapi-spec-validator's verdicts, located)"
    )
    for sub in (audit, validate):
        spec_options(sub)
        report_options(sub)
    audit.add_argument(
        "--select", metavar="RULE", action="append", default=[], help="run only these rules (repeatable)"
    )
    audit.add_argument("--list-rules", action="store_true", help="print the rule catalogue and exit")
    audit.set_defaults(handler=_audit)
    validate.set_defaults(handler=_validate)

    serve = commands.add_parser("serve", help="run the embedded reference server (loopback by default)")
    spec_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4010, help="port to listen on; 0 picks a free one (default: 4010)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the generated data (default: 0)")
    serve.add_argument(
        "--fault", action="append", default=[], metavar="NAME[:OPID,...]", help="inject a fault (repeatable)"
    )
    serve.add_argument("--list-faults", action="store_true", help="print the fault catalogue and exit")
    serve.add_argument("--format", choices=("text", "json"), default="text", help="format of --list-faults")
    serve.add_argument("--db", default=":memory:", help="SQLite file for the server's state (default: in memory)")
    serve.add_argument(
        "--token",
        default=None,
        help="the accepted API key (default: $TELNYX_API_KEY, else " + '"telnyx-conformance-test-token")',
    )
    serve.add_argument("--rate-limit", metavar="N/s", help="answer 429 above N requests per second")
    serve.set_defaults(handler=_serve)

    run = commands.add_parser(
        "run", help="contract-test a target (default: the embedded reference server) with schemathesis"
    )
    run_options(run)
    run.set_defaults(handler=_run)

    report = commands.add_parser("report", help="render the Allure HTML report of a run (Allure 3, needs Node.js)")
    report.add_argument("--report-dir", default="reports", metavar="DIR", help="a run's report dir (default: reports)")
    report.add_argument("--output", metavar="DIR", help="where the HTML goes (default: DIR/allure-report)")
    report.set_defaults(handler=_report)
    return parser


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
        "--fail-on", choices=("server", "spec", "any"), default="server", help="failure classes that exit 1"
    )
    run.add_argument("--quiet", action="store_true", help="no progress line or per-test output, only the verdict")
    run.add_argument("--compare", metavar="DIR", help="a previous run's report dir: the matrix shows what changed")


def _pace(text: str) -> str:
    """`run --rate-limit`: schemathesis' N/s, N/m, N/h or N/d."""
    if not re.fullmatch(r"[1-9][0-9]*/[smhd]", text):
        raise argparse.ArgumentTypeError(f"expected N/s, N/m, N/h or N/d, got {text!r}")
    return text


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _run(args: argparse.Namespace) -> int:
    from conformance.run import RunError, RunOptions, run

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
    )
    try:
        return run(options)
    except RunError as exc:
        print(f"telnyx-conformance: error: {exc}", file=sys.stderr)
        return exc.code


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    from spec.errors import SpecError

    try:
        return args.handler(args)
    except SpecError as exc:
        print(f"telnyx-conformance: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("telnyx-conformance: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from conformance.report import render_report

    return render_report(Path(args.report_dir), Path(args.output) if args.output else None)


def _serve(args: argparse.Namespace) -> int:
    import os

    import orjson

    from conformance.server.app import DEFAULT_TOKEN, ServerConfig
    from conformance.server.faults import CATALOGUE, parse_fault
    from spec.errors import SpecError

    if args.list_faults:
        if args.format == "json":
            _emit(orjson.dumps([f.as_dict() for f in CATALOGUE], option=orjson.OPT_INDENT_2).decode() + "\n", None)
        else:
            width = max(len(f.name) for f in CATALOGUE)
            _emit("".join(f"{f.name:<{width}}  {f.description}  [caught by {f.caught_by}]\n" for f in CATALOGUE), None)
        return EXIT_OK
    for fault in args.fault:
        try:
            parse_fault(fault)
        except ValueError as exc:
            raise SpecError(str(exc)) from None
    rate = _rate(args.rate_limit) if args.rate_limit else None
    token = args.token or os.environ.get("TELNYX_API_KEY") or DEFAULT_TOKEN
    config = ServerConfig(token=token, seed=args.seed, faults=frozenset(args.fault), rate_limit=rate, db=args.db)
    from conformance.server.serve import bind, print_ready, run_loop, serve
    from spec.load import load_spec

    spec = load_spec(args.spec, allow_unpinned=args.allow_unpinned, use_cache=not args.no_cache)
    for warning in spec.warnings:
        print(f"telnyx-conformance: warning: {warning}", file=sys.stderr)
    index = spec.index()
    known_ids = {op.operation_id for op in index.operations}
    for fault in args.fault:
        unknown = sorted(parse_fault(fault)[1] - known_ids)
        if unknown:
            raise SpecError(f"--fault {fault}: no operation with id {', '.join(unknown)} in the spec")
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        raise SpecError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"telnyx-conformance: warning: listening on {args.host}, not loopback only", file=sys.stderr)
    run_loop(serve(index, config, sock, on_ready=print_ready))
    return EXIT_OK


def _rate(text: str) -> float:
    from spec.errors import SpecError

    number = text.strip().removesuffix("/s")
    try:
        value = float(number)
    except ValueError:
        raise SpecError(f"--rate-limit takes N/s (requests per second), not {text!r}") from None
    if value <= 0:
        raise SpecError("--rate-limit must be positive")
    return value


def _validate(args: argparse.Namespace) -> int:
    from spec.audit import UNRESOLVED_REF_RULE
    from spec.validate import STRUCTURAL_RULES

    args.select = [*STRUCTURAL_RULES, UNRESOLVED_REF_RULE]
    args.list_rules = False
    return _audit(args)


def _audit(args: argparse.Namespace) -> int:
    import orjson

    from spec.audit import run_audit
    from spec.baseline import read_baseline, write_baseline
    from spec.config import find_pyproject, load_config
    from spec.errors import SpecError
    from spec.load import load_spec
    from spec.output import renderer
    from spec.rules import all_rules

    rules = all_rules()
    if args.list_rules:
        if args.format == "json":
            _emit(orjson.dumps([r.as_dict() for r in rules], option=orjson.OPT_INDENT_2).decode() + "\n", args.output)
        else:
            width = max(len(r.id) for r in rules)
            _emit(
                "".join(
                    f"{r.id:<{width}}  {r.severity.label:<7}  {r.description}"
                    f"{'  [' + ', '.join(r.equivalents) + ']' if r.equivalents else ''}\n"
                    for r in rules
                ),
                args.output,
            )
        return EXIT_OK
    known = {r.id for r in rules}
    unknown = [s for s in args.select if s not in known]
    if unknown:
        raise SpecError(f"unknown rule id(s) for --select: {', '.join(unknown)}")
    if args.select:
        rules = [r for r in rules if r.id in set(args.select)]
    config_path = Path(args.config) if args.config else find_pyproject(Path.cwd())
    if args.config and not config_path.is_file():
        raise SpecError(f"config not found: {config_path}")
    config = load_config(config_path, known)
    baseline = read_baseline(Path(args.baseline)) if args.baseline else None
    spec = load_spec(args.spec, allow_unpinned=args.allow_unpinned, use_cache=not args.no_cache)
    for warning in spec.warnings:
        print(f"telnyx-conformance: warning: {warning}", file=sys.stderr)
    result = run_audit(spec, config, rules=rules, baseline=baseline)
    for problem in result.rule_errors:
        print(f"telnyx-conformance: internal error: {problem}", file=sys.stderr)
    if args.write_baseline:
        write_baseline(Path(args.write_baseline), result.findings, spec.sha256)
    _emit(renderer(args.format)(result), args.output)
    fail_on = args.fail_on or config.fail_on
    return EXIT_FINDINGS if result.fails(fail_on) else EXIT_OK


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from spec.errors import SpecError

    path = Path(output)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot write {path}: {exc.strerror or exc}") from None


if __name__ == "__main__":
    sys.exit(main())
