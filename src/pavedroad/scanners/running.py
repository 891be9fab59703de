"""How an adapter runs its scanner: a tool that cannot run or finish fails the scan closed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pavedroad import proc
from pavedroad.errors import ScannerError, ToolError


def run_scanner(
    command: Sequence[str],
    *,
    tool: str,
    cwd: Path | None = None,
    timeout: float,
    env: Mapping[str, str] | None = None,
    memory_limit: int | None = None,
) -> proc.Completed:
    """Run a scanner's command; ScannerError (exit 3) when it cannot start or times out."""
    try:
        return proc.run(
            command, tool=tool, cwd=cwd, timeout=timeout, env=env, memory_limit=memory_limit
        )
    except ToolError as exc:  # only an adapter turns a tool error into a scanner failure
        raise ScannerError(exc.tool, exc.reason) from None
