"""`paved doctor`: which scanners a gate would run here, and whose warm checkov answers."""

from __future__ import annotations

from typing import Annotated

import typer

from pavedroad.cli._common import handle_errors
from pavedroad.project import doctor as doctor_mod


@handle_errors
def doctor(
    stop: Annotated[
        bool, typer.Option("--stop", help="Stop this installation's warm checkov server.")
    ] = False,
) -> None:
    """Show the scanners a gate would run, the warm checkov server and the folders used."""
    if stop:
        if doctor_mod.stop_warm():
            typer.echo("Stopped this installation's warm checkov server.")
        else:
            typer.echo("No warm checkov server of this installation was running.")
        return
    diagnosis = doctor_mod.diagnose()
    typer.echo(doctor_mod.render(diagnosis))
    if diagnosis.exit_code:
        raise typer.Exit(diagnosis.exit_code)
