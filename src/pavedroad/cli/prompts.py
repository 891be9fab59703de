"""Asking a person: whether one is at a terminal, and how every command asks its questions."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:  # annotations only: `paved exceptions` need not load the catalog code
    from pavedroad.catalog.questions import Prompt, Question
    from pavedroad.exceptions.request import Ask


def is_terminal() -> bool:
    """Return True when a person can answer prompts."""
    return sys.stdin.isatty()


def template_prompt(defaults: bool) -> Prompt | None:
    """Return how to ask a template's questions; None with --defaults or nobody to ask."""
    return prompt_answer if not defaults and is_terminal() else None


def prompt_answer(question: Question, default: Any) -> str:
    """Ask one template question on the terminal, its help, choices and default shown first."""
    typer.echo("")
    for line in describe(question, default):
        typer.echo(line)
    if question.type == "bool":
        return str(typer.confirm(question.name, default=bool(default)))
    shown = None if default is None else str(default)
    visible = shown is not None and shown != "" and not question.secret
    return str(
        typer.prompt(question.name, default=shown, show_default=visible, hide_input=question.secret)
    )


def describe(question: Question, default: Any) -> list[str]:
    """Return the lines shown before a question: its help, the choices, the default."""
    lines = [f"{question.name} ({question.type}): {' '.join(question.help.split())}"]
    if question.choices:
        lines.append(
            "  choices: " + ", ".join(_choice(label, value) for label, value in question.choices)
        )
    if question.secret:
        lines.append("  (what you type is not shown)")
    elif default == "":
        lines.append("  (press Enter to leave it empty)")
    return lines


def _choice(label: str, value: Any) -> str:
    return str(value) if label == str(value) else f"{value} ({label})"


def retry_message(message: str) -> None:
    """Say why a typed answer was rejected before asking again."""
    typer.echo(f"  {message}; try again", err=True)


def text_asker() -> Ask | None:
    """Return how to ask for a missing option's value; None when nobody can answer."""
    return ask_text if is_terminal() else None


def ask_text(question: str) -> str:
    """Ask one free-text question on the terminal."""
    return str(typer.prompt(question))
