"""Spread a large secrets scan over worker processes; same hits, in the same order.

detect-secrets keeps its settings in module globals, so one process scans one thing at a
time: parallel work needs processes, one per CPU, each given an equal share of the copies in
their order. Each worker is `python -m` this module, started through pavedroad.proc (never a
fork of the gate, whose scanners run in threads), reading its share from a JSON file (through
a pipe, a job of many files would need writing while the worker starts) and printing its hits
as JSON. Starting one costs ~0.5 s (Python and detect-secrets), so only scans of at least
PARALLEL_BYTES are spread. The hits come back in order, plain hits first and allowlisted ones
after, exactly as one process lists them.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pavedroad import proc
from pavedroad.errors import ScannerError, ToolError

if TYPE_CHECKING:
    from pavedroad.scanners.secrets import Copy, Hit

NAME = "secrets"
PARALLEL_BYTES = 2_000_000
CHUNK_BYTES = 1_000_000  # the least worth one more process
Detect = Callable[[Path, Sequence["Copy"], float], list["Hit"]]


def workers_for(total_bytes: int) -> int:
    """Return how many processes a scan of this many bytes is worth (1: scan in this one)."""
    if total_bytes < PARALLEL_BYTES:
        return 1
    return max(1, min(cpus(), total_bytes // CHUNK_BYTES))


def cpus() -> int:
    """Return how many CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def chunks(copies: Sequence[Copy], sizes: Sequence[int], parts: int) -> list[list[Copy]]:
    """Cut the copies, in order, into at most `parts` runs of about equal size."""
    share = sum(sizes) / parts
    found: list[list[Copy]] = [[]]
    filled = 0
    for copy, size in zip(copies, sizes, strict=True):
        if found[-1] and filled + size / 2 > share * len(found) and len(found) < parts:
            found.append([])
        found[-1].append(copy)
        filled += size
    return found


def detect_spread(
    scratch: Path, copies: Sequence[Copy], deadline: float, detect: Detect
) -> list[Hit]:
    """Return detect(scratch, copies, deadline), computed by worker processes when it pays."""
    sizes = [(scratch / c.path).stat().st_size for c in copies]
    workers = workers_for(sum(sizes))
    if workers < 2:
        return detect(scratch, copies, deadline)
    with tempfile.TemporaryDirectory(prefix="pavedroad-secrets-jobs-") as folder:
        jobs = []
        for index, chunk in enumerate(chunks(copies, sizes, workers)):
            jobs.append((_job(Path(folder) / f"{index}.json", scratch, chunk), deadline))
        with cf.ThreadPoolExecutor(workers, thread_name_prefix="pavedroad-secrets") as pool:
            parts = list(pool.map(_run_worker, jobs))
    hits = [hit for part in parts for hit in part]
    return [h for h in hits if not h.allowlisted] + [h for h in hits if h.allowlisted]


def _job(path: Path, scratch: Path, chunk: Sequence[Copy]) -> Path:
    """Write one worker's share to path and return it."""
    copies = [dataclasses.asdict(c) for c in chunk]
    path.write_text(json.dumps({"scratch": str(scratch), "copies": copies}), encoding="utf-8")
    return path


def _run_worker(job: tuple[Path, float]) -> list[Hit]:
    """Scan one chunk in a worker process; ScannerError when it fails or runs out of time."""
    from pavedroad.scanners.secrets import Hit

    path, deadline = job
    left = deadline - time.monotonic()
    if left <= 0:
        raise ScannerError(NAME, "timed out before every file was scanned")
    # The deadline itself: the monotonic clock is the system's, and the worker's start-up
    # (~0.5 s of imports) counts against the scan's time like any other work.
    command = [sys.executable, "-m", __name__, str(path), repr(deadline)]
    try:
        done = proc.run(command, tool=NAME, timeout=left + 30)
    except ToolError as exc:
        raise ScannerError(NAME, f"a scanning process failed: {exc}") from None
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise ScannerError(NAME, f"a scanning process failed: {reason[0]}")
    return [Hit(**fields) for fields in json.loads(done.stdout)]


def _work(job: dict[str, Any], deadline: float) -> list[dict[str, Any]]:
    """Scan the job's copies in this process (the worker's side) and return the hits."""
    from pavedroad.scanners.secrets import _LOCK, Copy, detect

    copies = [Copy(**{**c, "line_map": tuple(c["line_map"])}) for c in job["copies"]]
    with _LOCK:
        hits = detect(Path(job["scratch"]), copies, deadline)
    return [dataclasses.asdict(h) for h in hits]


if __name__ == "__main__":  # a worker: the job file and the deadline as arguments
    try:
        job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
        print(json.dumps(_work(job, float(sys.argv[2]))))
    except ScannerError as error:
        sys.exit(error.reason)
