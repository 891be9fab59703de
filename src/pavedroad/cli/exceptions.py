"""`paved exceptions`: request, list and review security exceptions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli import prompts
from pavedroad.cli._common import handle_errors
from pavedroad.deliver.exception_sources import Sources, locate, request_from
from pavedroad.exceptions.request import ExceptionRequest, GateEntry
from pavedroad.exceptions.review import ReviewRequest, list_entries, render_list, review_report
from pavedroad.textsafe import printable, printable_lines

app = typer.Typer(
    help="Request, list and review security exceptions.", no_args_is_help=True, add_completion=False
)

PathOption = Annotated[
    Path,
    typer.Option(
        "--path",
        help="Repository folder, or a file in it to scan again when no gate run has the finding.",
    ),
]
RepoOption = Annotated[
    Path | None,
    typer.Option(
        "--repo",
        "-C",
        help="Repository folder (default: the one --path is in).",
        file_okay=False,
        show_default=False,
    ),
]
FromOption = Annotated[
    Path | None,
    typer.Option(
        "--from",
        help="Gate result of a CI run: gate.json (--format json) or paved.sarif.",
        exists=True,
        dir_okay=False,
        show_default=False,
    ),
]


@app.command("request")
@handle_errors
def request(
    finding: Annotated[str, typer.Argument(help="Fingerprint or short reference from the gate.")],
    owner: Annotated[str | None, typer.Option(help="Accountable person or team.")] = None,
    justification: Annotated[
        str | None, typer.Option(help="Why the risk is acceptable for now.")
    ] = None,
    approver: Annotated[
        str | None, typer.Option(help="Who approved it (one of the policy's approvers).")
    ] = None,
    days: Annotated[
        int | None, typer.Option(help="How many days it lasts (default 30; asked on a terminal).")
    ] = None,
    control: Annotated[
        list[str] | None, typer.Option("--control", help="Compensating control (repeatable).")
    ] = None,
    ticket: Annotated[str | None, typer.Option(help="Tracking ticket URL.")] = None,
    from_: FromOption = None,
    path: PathOption = Path(),
    repo: RepoOption = None,
) -> None:
    """Add an exception for a finding of a gate run, local or --from a CI artifact."""
    root, rescan = locate(path, repo)
    ask = prompts.text_asker()
    fields = ExceptionRequest(
        root,
        finding,
        days=days,
        owner=owner,
        justification=justification,
        approver=approver,
        controls=tuple(control or ()),
        ticket=ticket,
        ask=ask,
        on_finding=_show_finding,
    )
    result = request_from(fields, Sources(artifact=from_, rescan=rescan))
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
    post_issue: Annotated[
        bool,
        typer.Option(
            "--post-issue",
            help="Keep the issue 'Exception review YYYY-MM' current with it (--format markdown).",
        ),
    ] = False,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform", help="github, gitlab or jira for --post-issue (default: detected)."
        ),
    ] = None,
) -> None:
    """Review exceptions across repositories: totals, owners, rules, expiry, patterns."""
    body = review_report(ReviewRequest(tuple(paths), fmt))
    if output is None:
        typer.echo(body)
    else:
        output.write_text(body + ("" if body.endswith("\n") else "\n"), encoding="utf-8")
    if post_issue:  # imported here: the HTTP client loads only when something is posted
        from pavedroad.clock import today
        from pavedroad.deliver.review_issue import post_review

        typer.echo(post_review(body, fmt, day=today(), platform=platform))
