"""`telnyx-conformance audit` and `validate`: the spec audit, with file:line locations."""

import argparse
import sys
from pathlib import Path

from conformance.cli.common import EXIT_FINDINGS, EXIT_OK, emit, report_options, spec_options


def add_commands(commands: argparse._SubParsersAction) -> None:
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
    audit.set_defaults(handler=audit_command)
    validate.set_defaults(handler=validate_command)


def validate_command(args: argparse.Namespace) -> int:
    from spec.audit import UNRESOLVED_REF_RULE
    from spec.validate import STRUCTURAL_RULES

    args.select = [*STRUCTURAL_RULES, UNRESOLVED_REF_RULE]
    args.list_rules = False
    return audit_command(args)


def audit_command(args: argparse.Namespace) -> int:
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
            emit(orjson.dumps([r.as_dict() for r in rules], option=orjson.OPT_INDENT_2).decode() + "\n", args.output)
        else:
            width = max(len(r.id) for r in rules)
            emit(
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
    emit(renderer(args.format)(result), args.output)
    fail_on = args.fail_on or config.fail_on
    return EXIT_FINDINGS if result.fails(fail_on) else EXIT_OK
