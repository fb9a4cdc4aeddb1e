"""`telnyx-conformance webhooks keygen | send | listen`: the signed-webhook contract, both ways.

`keygen` writes an Ed25519 key pair as the Telnyx portal shows it; `send` tests a consumer's
handler with correctly signed deliveries of every event and hostile variants of each; `listen`
tests a target's deliveries (a loopback receiver that checks each). Exit codes: 0 every verdict
holds, 1 one does not, 2 usage (a bad key file, URL or event name; one line on stderr).
"""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, spec_options

DEFAULT_REPORT_DIR = "reports/webhooks"


def add_command(commands: argparse._SubParsersAction) -> None:
    webhooks = commands.add_parser("webhooks", help="the signed-webhook contract: keygen, send, listen")
    sub = webhooks.add_subparsers(dest="webhooks_command", metavar="COMMAND", parser_class=type(webhooks))
    webhooks.set_defaults(handler=lambda args: _usage(webhooks))

    _add_keygen(sub)
    _add_send(sub)
    _add_listen(sub)


def _add_keygen(sub: argparse._SubParsersAction) -> None:
    keygen = sub.add_parser("keygen", help="write an Ed25519 key pair (public.key, private.key 0600)")
    keygen.add_argument("--out", required=True, metavar="DIR", help="folder to write public.key and private.key to")
    keygen.add_argument("--force", action="store_true", help="replace a key pair already there")
    keygen.set_defaults(handler=keygen_command)


def _add_send(sub: argparse._SubParsersAction) -> None:
    send = sub.add_parser("send", help="deliver signed and hostile webhooks to a consumer and judge its answers")
    spec_options(send)
    send.add_argument("--url", required=True, help="the consumer's webhook URL")
    send.add_argument("--private-key", required=True, metavar="FILE", help="base64 Ed25519 seed (keygen's private.key)")
    send.add_argument(
        "--event",
        action="append",
        default=[],
        metavar="TYPE",
        help="event_type, webhook name or operationId (repeatable; default: all)",
    )
    send.add_argument(
        "--max-examples", type=_positive_int, default=1, metavar="N", help="valid deliveries per event (default: 1)"
    )
    send.add_argument(
        "--timeout", type=_positive_float, default=2.0, metavar="S", help="deadline of one delivery (default: 2 s)"
    )
    send.add_argument(
        "--report-dir",
        default=DEFAULT_REPORT_DIR,
        metavar="DIR",
        help=f"where summary.json and junit.xml go (default: {DEFAULT_REPORT_DIR})",
    )
    send.set_defaults(handler=send_command)


def _add_listen(sub: argparse._SubParsersAction) -> None:
    listen = sub.add_parser("listen", help="receive a target's deliveries on loopback and check each")
    spec_options(listen)
    listen.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    listen.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one (default: 8765)")
    listen.add_argument(
        "--public-key", required=True, metavar="FILE", help="base64 Ed25519 public key (as the portal shows it)"
    )
    listen.add_argument(
        "--tolerance",
        type=_positive_float,
        default=300.0,
        metavar="S",
        help="accepted timestamp age, either way (default: 300 s)",
    )
    until = listen.add_mutually_exclusive_group()
    until.add_argument("--duration", type=_positive_float, metavar="S", help="stop after S seconds")
    until.add_argument("--count", type=_positive_int, metavar="N", help="stop after N deliveries")
    listen.add_argument(
        "--report-dir",
        default=DEFAULT_REPORT_DIR,
        metavar="DIR",
        help=f"where summary.json and junit.xml go (default: {DEFAULT_REPORT_DIR})",
    )
    listen.set_defaults(handler=listen_command)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text}")
    return value


def _fail(message: str) -> int:
    print(f"telnyx-conformance: error: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_USAGE


def keygen_command(args: argparse.Namespace) -> int:
    from conformance.server.webhooks.keys import KeyFileError, new_key, write_pair

    try:
        public, private = write_pair(Path(args.out), new_key(), force=args.force)
    except KeyFileError as exc:
        return _fail(str(exc))
    print(f"wrote {public} (give it to `webhooks listen --public-key`) and {private} (mode 0600, keep it secret)")
    return EXIT_OK


def _load(args: argparse.Namespace) -> Any:
    from spec.load import load_spec

    spec = load_spec(args.spec, allow_unpinned=args.allow_unpinned, use_cache=not args.no_cache)
    for warning in spec.warnings:
        print(f"telnyx-conformance: warning: {warning}", file=sys.stderr)
    return spec


def _url(text: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(text.strip())
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return None
    return text.strip() if parts.scheme in ("http", "https") and parts.hostname else None


def send_command(args: argparse.Namespace) -> int:
    from conformance.server.webhooks.catalogue import UnknownEvent, catalogue
    from conformance.server.webhooks.keys import KeyFileError, read_private
    from conformance.webhooks import send
    from conformance.webhooks.report import summary

    url = _url(args.url)
    if url is None:
        return _fail(f"--url must be an http(s) URL with a host, not {args.url!r}")
    try:
        key = read_private(Path(args.private_key))
    except KeyFileError as exc:
        return _fail(str(exc))
    spec = _load(args)
    index = spec.index()
    try:
        events = catalogue(index).select(args.event)
    except UnknownEvent as exc:
        return _fail(str(exc))
    plan = send.SendPlan(url, key, events, examples=args.max_examples, deadline=args.timeout)
    print(f"sending {len(events)} events x {len(plan.variants)} variants to {url}", flush=True)
    cases = send.run(index, plan, progress=_progress)
    document = summary("send", cases, spec_sha256=spec.sha256, url=url)
    return _finish(Path(args.report_dir), cases, document, "telnyx-conformance.webhooks.send")


def _progress(event: Any, cases: list[Any]) -> None:
    bad = [c for c in cases if not c.held]
    print(f"{'ok  ' if not bad else 'FAIL'} {event.name}: {len(cases) - len(bad)}/{len(cases)} hold", flush=True)
    for case in bad:
        print(f"     {case.case}: {case.verdict}: {case.reason}", flush=True)


def listen_command(args: argparse.Namespace) -> int:
    from conformance.server.webhooks.catalogue import catalogue
    from conformance.server.webhooks.keys import KeyFileError, read_public
    from conformance.webhooks import sink, verdicts
    from conformance.webhooks.checks import SinkContext
    from conformance.webhooks.report import summary

    try:
        key = read_public(Path(args.public_key))
    except KeyFileError as exc:
        return _fail(str(exc))
    spec = _load(args)
    index = spec.index()
    context = SinkContext(index, catalogue(index), key, args.tolerance)
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"telnyx-conformance: warning: listening on {args.host}, not loopback only", file=sys.stderr)
    stop = sink.Stop(count=args.count, duration=args.duration)
    try:
        log = sink.listen(context, args.host, args.port, stop, _ready, lambda r: _echo(verdicts.line(r)))
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    cases = verdicts.cases(log.records)
    document = summary(
        "listen", cases, spec_sha256=spec.sha256, received=log.total, deliveries=verdicts.deliveries(log.records)
    )
    if log.total == 0:
        print("no delivery received", flush=True)
        _finish(Path(args.report_dir), cases, document, "telnyx-conformance.webhooks.listen")
        return EXIT_FINDINGS
    if log.total > len(log.records):
        print(f"{log.total} deliveries, the first {len(log.records)} in the report; {log.failed} failed in all")
    code = _finish(Path(args.report_dir), cases, document, "telnyx-conformance.webhooks.listen")
    return EXIT_FINDINGS if log.failed else code


def _ready(url: str) -> None:
    _echo(f"listening on {url}")


def _echo(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _finish(report_dir: Path, cases: list[Any], document: dict[str, Any], suite: str) -> int:
    from conformance.reporting.files import atomic_write, write_each
    from conformance.webhooks.report import junit, render_summary, verdict_line

    writers: list[tuple[str, Callable[[], Any]]] = [
        ("summary.json", lambda: atomic_write(report_dir / "summary.json", render_summary(document))),
        ("junit.xml", lambda: atomic_write(report_dir / "junit.xml", junit(cases, suite))),
    ]
    errors = write_each(writers)
    print(verdict_line(cases) + f"; reports in {report_dir}", flush=True)
    return EXIT_FINDINGS if errors or not all(c.held for c in cases) else EXIT_OK
