"""Subprocesses run in their own process group: a timeout or Ctrl-C leaves nothing behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pavedroad import proc
from pavedroad.errors import ScannerError, ToolError

# A scanner stand-in that forks a worker (as checkov's multiprocessing does) and then hangs.
FORKING = textwrap.dedent(
    """\
    import subprocess, sys, time
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    open(sys.argv[1], "w").write(str(worker.pid))
    time.sleep(120)
    """
)


def _alive(pid: int) -> bool:
    """Return True while pid runs (a zombie is not running)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_gone(pid: int, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def _worker_pid(path: Path, seconds: float = 20.0) -> int:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if path.is_file() and path.read_text():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError("the stand-in did not start its worker")


def test_output_and_code_are_captured() -> None:
    done = proc.run([sys.executable, "-c", "print('out'); exit(3)"], tool="python")
    assert (done.returncode, done.stdout) == (3, "out\n")


def test_a_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "worker.pid"
    code = FORKING + "\n"
    started = time.monotonic()
    with pytest.raises(ToolError, match="timed out after 3s") as caught:
        proc.run([sys.executable, "-c", code, str(pid_file)], tool="stand-in", timeout=3)
    assert not isinstance(caught.value, ScannerError)  # only a scanner adapter says so
    assert time.monotonic() - started < 15
    worker = _worker_pid(pid_file)
    assert _wait_gone(worker), f"worker {worker} was orphaned"


def test_a_memory_limit_stops_a_runaway_process() -> None:
    hog = "b = bytearray(1 << 30); print('allocated')"
    done = proc.run([sys.executable, "-c", hog], tool="python", memory_limit=256 << 20)
    assert done.returncode != 0
    assert "MemoryError" in done.stderr
    assert "allocated" not in done.stdout
    within = proc.run([sys.executable, "-c", "print('ok')"], tool="python", memory_limit=1 << 30)
    assert within.stdout == "ok\n"


# proc.run in a scanner thread, as the gate runs it, then Ctrl-C in the main thread.
INTERRUPTED = textwrap.dedent(
    """\
    import concurrent.futures, sys, threading, time
    from pavedroad import proc
    code = open(sys.argv[1]).read()
    def scan():
        try:
            proc.run([sys.executable, "-c", code, sys.argv[2]], tool="stand-in", timeout=600)
        except BaseException as exc:
            print("scan ended:", type(exc).__name__, flush=True)
    if sys.argv[3] == "thread":
        threading.Thread(target=scan).start()
        time.sleep(600)
    elif sys.argv[3] == "pool":  # as the gate runs its scanners
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        try:
            pool.submit(scan).result()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    else:
        scan()
        raise KeyboardInterrupt
    """
)


@pytest.mark.parametrize("where", ["thread", "pool", "main"])
def test_ctrl_c_ends_the_scan_promptly(tmp_path: Path, where: str) -> None:
    (tmp_path / "forking.py").write_text(FORKING, encoding="utf-8")
    pid_file = tmp_path / "worker.pid"
    child = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED, str(tmp_path / "forking.py"), str(pid_file), where],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        worker = _worker_pid(pid_file)
        child.send_signal(signal.SIGINT)  # a terminal sends it to this group only
        started = time.monotonic()
        child.wait(timeout=20)
        assert time.monotonic() - started < 10
    finally:
        if child.poll() is None:
            child.kill()
        out, err = child.communicate()
    assert _wait_gone(worker), f"worker {worker} outlived Ctrl-C: {out} {err}"
    assert "scan ended: " in out


def test_large_input_reaches_a_child_that_starts_reading_late() -> None:
    """More input than a pipe holds still arrives when the child reads after the first wait."""
    script = "import sys, time; time.sleep(0.5); print(len(sys.stdin.read()))"
    done = proc.run([sys.executable, "-c", script], tool="t", stdin="x" * 2_000_000, timeout=30)
    assert done.returncode == 0 and done.stdout.strip() == "2000000"
