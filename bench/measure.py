"""Run one command and measure it: wall time and the peak memory of its whole process tree.

Two memory figures, because a gate is several processes at once (paved, checkov, hadolint) and
checkov forks workers that share most of their pages:
- tree peak: the largest sum of proportional set size (PSS: shared pages split between the
  processes sharing them) over the process and all its descendants, sampled from /proc every
  20 ms (short-lived peaks between samples can be missed);
- largest process: the kernel's ru_maxrss from wait4, the peak resident memory of the single
  biggest process of the tree (exact, but blind to processes running side by side).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
INTERVAL = 0.02


@dataclass(frozen=True)
class Measurement:
    """What one command cost."""

    label: str
    wall: float
    tree_peak_kb: int
    largest_kb: int
    returncode: int


def measure(
    label: str,
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    stdout: Path,
) -> Measurement:
    """Run command to completion, sending its output to stdout (stderr beside it)."""
    with stdout.open("wb") as out, stdout.with_suffix(".stderr").open("wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(list(command), cwd=cwd, env=dict(env), stdout=out, stderr=err)
        sampler = _Sampler(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4 above
    return Measurement(label, wall, sampler.peak_kb, usage.ru_maxrss, child.returncode)


class _Sampler(threading.Thread):
    """Sample the resident memory of a process tree until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(INTERVAL):
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.pid))

    def stop(self) -> None:
        self._done.set()
        self.join()


def tree_rss_kb(root: int) -> int:
    """Return the proportional set size of root and its descendants, in KiB."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        todo += children.get(pid, [])
    return total


def _parents() -> list[tuple[int, int]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces; fields after its closing parenthesis do not.
            found.append((int(entry.name), int(stat.rsplit(")", 1)[1].split()[1])))
    return found


def _rss_kb(pid: int) -> int:
    """Return a process's PSS (its RSS where smaps_rollup is unavailable), in KiB."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0
