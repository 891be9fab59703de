"""`paved metrics`: gate records into a store, and reports over them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from pavedroad.cli._common import QuietOption, handle_errors, progress_shown
from pavedroad.errors import ConfigError, UserError
from pavedroad.metrics import commands
from pavedroad.metrics.store import DB_ENV

app = typer.Typer(
    help="Gate records in a store (SQLite or PostgreSQL), and reports over them.",
    no_args_is_help=True,
    add_completion=False,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar=DB_ENV,
        help="Store: a SQLite file, sqlite:///FILE or postgresql://USER@HOST/DB "
        "(default: metrics.db in the user data folder).",
        show_default=False,
    ),
]


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option} {value!r}: not a date; use YYYY-MM-DD") from None


@app.command()
@handle_errors
def ingest(
    reports: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Gate reports (`paved gate --format json`), or folders of them (*.json).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    reactions: Annotated[
        bool,
        typer.Option(
            "--reactions", help="Also read 👍/👎 on Paved Road's PR/MR comments from the API."
        ),
    ] = False,
    platform: Annotated[
        str | None,
        typer.Option("--platform", help="github or gitlab (default: detected from the CI)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="With --reactions: comments since DATE."),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Load gate reports into the store; the same report twice counts once.

    Exit codes: 0 loaded, 2 a file is not a recorded gate report (the others are loaded),
    3 the store or the platform API failed.
    """
    if not reports and not reactions:
        raise UserError("nothing to ingest; pass REPORT.json files or folders, or --reactions")
    problems: tuple[str, ...] = ()
    if reports:
        with progress_shown(quiet) as progress:
            done = commands.ingest(commands.expand(reports), db, progress)
        typer.echo(f"ingested {done.added} report(s); {done.already} already in the store")
        problems = done.problems
    if reactions:
        count = commands.ingest_reactions(db, platform, _date(since, "--since"))
        typer.echo(f"recorded reactions on {count} Paved Road comment(s)")
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    if problems:
        raise typer.Exit(ConfigError.exit_code)


@app.command()
@handle_errors
def report(
    since: Annotated[
        str | None, typer.Option("--since", metavar="DATE", help="First day (UTC), YYYY-MM-DD.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar="DATE", help="Last day (UTC), included.")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="text, json or html.")
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of the terminal."),
    ] = None,
    owner_map: Annotated[
        Path | None,
        typer.Option("--owner-map", help="YAML/JSON file: team -> repository patterns."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Report security outcomes, friction and satisfaction per repository, team and stage."""
    body = commands.report(
        db,
        since=_date(since, "--since"),
        until=_date(until, "--until"),
        owners=owner_map,
        fmt=output_format,
    )
    if output is None:
        typer.echo(body, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(body, encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)
