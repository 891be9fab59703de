"""`paved scan` and `paved gate`: findings, and verdicts by the policy of a stage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad import reports
from pavedroad.cli._common import handle_errors
from pavedroad.errors import GateFailedError, UserError
from pavedroad.gate_types import GateResult
from pavedroad.pipeline import gate_repository
from pavedroad.reports import text
from pavedroad.scan import scan as run_scan

PathArg = Annotated[
    Path,
    typer.Argument(help="Repository to scan.", exists=True, file_okay=False, resolve_path=True),
]


@handle_errors
def scan(path: PathArg = Path()) -> None:
    """List the findings of every scanner, without verdicts."""
    report = run_scan(path)
    typer.echo(text.render_scan(report.findings))


@handle_errors
def gate(
    path: PathArg = Path(),
    stage: Annotated[str, typer.Option("--stage", "-s", help="Policy stage to apply.")] = "pr",
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help=f"Report format: {', '.join(reports.FORMATS)}."),
    ] = None,
    outputs: Annotated[
        list[Path] | None,
        typer.Option("--output", "-o", help="File for the matching --format (in order)."),
    ] = None,
) -> None:
    """Scan, give each finding a verdict for the stage, and exit 1 when anything blocks."""
    targets = _pair(formats or [], outputs or [])
    result = gate_repository(path, stage)
    to_stdout = _write_reports(result, targets)
    typer.echo(text.render(result), err=to_stdout)
    if result.blocked:
        raise GateFailedError("")


def _pair(formats: list[str], outputs: list[Path]) -> list[tuple[str, Path | None]]:
    unknown = [f for f in formats if f not in reports.FORMATS]
    if unknown:
        raise UserError(f"--format {unknown[0]}: unknown; use one of {', '.join(reports.FORMATS)}")
    if len(outputs) > len(formats):
        raise UserError("more --output than --format options; give one --format per --output")
    pairs: list[tuple[str, Path | None]] = [
        (fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(formats)
    ]
    if sum(1 for _, out in pairs if out is None) > 1:
        raise UserError("only one --format may print to the terminal; add --output FILE")
    return pairs


def _write_reports(result: GateResult, targets: list[tuple[str, Path | None]]) -> bool:
    """Write each report; return True when one went to stdout."""
    to_stdout = False
    for fmt, out in targets:
        body = reports.render(fmt, result)
        if out is None:
            typer.echo(body)
            to_stdout = True
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(body if body.endswith("\n") else body + "\n", encoding="utf-8")
    return to_stdout
