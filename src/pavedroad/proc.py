"""The one place Paved Road starts subprocesses: captures command, code and output."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pavedroad.errors import ScannerError

# How often a waiting run checks whether Paved Road is being interrupted.
POLL_SECONDS = 0.2

# Caps the address space, then becomes the command. Not a preexec_fn: that is unsafe while
# other threads run (the gate runs its scanners in threads), and prlimit after the start races.
_LIMITED = """\
import os, resource, sys
limit, hard = int(sys.argv[1]), resource.getrlimit(resource.RLIMIT_AS)[1]
if hard != resource.RLIM_INFINITY:
    limit = min(limit, hard)
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
os.execv(sys.argv[2], sys.argv[2:])
"""


@dataclass(frozen=True)
class Completed:
    """A finished command with everything it said."""

    command: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class _Interrupted(Exception):
    """Paved Road is exiting (Ctrl-C) while this scan runs in a thread."""


def run(
    command: Sequence[str],
    *,
    tool: str,
    cwd: Path | None = None,
    timeout: float = 600.0,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    memory_limit: int | None = None,
) -> Completed:
    """Run a command in its own process group; ScannerError if it cannot start or times out."""
    full_env = {**os.environ, **(env or {})}
    child = _start(_argv(command, tool, full_env, memory_limit), tool, cwd, full_env, stdin)
    try:
        stdout, stderr = _communicate(child, stdin, timeout)
    except subprocess.TimeoutExpired:
        kill_group(child)
        raise ScannerError(tool, f"timed out after {timeout:.0f}s") from None
    except _Interrupted:
        kill_group(child)
        raise ScannerError(tool, "interrupted") from None
    except BaseException:  # Ctrl-C in the main thread: its own group never saw the signal
        kill_group(child)
        raise
    return Completed(tuple(command), child.returncode, stdout, stderr)


def _argv(
    command: Sequence[str], tool: str, env: Mapping[str, str], memory_limit: int | None
) -> list[str]:
    """Return the command, wrapped so that it starts under the memory limit when one is set."""
    if memory_limit is None:
        return list(command)
    exe = shutil.which(command[0], path=env.get("PATH"))
    if exe is None:
        raise ScannerError(tool, f"executable not found: {command[0]}")
    return [sys.executable, "-I", "-S", "-c", _LIMITED, str(memory_limit), exe, *command[1:]]


def _start(
    argv: list[str], tool: str, cwd: Path | None, env: Mapping[str, str], stdin: str | None
) -> subprocess.Popen[str]:
    """Start argv as the leader of a new session, so that its workers can be killed with it."""
    try:
        return subprocess.Popen(  # noqa: S603 - commands are built from fixed argument lists
            argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise ScannerError(tool, f"executable not found: {argv[0]} ({exc.strerror})") from exc
    except OSError as exc:
        raise ScannerError(tool, f"could not start {argv[0]}: {exc}") from exc


def _communicate(
    child: subprocess.Popen[str], stdin: str | None, timeout: float
) -> tuple[str, str]:
    """Collect the output in short waits, giving up at the deadline or when Paved Road exits."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            return child.communicate(stdin, timeout=max(0.0, min(POLL_SECONDS, left)))
        except subprocess.TimeoutExpired:
            stdin = None  # already handed over; communicate keeps what it has read
            if left <= POLL_SECONDS:
                raise
            if shutting_down():
                raise _Interrupted from None


def shutting_down() -> bool:
    """Return True once Paved Road is exiting: a scan still running in a thread must stop."""
    # Python joins the scanner threads at exit, after setting threading._SHUTTING_DOWN and
    # before it marks the main thread stopped; without this a Ctrl-C waits for every scan.
    if getattr(threading, "_SHUTTING_DOWN", False):
        return True
    return not threading.main_thread().is_alive()


def kill_group(child: subprocess.Popen[str]) -> None:
    """Kill the command and every process it started in its group, then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        child.kill()
    child.wait()
    for pipe in (child.stdout, child.stderr, child.stdin):
        if pipe is not None:
            pipe.close()


def spawn_detached(
    command: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> bool:
    """Start a background helper that outlives this process; return False if it cannot start."""
    try:
        subprocess.Popen(  # noqa: S603 - fixed argument list
            list(command),
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        return False
    return True
