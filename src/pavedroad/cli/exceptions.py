"""`paved exceptions`: request, list and review security exceptions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad import clock
from pavedroad.cli._common import handle_errors, is_terminal
from pavedroad.errors import UserError
from pavedroad.exceptions import records as exceptions
from pavedroad.exceptions import request as exception_request
from pavedroad.exceptions import review as exception_review
from pavedroad.policy import file as policy
from pavedroad.scanners.severities import rule_severity
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
    today = clock.today()
    pol = policy.load(path)
    expires = exception_request.expiry(today, days, pol)
    entry = exception_request.find_entry(path, finding)
    shown = printable(f"Finding {entry.rule_id} ({entry.severity}) in {entry.path}: {entry.title}")
    typer.echo(shown)
    owner = _ask(owner, "--owner", "Accountable owner (person or team)")
    justification = _ask(justification, "--justification", "Justification")
    approver = _ask(approver, "--approver", "Approver")
    existing = [r.id for r in exceptions.load(path, pol, rule_severity)]
    req = exception_request.Request(
        owner=owner,
        justification=justification,
        approver=approver,
        expires=expires,
        controls=tuple(control or ()),
        ticket=ticket,
    )
    record = exception_request.build_record(entry, req, today, existing)
    diff = exception_request.append(path, record, pol, rule_severity)
    typer.echo(printable_lines(diff), nl=False)
    done = f"Added {record['id']} for {entry.rule_id} in {entry.path}; commit it for review."
    typer.echo(printable(done))


def _ask(value: str | None, option: str, question: str) -> str:
    """Return the option's value, prompting on a terminal; refuse when it cannot be asked."""
    if value is not None:
        return value
    if not is_terminal():
        raise UserError(f"{option} is required (no terminal to ask on); pass {option} VALUE")
    return str(typer.prompt(question))


@app.command("list")
@handle_errors
def list_records(path: Annotated[Path, typer.Argument(file_okay=False)] = Path()) -> None:
    """List the exceptions of one repository: active, expiring soon, expired."""
    pol = policy.load(path)
    records = exceptions.load(path, pol, rule_severity)
    review = exception_review.build(
        [(exception_review.repo_name(path), records)], clock.today(), pol.warn_expiring_within_days
    )
    if not review.entries:
        typer.echo("no exceptions recorded")
    for entry in review.entries:
        r = entry.record
        typer.echo(
            f"{r.id:<9} {entry.status:<8} {r.expires}  {r.rule:<14} {r.owner:<18} "
            f"{', '.join(r.paths)}"
        )


@app.command("review")
@handle_errors
def review(
    paths: Annotated[list[Path], typer.Argument(file_okay=False, help="Repositories.")],
    fmt: Annotated[str, typer.Option("--format", help="text, markdown, json or html.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Review exceptions across repositories: totals, owners, rules, expiry, patterns."""
    renderers = {
        "text": exception_review.render_text,
        "markdown": exception_review.render_markdown,
        "json": exception_review.render_json,
        "html": exception_review.render_html,
    }
    if fmt not in renderers:
        raise UserError(f"--format {fmt}: use one of {', '.join(renderers)}")
    repos = []
    warn_days = 14
    for root in paths:
        pol = policy.load(root)
        warn_days = pol.warn_expiring_within_days
        repos.append((exception_review.repo_name(root), exceptions.load(root, pol, rule_severity)))
    body = renderers[fmt](exception_review.build(repos, clock.today(), warn_days))
    if output is None:
        typer.echo(body)
    else:
        output.write_text(body + ("" if body.endswith("\n") else "\n"), encoding="utf-8")
