"""One error tree; the CLI maps each branch to an exit code."""

from __future__ import annotations


class PavedError(Exception):
    """Base of every error Paved Road raises on purpose."""

    exit_code = 2


class UserError(PavedError):
    """Bad input, usage or configuration: the message names the file, the field and the fix."""

    exit_code = 2


class ConfigError(UserError):
    """A configuration file (catalog, policy, exceptions, answers) is invalid."""


class RenderError(PavedError):
    """A template failed to render; the destination was left untouched."""

    exit_code = 2


class GateFailedError(PavedError):
    """A gate blocked; the caller already reported why."""

    exit_code = 1


class ToolError(PavedError):
    """A program Paved Road runs is missing, would not start, timed out or was interrupted.

    Neutral on purpose: a scanner adapter turns it into ScannerError (exit 3), every other
    caller into what it means there (git missing: a set-up error naming git).
    """

    exit_code = 2

    def __init__(self, tool: str, reason: str) -> None:
        super().__init__(f"{tool} failed: {reason}")
        self.tool = tool
        self.reason = reason


class ScannerError(PavedError):
    """A scanner is missing, crashed, timed out or printed something unreadable (fail closed)."""

    exit_code = 3

    def __init__(self, scanner: str, reason: str) -> None:
        super().__init__(f"scanner {scanner} failed: {reason}")
        self.scanner = scanner
        self.reason = reason


class ServiceError(PavedError):
    """A platform API (GitHub, GitLab, Jira) failed, refused or kept failing after retries.

    Exit 3 as a scanner failure: what was asked was not done, and the message says how far
    it got. The message names the method, the endpoint path and the status, never a token.
    """

    exit_code = 3
