"""The one place Paved Road starts subprocesses and runs git: captures command, code and output."""

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

from pavedroad.errors import ToolError

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


GIT = "git"
# Every git Paved Road runs, in a user's repository or in the catalog store, runs with these.
_GIT_ENV: Mapping[str, str] = {
    "GIT_TERMINAL_PROMPT": "0",  # never wait for a password nobody is there to type
    "GIT_OPTIONAL_LOCKS": "0",  # never take index.lock: two gates may run at once
    "LC_ALL": "C",  # the messages Paved Road reads and quotes are git's English ones
    "GIT_PAGER": "cat",
}
# A user's or a repository's config must not sign, run hooks or other commands, rename the
# default branch or quote the paths Paved Road reads behind its back.
_GIT_CONFIG = (
    "commit.gpgsign=false",
    "tag.gpgsign=false",
    f"core.hooksPath={os.devnull}",
    "core.fsmonitor=false",
    "init.defaultBranch=main",
    "advice.detachedHead=false",
    "core.quotePath=false",
)


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
    """Run a command in its own process group; ToolError if it cannot start or times out."""
    full_env = {**os.environ, **(env or {})}
    child = _start(_argv(command, tool, full_env, memory_limit), tool, cwd, full_env, stdin)
    try:
        stdout, stderr = _communicate(child, stdin, timeout)
    except subprocess.TimeoutExpired:
        kill_group(child)
        raise ToolError(tool, f"timed out after {timeout:.0f}s") from None
    except _Interrupted:
        kill_group(child)
        raise ToolError(tool, "interrupted") from None
    except BaseException:  # Ctrl-C in the main thread: its own group never saw the signal
        kill_group(child)
        raise
    return Completed(tuple(command), child.returncode, stdout, stderr)


def git(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 600.0,
) -> Completed:
    """Run git with Paved Road's settings (the one git runner); ToolError if it cannot run."""
    config = [part for setting in _GIT_CONFIG for part in ("-c", setting)]
    return run(
        [GIT, *config, *args],
        tool=GIT,
        cwd=cwd,
        timeout=timeout,
        env={**(env or {}), **_GIT_ENV},  # a caller adds settings, never undoes these
        stdin=stdin,
    )


def _argv(
    command: Sequence[str], tool: str, env: Mapping[str, str], memory_limit: int | None
) -> list[str]:
    """Return the command, wrapped so that it starts under the memory limit when one is set."""
    if memory_limit is None:
        return list(command)
    exe = shutil.which(command[0], path=env.get("PATH"))
    if exe is None:
        raise ToolError(tool, f"executable not found: {command[0]}")
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
        raise ToolError(tool, f"executable not found: {argv[0]} ({exc.strerror})") from exc
    except OSError as exc:
        raise ToolError(tool, f"could not start {argv[0]}: {exc}") from exc


def _communicate(
    child: subprocess.Popen[str], stdin: str | None, timeout: float
) -> tuple[str, str]:
    """Collect the output in short waits, giving up at the deadline or when Paved Road exits."""
    deadline = time.monotonic() + timeout
    _feed(child, stdin)
    while True:
        left = deadline - time.monotonic()
        try:
            return child.communicate(None, timeout=max(0.0, min(POLL_SECONDS, left)))
        except subprocess.TimeoutExpired:
            if left <= POLL_SECONDS:
                raise
            if shutting_down():
                raise _Interrupted from None


def _feed(child: subprocess.Popen[str], stdin: str | None) -> None:
    """Write the input from a thread of its own and close the pipe.

    communicate() stops writing input once a short wait has timed out (it only writes on the
    call that was given the input), so a child that reads late would never get the rest.
    """
    pipe, child.stdin = child.stdin, None
    if pipe is None:
        return

    def write() -> None:
        try:
            pipe.write(stdin or "")
        except (BrokenPipeError, OSError, ValueError):
            pass  # the child exited or stopped reading: its exit code and output tell why
        finally:
            with contextlib.suppress(OSError):
                pipe.close()

    threading.Thread(target=write, name="pavedroad-stdin", daemon=True).start()


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
