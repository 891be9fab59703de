"""The one place Paved Road starts subprocesses: captures command, code and output."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pavedroad.errors import ScannerError


@dataclass(frozen=True)
class Completed:
    """A finished command with everything it said."""

    command: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run(
    command: Sequence[str],
    *,
    tool: str,
    cwd: Path | None = None,
    timeout: float = 600.0,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> Completed:
    """Run a command; raise ScannerError naming the tool if it cannot start or times out."""
    full_env = {**os.environ, **(env or {})}
    try:
        proc = subprocess.run(  # noqa: S603 - commands are built from fixed argument lists
            list(command),
            cwd=cwd,
            env=full_env,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ScannerError(tool, f"executable not found: {command[0]} ({exc.strerror})") from exc
    except subprocess.TimeoutExpired as exc:
        raise ScannerError(tool, f"timed out after {timeout:.0f}s") from exc
    except OSError as exc:
        raise ScannerError(tool, f"could not start {command[0]}: {exc}") from exc
    return Completed(tuple(command), proc.returncode, proc.stdout, proc.stderr)


def spawn_detached(command: Sequence[str], *, env: Mapping[str, str] | None = None) -> bool:
    """Start a background helper that outlives this process; return False if it cannot start."""
    try:
        subprocess.Popen(  # noqa: S603 - fixed argument list
            list(command),
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
