"""The `paved` command line: parses arguments, calls the library, prints and exits."""

from __future__ import annotations

import importlib
import signal
import sys
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

from pavedroad import __version__
from pavedroad.cli._common import debug, report_error, report_interrupt
from pavedroad.errors import PavedError
from pavedroad.textsafe import printable_lines

# Each command's module is imported when that command runs (or help lists it): `paved gate`
# then skips copier, jinja and the catalog code, which were most of its start-up time
# (pydantic still loads: the policy and exceptions files are validated with it).
COMMANDS: dict[str, tuple[str, str]] = {
    # start and keep a repository on the paved road
    "new": ("pavedroad.cli.new", "new"),
    "adopt": ("pavedroad.cli.adopt", "adopt"),
    "update": ("pavedroad.cli.update", "update"),
    "drift": ("pavedroad.cli.drift", "drift"),
    # gate it, and understand what the gate says
    "scan": ("pavedroad.cli.gate", "scan"),
    "gate": ("pavedroad.cli.gate", "gate"),
    "explain": ("pavedroad.cli.explain", "explain"),
    "exceptions": ("pavedroad.cli.exceptions", "app"),
    "baseline": ("pavedroad.cli.baseline", "app"),
    "threatmodel": ("pavedroad.cli.threatmodel", "app"),
    # deliver findings where developers work
    "comment": ("pavedroad.cli.comment", "comment"),
    "tickets": ("pavedroad.cli.tickets", "app"),
    "lsp": ("pavedroad.cli.lsp", "lsp"),
    "protect": ("pavedroad.cli.protect", "protect"),
    # the platform team
    "catalog": ("pavedroad.cli.catalog", "app"),
    "metrics": ("pavedroad.cli.metrics", "app"),
    "doctor": ("pavedroad.cli.doctor", "doctor"),
}


def load_command(name: str) -> Any:
    """Import a command's module and return it as the click command Typer would build."""
    module, attribute = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    if not isinstance(target, typer.Typer):
        single = typer.Typer(add_completion=False)
        single.command(name)(target)
        target = single
    command = typer.main.get_command(target)
    command.name = name
    return command


class _LazyCommands(MutableMapping[str, Any]):
    """The root group's commands: every name is listed, each is loaded on first use."""

    def __init__(self, loaded: MutableMapping[str, Any]) -> None:
        self._loaded = dict(loaded)

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self._loaded[name] = load_command(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self._loaded]))

    def __len__(self) -> int:
        return len(set(COMMANDS) | set(self._loaded))


class _LazyGroup(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _LazyCommands(self.commands)

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context
        """Run the command; map errors even from a command without @handle_errors (backstop)."""
        try:
            return super().invoke(ctx)
        except PavedError as exc:
            raise typer.Exit(report_error(exc)) from None
        except (KeyboardInterrupt, typer.Abort):  # Ctrl-C at a prompt arrives as an Abort
            raise typer.Exit(report_interrupt()) from None


app = typer.Typer(
    name="paved",
    help="Paved Road: start services on hardened templates and gate them by risk.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=_LazyGroup,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"paved {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Paved Road: start services on hardened templates and gate them by risk."""


def _terminated(_signum: int, _frame: object) -> None:
    """Turn SIGTERM into the KeyboardInterrupt path, so scratch is removed and we say so."""
    raise KeyboardInterrupt


def main() -> None:
    """Run the CLI; unexpected errors print one line unless PAVED_DEBUG is set."""
    signal.signal(signal.SIGTERM, _terminated)
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted; nothing was changed", file=sys.stderr)
        sys.exit(130)
    except PavedError as exc:  # raised outside any command (a callback): same message and code
        sys.exit(report_error(exc))
    except Exception as exc:  # the last line of defence: never a traceback for users
        if debug():
            raise
        detail = printable_lines(f"{type(exc).__name__}: {exc}")  # a bug report, not a message
        print(f"internal error: {detail}", file=sys.stderr)
        print("please report this; rerun with PAVED_DEBUG=1 for details", file=sys.stderr)
        sys.exit(70)
