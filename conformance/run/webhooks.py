"""`run --webhooks`: the run receives the target's webhooks and judges them.

Before the session: the sink of `webhooks listen` starts on loopback in a thread; the URL the
target is to deliver to is the sink's (a loopback target reaches it) or `--webhook-public-url`
(a tunnel to it, for a remote target); anything else is refused before a request is sent. The
embedded server signs with a key made here for this run (its private half in a 0600 file of a
private temporary folder, removed at the end; never printed), the sink verifies with its public
half; a remote target's public key is `--webhook-public-key`.

During the session: every positive request body of an operation that declares a webhook URL
field gets the URL (`point`), so the created resources' events come to the sink. Negative cases
are left alone: their invalid field may be the very one.

After it: a bounded grace period for late deliveries and retries (it ends early once none has
arrived for a while), then the verdicts per event type and check go into the reports
(`conformance.reporting.webhooks`) and into the exit code. Without --webhooks nothing here runs.
"""

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.run.options import EXIT_USAGE, RunError, RunOptions
from conformance.server.webhooks.triggers import URL_FIELDS
from conformance.target import is_loopback
from spec.index import Operation, SpecIndex
from spec.telnyx import flat_properties

QUIET = 2.0  # the grace period ends once no delivery arrived for this long


@dataclass
class Receiving:
    """The run's sink: where the target delivers, and the key file the embedded server signs with."""

    url: str  # what request bodies name
    sink: Any  # conformance.webhooks.sink.Running
    private_key_file: Path | None  # for the embedded server; None against --base-url


def reachable(options: RunOptions) -> None:
    """Refuse a --webhooks run whose target cannot reach a loopback sink and has no public URL."""
    if options.webhook_public_url is not None:
        parts = urlsplit(options.webhook_public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RunError(f"--webhook-public-url {options.webhook_public_url!r}: want an http(s) URL", EXIT_USAGE)
        return
    host = urlsplit(options.base_url).hostname if options.base_url else "127.0.0.1"
    if not is_loopback(host or ""):
        raise RunError(
            f"--webhooks: the target {host} cannot reach a sink on this machine's loopback; "
            "give --webhook-public-url URL (a tunnel to --webhook-port), or drop --webhooks",
            EXIT_USAGE,
        )
    if options.base_url and not options.webhook_public_key:
        raise RunError("--webhooks with --base-url: give --webhook-public-key FILE (the target's)", EXIT_USAGE)


@contextlib.contextmanager
def receiving(options: RunOptions, index: SpecIndex) -> Iterator[Receiving]:
    """The sink for the run, stopped on exit (the key file removed)."""
    from conformance.server.webhooks.catalogue import catalogue
    from conformance.server.webhooks.keys import KeyFileError, new_key, read_public, write_pair
    from conformance.webhooks import sink
    from conformance.webhooks.checks import SinkContext

    with tempfile.TemporaryDirectory(prefix="telnyx-conformance-webhooks-") as folder:
        private = None
        if options.webhook_public_key:
            try:
                verify_key = read_public(Path(options.webhook_public_key))
            except KeyFileError as exc:
                raise RunError(str(exc).replace("--public-key", "--webhook-public-key", 1), EXIT_USAGE) from None
        else:
            key = new_key()
            private = write_pair(Path(folder), key)[1]  # 0600 in a 0700 folder
            verify_key = key.verify_key
        try:
            running = sink.start(SinkContext(index, catalogue(index), verify_key), port=options.webhook_port)
        except OSError as exc:
            where = f"127.0.0.1:{options.webhook_port}"
            raise RunError(f"--webhooks: cannot listen on {where}: {exc.strerror or exc}", EXIT_USAGE) from None
        try:
            yield Receiving(options.webhook_public_url or running.url, running, private)
        finally:
            running.stop()


def finish(receiving: Receiving, grace: float, report_dir: Path) -> int:
    """Wait out the grace period, stop the sink, add its verdicts to the reports; the number of
    event type checks that did not hold (a report that could not be amended counts as one)."""
    from conformance.reporting.webhooks import add_to_reports, failing, headline, judged, section

    receiving.sink.settle(quiet=min(QUIET, grace), limit=grace)
    log = receiving.sink.stop()
    errors = add_to_reports(report_dir, log.records, log.total, receiving.url)
    found = judged(log.records)
    print(headline(section(log.total, receiving.url, found)), flush=True)
    for case in found:
        if not case.held:
            print(f"  {case.event} {case.case}: {case.reason}", flush=True)
    if not log.total:
        print("telnyx-conformance: warning: --webhooks: no webhook was delivered in this run")
    return failing(found) + len(errors)


def url_fields(index: SpecIndex, operation: Operation) -> tuple[str, ...]:
    """The webhook URL fields an operation's JSON body declares (memoized on the index)."""
    memo = index.memo.setdefault(f"{__name__}.url_fields", {})
    if operation.pointer not in memo:
        from spec.webhooks import json_media

        found: tuple[str, ...] = ()
        media = json_media(index, operation)
        if media is not None and isinstance(media[1].get("schema"), dict):
            pointer, schema = index.deref(f"{media[0]}/schema", media[1]["schema"])
            declared = flat_properties(index, pointer, schema)
            found = tuple(name for name in URL_FIELDS if name in declared)
        memo[operation.pointer] = found
    return memo[operation.pointer]


def point(case: Any, operation: Operation | None, index: SpecIndex, url: str | None) -> None:
    """Name `url` in every webhook URL field the body of a positive `case` may carry."""
    if url is None or operation is None or not isinstance(case.body, dict) or not _positive(case):
        return
    for name in url_fields(index, operation):
        case.body[name] = url


def _positive(case: Any) -> bool:
    from schemathesis.generation import GenerationMode

    meta = getattr(case, "meta", None)
    return meta is None or meta.generation.mode == GenerationMode.POSITIVE
