"""Options several subcommands share, and writing a command's output."""

import argparse
import sys
from pathlib import Path

from spec.output import FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_TARGET = 0, 1, 2, 3


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


def emit(text: str, output: str | None) -> None:
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
