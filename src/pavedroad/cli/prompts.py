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
    """Ask one template question on the terminal."""
    if question.type == "bool":
        return str(typer.confirm(question.help, default=bool(default)))
    shown = None if default is None else str(default)
    return str(typer.prompt(question.help, default=shown, hide_input=question.secret))


def retry_message(message: str) -> None:
    """Say why a typed answer was rejected before asking again."""
    typer.echo(f"  {message}; try again", err=True)


def text_asker() -> Ask | None:
    """Return how to ask for a missing option's value; None when nobody can answer."""
    return ask_text if is_terminal() else None


def ask_text(question: str) -> str:
    """Ask one free-text question on the terminal."""
    return str(typer.prompt(question))
