"""What hostile behaviour the target showed: one counter per kind, kept by the process.

The transport (`conformance/target/transport.py`), the send loop (`conformance/run/send.py`)
and the preflight note what they meet; the run puts the counts in `summary.json` as
`"hostility": {kind: count}` (only the kinds seen), and the preflight turns what it saw into
one warning line. Each kind counts exchanges (a request and its answer), not bytes:

- `hang`: no response head within the deadline (nothing, or headers / 1xx lines that never end);
- `slow_body`: the head came, the body did not finish within the deadline (dripped or stalled);
- `reset`: the connection dropped after the request (before or in the middle of the answer);
- `garbage`: the answer is not HTTP a client can read (no status line, a flood of headers);
- `oversized`: more body bytes on the wire than the run allows (cut at the limit);
- `decompression_bomb`: a small encoded body that decodes past the limit (decoding stopped there);
- `redirect_loop`: redirects still coming after the most the transport follows;
- `redirect_off_host`: a redirect to another host, never followed (the API key stays home);
- `rate_limited`: still answered 429 when the backoff budget of the call ran out.

The first detail noted of each kind ("Retry-After: 3600", the other host...) is kept for the
preflight's warning. The counter is thread-safe: a run sends from one thread, but nothing
here relies on it.
"""

import threading
from collections import Counter
from collections.abc import Mapping

HANG = "hang"
SLOW_BODY = "slow_body"
RESET = "reset"
GARBAGE = "garbage"
OVERSIZED = "oversized"
DECOMPRESSION_BOMB = "decompression_bomb"
REDIRECT_LOOP = "redirect_loop"
REDIRECT_OFF_HOST = "redirect_off_host"
RATE_LIMITED = "rate_limited"
KINDS = (
    HANG,
    SLOW_BODY,
    RESET,
    GARBAGE,
    OVERSIZED,
    DECOMPRESSION_BOMB,
    REDIRECT_LOOP,
    REDIRECT_OFF_HOST,
    RATE_LIMITED,
)


class Hostility:
    """Counts of each kind seen, and the first detail of each."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._details: dict[str, str] = {}
        self._lock = threading.Lock()

    def note(self, kind: str, detail: str | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown hostility kind {kind!r}")
        with self._lock:
            self._counts[kind] += 1
            if detail and kind not in self._details:
                self._details[kind] = detail

    def merge(self, counts: Mapping[str, int]) -> None:
        """Add another process's counts (an xdist worker's)."""
        with self._lock:
            for kind, count in counts.items():
                if kind in KINDS and count > 0:
                    self._counts[kind] += int(count)

    def counts(self) -> dict[str, int]:
        """The kinds seen, in `KINDS` order, with their counts (a plain dict, for JSON)."""
        with self._lock:
            return {kind: self._counts[kind] for kind in KINDS if self._counts[kind]}

    def detail(self, kind: str) -> str | None:
        with self._lock:
            return self._details.get(kind)

    def since(self, before: Mapping[str, int]) -> dict[str, int]:
        """What was noted after `before` (an earlier `counts()`)."""
        now = self.counts()
        return {kind: count - before.get(kind, 0) for kind, count in now.items() if count > before.get(kind, 0)}

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._details.clear()


RECORD = Hostility()  # the process's record: what the target showed this run


def note(kind: str, detail: str | None = None) -> None:
    RECORD.note(kind, detail)


def counts() -> dict[str, int]:
    """The process's hostility record as `{kind: count}` (only the kinds seen)."""
    return RECORD.counts()
