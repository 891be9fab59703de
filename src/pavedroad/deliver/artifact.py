"""Read the gate result a pipeline job left behind (`paved gate --format json`)."""

from __future__ import annotations

import re
from pathlib import Path

from pavedroad.errors import UserError
from pavedroad.gate.result import GateResult
from pavedroad.reports.json import read

MAX_BYTES = 64 * 1024 * 1024


def load(path: Path) -> GateResult:
    """Return the gate result in a `pavedroad/gate/v1` JSON file; UserError naming --from."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UserError(f"--from {path}: larger than 64 MB; pass the gate's JSON report")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise UserError(
            f"--from {path}: cannot read it ({why}); pass the file that "
            "`paved gate --format json --output gate.json` wrote"
        ) from None
    return read(text, str(path))


def command_name(path: Path) -> str:
    """Return the file name exception commands print after --from (plain names only)."""
    name = path.name
    return name if re.fullmatch(r"[\w.-]{1,100}", name) and name not in (".", "..") else "gate.json"


def recorded_pull_request(result: GateResult) -> int | None:
    """Return the PR / MR number the gate run recorded from its CI event, if any."""
    record = result.record
    if record is None or record.pipeline is None:
        return None
    return record.pipeline.pull_request


def full_scope(result: GateResult) -> bool:
    """Return True only when the gate says it evaluated every file (unknown means changed)."""
    return result.record is not None and result.record.scope == "full"
