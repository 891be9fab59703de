"""`paved exceptions`: request, list and review security exceptions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli import prompts
from pavedroad.cli._common import handle_errors
from pavedroad.exceptions.request import ExceptionRequest, GateEntry, request_exception
from pavedroad.exceptions.review import ReviewRequest, list_entries, render_list, review_report
from pavedroad.textsafe import printable, printable_lines

app = typer.Typer(
    help="Request, list and review security exceptions.", no_args_is_help=True, add_completion=False
)

RepoOption = Annotated[
    Path,
    typer.Option("--path", "-C", help="Repository folder.", file_okay=False, resolve_path=True),
]


@app.command("request")
@handle_errors
def request(
    finding: Annotated[str, typer.Argument(help="Fingerprint or short reference from the gate.")],
    owner: Annotated[str | None, typer.Option(help="Accountable person or team.")] = None,
    justification: Annotated[
        str | None, typer.Option(help="Why the risk is acceptable for now.")
    ] = None,
    approver: Annotated[str | None, typer.Option(help="Who approved it.")] = None,
    days: Annotated[int, typer.Option(help="How many days it lasts.")] = 30,
    control: Annotated[
        list[str] | None, typer.Option("--control", help="Compensating control (repeatable).")
    ] = None,
    ticket: Annotated[str | None, typer.Option(help="Tracking ticket URL.")] = None,
    path: RepoOption = Path(),
) -> None:
    """Add an exception for a finding of the last gate run; prints the diff."""
    result = request_exception(
        ExceptionRequest(
            path,
            finding,
            days=days,
            owner=owner,
            justification=justification,
            approver=approver,
            controls=tuple(control or ()),
            ticket=ticket,
            ask=prompts.text_asker(),
            on_finding=_show_finding,
        )
    )
    typer.echo(printable_lines(result.diff), nl=False)
    entry = result.entry
    done = f"Added {result.record_id} for {entry.rule_id} in {entry.path}; commit it for review."
    typer.echo(printable(done))


def _show_finding(entry: GateEntry) -> None:
    shown = f"Finding {entry.rule_id} ({entry.severity}) in {entry.path}: {entry.title}"
    typer.echo(printable(shown))


@app.command("list")
@handle_errors
def list_records(path: Annotated[Path, typer.Argument(file_okay=False)] = Path()) -> None:
    """List the exceptions of one repository: active, expiring soon, expired."""
    typer.echo(render_list(list_entries(path)))


@app.command("review")
@handle_errors
def review(
    paths: Annotated[list[Path], typer.Argument(file_okay=False, help="Repositories.")],
    fmt: Annotated[str, typer.Option("--format", help="text, markdown, json or html.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Review exceptions across repositories: totals, owners, rules, expiry, patterns."""
    body = review_report(ReviewRequest(tuple(paths), fmt))
    if output is None:
        typer.echo(body)
    else:
        output.write_text(body + ("" if body.endswith("\n") else "\n"), encoding="utf-8")
