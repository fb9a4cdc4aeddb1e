"""The live progress line of a run in a terminal, and the summary table at its end.

`Progress` is a pytest plugin the conformance plugin registers under `--progress` (which
`telnyx-conformance run` passes only when stdout is a terminal and `--quiet` is not given):
operations done / total, failures so far by triage class, elapsed time and an ETA. `line` and
`summary_table` are pure, for tests.
"""

import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from conformance.triage import CLASSES


def eta(elapsed: float, done: int, total: int) -> float | None:
    """Seconds left at the pace so far; None before the first operation is done."""
    if done <= 0 or total <= done:
        return None if done <= 0 else 0.0
    return elapsed / done * (total - done)


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def line(done: int, total: int, classes: Mapping[str, int], elapsed: float) -> str:
    # `drift` only exists in a run with --client: shown once it is met, not as a 0 on every line
    shown = [cls for cls in CLASSES if cls != "drift" or classes.get(cls)]
    failures = " ".join(f"{cls} {classes.get(cls, 0)}" for cls in shown)
    return (
        f"{done}/{total} operations · failures: {failures} · elapsed {clock(elapsed)} · "
        f"ETA {clock(eta(elapsed, done, total))}"
    )


def summary_table(totals: Mapping[str, Any]) -> Any:
    """A rich Table of the run's totals (the summary.json `totals`)."""
    from rich.table import Table

    table = Table(title="Conformance run", show_header=True, header_style="bold")
    table.add_column("operations", justify="right")
    for name in ("passed", "failed", "errored", "skipped"):
        table.add_column(name, justify="right")
    table.add_column("requests", justify="right")
    for cls in CLASSES:
        table.add_column(f"{cls} failures", justify="right")
    classes = totals.get("by_classification", {})
    table.add_row(
        str(totals["operations"]),
        f"[green]{totals['passed']}[/]",
        f"[red]{totals['failed']}[/]" if totals["failed"] else "0",
        f"[yellow]{totals['errored']}[/]" if totals["errored"] else "0",
        str(totals["skipped"]),
        str(totals["requests"]),
        *(str(classes.get(cls, 0)) for cls in CLASSES),
    )
    return table


class Progress:
    """pytest hooks that drive a rich Live line; one operation is one test item."""

    def __init__(self, context: Any, label_of: Callable[[Any], str | None], stream: Any = None) -> None:
        from rich.console import Console

        self.context = context
        self.label_of_item = label_of  # the plugin's: which operation a collected test concerns
        self.console = Console(file=stream or sys.stdout, highlight=False)
        self.label_of: dict[str, str] = {}  # test node id -> "METHOD /path"
        self.pending: Counter[str] = Counter()  # operation -> its tests not yet finished
        self.total = 0
        self.done = 0
        self.started = time.monotonic()
        self.live: Any = None

    def classes(self) -> Counter[str]:
        return Counter(f.classification for op in self.context.results.operations.values() for f in op.failures)

    def current(self) -> str:
        return line(self.done, self.total, self.classes(), time.monotonic() - self.started)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """An operation may have several tests (its own, pagination, lifecycle): it is done when
        all of them are."""
        from rich.live import Live
        from rich.text import Text

        for item in session.items:
            label = self.label_of_item(item)
            if label is not None:
                self.label_of[item.nodeid] = label
                self.pending[label] += 1
        self.total = len(self.pending)
        self.started = time.monotonic()
        self.live = Live(Text(self.current()), console=self.console, refresh_per_second=4, transient=True)
        self.live.start()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        label = self.label_of.get(report.nodeid)
        if report.when == "teardown" and label is not None:
            self.pending[label] -= 1
            if self.pending[label] == 0:
                self.done += 1
        if self.live is not None:
            from rich.text import Text

            self.live.update(Text(self.current()))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
        self.console.print(summary_table(self.context.results.totals()))
