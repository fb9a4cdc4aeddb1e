"""Wall time and peak RSS: of one command (GNU time's %M, else wait4's rusage), or of a whole
process tree (each process's VmHWM, sampled over the tree's life)."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import BenchError

from harness.procs import kill_group

SAMPLE_INTERVAL_S = 0.5
GNU_TIME = Path("/usr/bin/time")  # its %M is the peak RSS of one child; os.wait4 is the fallback


# --- figures -------------------------------------------------------------------------------


def spread(values: Sequence[float]) -> tuple[float, float, float] | None:
    return (statistics.median(values), min(values), max(values)) if values else None


def median_or_none(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


# --- the process tree ------------------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """The process and its descendants: a server that forks workers is measured whole."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def vm_hwm_kb(pid: int) -> int | None:
    """VmHWM, the kernel's high-water mark of one process's resident memory."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s*(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else None


def peak_rss_kb(pid: int) -> int | None:
    """VmHWM summed over the process tree; None when no member has one."""
    peaks = [kb for kb in map(vm_hwm_kb, process_tree(pid)) if kb is not None]
    return sum(peaks) if peaks else None


class TreeSampler:
    """Keeps each process's VmHWM (the kernel's high-water mark) over the tree's life: a child
    that exits before the end is still counted with its own peak. The sum over processes is an
    upper bound of the tree's simultaneous peak (their peaks need not coincide)."""

    def __init__(self, root: int, interval: float = SAMPLE_INTERVAL_S) -> None:
        self.root, self.interval = root, interval
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        for pid in process_tree(self.root):
            hwm = vm_hwm_kb(pid)
            if hwm is not None:
                self.peaks[pid] = max(self.peaks.get(pid, 0), hwm)

    def note(self, pid: int, kb: int) -> None:
        """A peak known otherwise (wait4's ru_maxrss of the root, read after it exited)."""
        self.peaks[pid] = max(self.peaks.get(pid, 0), kb)

    @property
    def total_kb(self) -> int:
        return sum(self.peaks.values())


@dataclass
class Timed:
    code: int
    wall_s: float
    rss_kb: int
    stdout: Path
    stderr: Path


def run_timed(command: list[str], env: dict[str, str], work: Path, tag: str, timeout_s: float) -> Timed:
    """Run a command in its own process group, sampling its tree; SIGKILL the group past the timeout."""
    stdout, stderr = work / f"{tag}.out", work / f"{tag}.err"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                command, cwd=work, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True
            )
        except OSError as exc:
            raise BenchError(f"cannot start {command[0]}: {exc.strerror or exc}") from None
        timer = threading.Timer(timeout_s, lambda: kill_group(proc.pid))
        timer.start()
        try:
            with TreeSampler(proc.pid) as sampler:
                _, status, usage = os.wait4(proc.pid, 0)
                wall = time.perf_counter() - start
                proc.returncode = os.waitstatus_to_exitcode(status)
                sampler.note(proc.pid, usage.ru_maxrss)  # kB on Linux
        finally:
            timer.cancel()
            kill_group(proc.pid)  # a child left behind (never expected) must not outlive the run
    if wall >= timeout_s:
        raise BenchError(f"{Path(command[0]).name} ran past --timeout {timeout_s:g} s and was killed")
    return Timed(proc.returncode, wall, sampler.total_kb, stdout, stderr)


# --- one command -----------------------------------------------------------------------------


@dataclass
class Sample:
    wall_s: float
    rss_kb: int | None
    returncode: int


def run_measured(
    command: Sequence[str], *, cwd: Path, env: dict[str, str], stdout: Path, stderr: Path, timeout_s: float
) -> Sample:
    """Wall time and peak RSS of one child, its process group killed past `timeout_s`.

    RUSAGE_CHILDREN only ever grows (it is the max over all children so far), so it cannot give
    one run's peak: use GNU time's %M when installed, else the rusage that os.wait4 returns for
    this very child.
    """
    gnu_time = GNU_TIME
    rss_file = None
    full = list(command)
    if gnu_time.is_file() and os.access(gnu_time, os.X_OK):
        fd, name = tempfile.mkstemp(prefix="audit-bench-rss-")
        os.close(fd)
        rss_file = Path(name)
        full = [str(gnu_time), "-f", "%M", "-o", str(rss_file), *full]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        timer = threading.Timer(timeout_s, kill_group, (proc.pid,))
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss_kb: int | None = usage.ru_maxrss
    if rss_file is not None:
        rss_kb = _read_gnu_time(rss_file) or rss_kb
        rss_file.unlink(missing_ok=True)
    return Sample(wall, rss_kb, proc.returncode)


def _read_gnu_time(path: Path) -> int | None:
    """GNU time writes 'Command exited with non-zero status N' before the format: take the last line."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").split()
        return int(lines[-1]) if lines else None
    except (OSError, ValueError):
        return None
