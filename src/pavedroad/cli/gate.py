"""`paved scan` and `paved gate`: findings, and verdicts by the policy of a stage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad import reports
from pavedroad.cli._common import QuietOption, handle_errors, progress_shown
from pavedroad.deliver.last_sarif import write_last_sarif
from pavedroad.errors import GateFailedError, UserError
from pavedroad.gate.result import GateResult
from pavedroad.gate.run import gate_repository, not_gated_note, scan_result, scan_selection
from pavedroad.progress import silent
from pavedroad.reports import text
from pavedroad.scan import changes
from pavedroad.scan.cache import CACHE_ENV, ResultCache, default_directory

PathArg = Annotated[
    Path,
    typer.Argument(help="Repository to scan.", exists=True, file_okay=False, resolve_path=True),
]
ChangedSince = Annotated[
    str | None,
    typer.Option(
        "--changed-since",
        metavar="REF",
        envvar="PAVED_CHANGED_SINCE",
        help="Evaluate only files changed since the merge-base of REF and HEAD, "
        "working-tree edits and untracked files included.",
        show_default=False,
    ),
]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        envvar=CACHE_ENV,
        help="Result cache folder (default: the user cache folder's pavedroad/results).",
        show_default=False,
    ),
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
Formats = Annotated[
    list[str] | None,
    typer.Option("--format", "-f", help=f"Report format: {', '.join(reports.FORMATS)}."),
]
Outputs = Annotated[
    list[Path] | None,
    typer.Option("--output", "-o", help="File for the matching --format (in order)."),
]


@handle_errors
def scan(
    path: PathArg = Path(),
    formats: Formats = None,
    outputs: Outputs = None,
    changed_since: ChangedSince = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    quiet: QuietOption = False,
) -> None:
    """List the findings of every scanner, without verdicts.

    --format writes the reports of `paved gate` (stage `scan`, every finding `info`).
    """
    targets = _pair(formats or [], outputs or [])
    scope = "full" if changed_since is None else "changed"
    selection = changes.select(path, scope, changed_since)
    with progress_shown(quiet) as progress:
        shown = progress if selection.full else silent
        report = scan_selection(path, selection, cache=_cache(cache_dir, no_cache), progress=shown)
    notes = tuple(n for n in (selection.note,) if n)
    to_stdout = _write_reports(scan_result(report, notes), targets)
    typer.echo(text.render_scan(report.findings), err=to_stdout)
    if selection.note:
        typer.echo(f"note: {selection.note}", err=True)
    if report.not_gated:
        typer.echo(f"note: {not_gated_note(report.not_gated)}", err=True)


@handle_errors
def gate(
    path: PathArg = Path(),
    stage: Annotated[str, typer.Option("--stage", "-s", help="Policy stage to apply.")] = "pr",
    formats: Formats = None,
    outputs: Outputs = None,
    changed_since: ChangedSince = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    quiet: QuietOption = False,
) -> None:
    """Scan, give each finding a verdict for the stage, and exit 1 when anything blocks.

    A stage with `scope: changed` gates the files changed since --changed-since REF. Without
    it, REF is the CI's target branch ($GITHUB_BASE_REF, $CI_MERGE_REQUEST_TARGET_BRANCH_NAME),
    else origin's default branch, else the branch's upstream, else HEAD (uncommitted changes
    only); outside git every file is evaluated. A changed policy, exceptions file, secrets
    baseline or scanner config means a full evaluation. `scope: full` stages scan everything.
    Exit codes: 0 pass, 1 blocked, 2 usage or config error, 3 scanner failure.
    """
    targets = _pair(formats or [], outputs or [])
    cache = _cache(cache_dir, no_cache)
    with progress_shown(quiet) as progress:
        result = gate_repository(
            path, stage, changed_since=changed_since, cache=cache, progress=progress
        )
    to_stdout = _write_reports(result, targets)
    write_last_sarif(path, result)  # .pavedroad/last.sarif for SARIF viewers, best effort
    typer.echo(text.render(result), err=to_stdout)
    if result.blocked:
        raise GateFailedError("")


def _cache(directory: Path | None, disabled: bool) -> ResultCache | None:
    """Return the result cache the options ask for, or None with --no-cache."""
    if disabled:
        return None
    return ResultCache(directory if directory is not None else default_directory())


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
