"""`telnyx-conformance`: the one command line of the suite.

Exit codes (all subcommands): 0 success / nothing at or above --fail-on; 1 findings or
failures at or above it; 2 usage error, unreadable or untrusted spec; 3 target unusable.
Bad input ends in one line on stderr, never a traceback.
"""

import argparse
import sys
from collections.abc import Sequence

from conformance.cli import audit, catalogue, diff, merge, run, serve, webhooks
from conformance.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_TARGET, EXIT_USAGE

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_TARGET", "EXIT_USAGE", "build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from conformance import __version__

    parser = _Parser(prog="telnyx-conformance", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    audit.add_commands(commands)
    diff.add_commands(commands)
    serve.add_command(commands)
    run.add_commands(commands)
    merge.add_command(commands)
    catalogue.add_command(commands)
    webhooks.add_command(commands)
    return parser


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
