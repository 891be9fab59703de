"""`paved adopt`: bring a catalog template into an existing repository, then gate it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli import prompts
from pavedroad.cli._common import (
    CatalogOption,
    QuietOption,
    handle_errors,
    parse_data,
    progress_shown,
)
from pavedroad.errors import GateFailedError
from pavedroad.project.adopt import STAGE, AdoptRequest, AdoptResult
from pavedroad.project.adopt import adopt as adopt_repository
from pavedroad.project.update_guard import ROLLBACK
from pavedroad.reports import text
from pavedroad.textsafe import printable_lines


@handle_errors
def adopt(
    template_id: Annotated[str, typer.Argument(metavar="TEMPLATE", help="Template id.")],
    path: Annotated[Path, typer.Argument(help="Existing git repository (clean).")] = Path(),
    data: Annotated[
        list[str] | None, typer.Option("--data", "-d", help="Answer as KEY=VALUE (repeatable).")
    ] = None,
    data_file: Annotated[
        Path | None, typer.Option("--data-file", help="YAML file of answers.")
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Never prompt; use defaults for the rest.")
    ] = False,
    write_conflicts: Annotated[
        bool,
        typer.Option(
            "--write-conflicts",
            help="Write files you already have with both versions between conflict markers.",
        ),
    ] = False,
    catalog: CatalogOption = None,
    quiet: QuietOption = False,
) -> None:
    """Add a template's files to an existing repository, record its answers, then gate it."""
    request = AdoptRequest(
        template_id,
        path,
        data=parse_data(data or []),
        data_file=data_file,
        prompt=prompts.template_prompt(defaults),
        on_invalid=prompts.retry_message,
        write_conflicts=write_conflicts,
        catalog=catalog,
    )
    with progress_shown(quiet) as progress:
        result = adopt_repository(request, progress=progress)
    typer.echo(printable_lines("\n".join(_summary(result))))  # paths and diffs are untrusted
    _verdict(result)


def _summary(result: AdoptResult) -> list[str]:
    lines = [
        f"Adopted {result.template_id} {result.version} into {result.root} "
        f"(answers recorded in {result.answers_file}); nothing is committed.",
        f"Added {len(result.added)} file(s):",
        *(f"  + {rel}" for rel in result.added),
    ]
    if result.unchanged:
        lines.append(f"Already identical to the template: {len(result.unchanged)} file(s).")
    kept = [c for c in result.conflicts if not c.written]
    if kept:
        lines.append(f"Left alone ({len(kept)}): you have these files; the template's differ:")
        lines += [f"  {c.path}" for c in kept]
        for c in kept:
            lines += ["", *c.diff.rstrip("\n").splitlines()]
    if result.written_conflicts:
        lines.append(
            f"Written with conflict markers ({len(result.written_conflicts)}): "
            "<<<<<<< ours (yours) ======= >>>>>>> template:"
        )
        lines += [f"  {rel}" for rel in result.written_conflicts]
    return lines


def _verdict(result: AdoptResult) -> None:
    review = _review(result)
    if result.gate is None:
        typer.echo("\n".join(review), err=True)
        raise GateFailedError("")
    report = text.render(result.gate)
    if result.gate.blocked:
        typer.echo(report, err=True)
        typer.echo("\n".join(review), err=True)
        raise GateFailedError("")
    typer.echo(report)
    typer.echo("\n".join(review))


def _review(result: AdoptResult) -> list[str]:
    lines = ["", "To review:", "  git status                      # the files added (untracked)"]
    if result.written_conflicts:
        lines.append(
            "  resolve the conflict markers, then run "
            f"`paved gate --stage {STAGE}` (not gated until then)"
        )
    elif any(not c.written for c in result.conflicts):
        lines.append(
            "  merge what you want from the diffs above by hand, or rerun on a clean tree "
            "with --write-conflicts"
        )
    if result.gate is not None and result.gate.blocked:
        lines.append(
            f"  the {STAGE} gate blocks (above): fix the findings, or record today's with "
            "`paved baseline create` and start the stage in observe mode"
        )
    lines += [
        "  then commit; `paved update` and `paved drift` work from there",
        f"To undo the adoption: {ROLLBACK}",
    ]
    return lines
