"""`telnyx-conformance serve`: the embedded reference server on loopback."""

import argparse
import sys
from pathlib import Path
from typing import Any

from conformance.cli.common import EXIT_OK, emit, spec_options


def add_command(commands: argparse._SubParsersAction) -> None:
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
    serve.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        metavar="MS",
        help="wait MS milliseconds before every answer, as a remote API's round trip would (default: 0)",
    )
    serve.add_argument(
        "--webhook-private-key",
        metavar="FILE",
        help="sign the webhooks the server sends with this Ed25519 key (base64, as `webhooks keygen` writes it; "
        "default: a generated key, its public half printed on start)",
    )
    serve.add_argument(
        "--webhook-any-host",
        action="store_true",
        help="deliver webhooks to any host a request names (default: loopback URLs only)",
    )
    serve.set_defaults(handler=serve_command)


def serve_command(args: argparse.Namespace) -> int:
    import os

    import orjson

    from conformance.server.app import DEFAULT_TOKEN, ServerConfig
    from conformance.server.faults import CATALOGUE, parse_fault
    from spec.errors import SpecError

    if args.list_faults:
        if args.format == "json":
            emit(orjson.dumps([f.as_dict() for f in CATALOGUE], option=orjson.OPT_INDENT_2).decode() + "\n", None)
        else:
            width = max(len(f.name) for f in CATALOGUE)
            emit("".join(f"{f.name:<{width}}  {f.description}  [caught by {f.caught_by}]\n" for f in CATALOGUE), None)
        return EXIT_OK
    for fault in args.fault:
        try:
            parse_fault(fault)
        except ValueError as exc:
            raise SpecError(str(exc)) from None
    rate = _rate(args.rate_limit) if args.rate_limit else None
    token = args.token or os.environ.get("TELNYX_API_KEY") or DEFAULT_TOKEN
    if not 0 <= args.latency_ms <= 60_000:
        raise SpecError(f"--latency-ms {args.latency_ms:g}: expected 0 to 60000")
    key, generated = _webhook_key(args.webhook_private_key)
    config = ServerConfig(
        token=token,
        seed=args.seed,
        faults=frozenset(args.fault),
        rate_limit=rate,
        db=args.db,
        latency_ms=args.latency_ms,
        webhook_key=key,
        webhook_any_host=args.webhook_any_host,
    )
    from conformance.server.serve import bind, print_ready, run_loop, serve
    from conformance.server.webhooks.keys import encode_public
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

    def ready(url: str) -> None:
        print_ready(url)  # the first line: the run (and scripts) wait for it
        note = " (generated)" if generated else ""
        print(f"webhook public key: {encode_public(key.verify_key)}{note}", flush=True)

    run_loop(serve(index, config, sock, on_ready=ready))
    return EXIT_OK


def _webhook_key(path: str | None) -> tuple[Any, bool]:
    """The key the server signs its webhooks with, and whether it was generated (no file given).
    A bad file is one line naming it (exit 2), never its content."""
    from conformance.server.webhooks.keys import KeyFileError, new_key, read_private
    from spec.errors import SpecError

    if path is None:
        return new_key(), True
    try:
        return read_private(Path(path)), False
    except KeyFileError as exc:
        raise SpecError(str(exc).replace("--private-key", "--webhook-private-key", 1)) from None


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
