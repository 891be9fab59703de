"""GitHub Actions workflow commands: one annotation per finding, on the changed line.

`::error` for blocking findings, `::warning` for ticket and warn, `::notice` for info
and excepted. Values are escaped as @actions/core does: `%`, CR and LF in the message
(data); those plus `:` and `,` in properties. The message spans several lines (escaped
as `%0A`), so each finding is still one output line. The gate's notes (expired or
expiring exceptions) follow as file-less warnings, then one notice counting the findings that
would block but were held back (observe mode, baseline, pre-existing). Blocking findings come first:
GitHub shows at most 10 annotations of each kind per step. An empty result prints
nothing, since any line would add an annotation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.reports._common import (
    exception_command,
    first_line,
    held_phrase,
    hold_label,
    is_web_url,
    last_line,
    one_line,
    ordered,
    repo_path,
)


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command_for(verdict: Verdict) -> str:
    """Return the workflow command that annotates a finding with this verdict."""
    match verdict:
        case Verdict.BLOCK:
            return "error"
        case Verdict.TICKET | Verdict.WARN:
            return "warning"
        case Verdict.INFO | Verdict.EXCEPTED:
            return "notice"
        case _:
            assert_never(verdict)


def annotation(gated: GatedFinding, result: GateResult) -> str:
    """Return the workflow command line for one finding."""
    f = gated.finding
    properties = {
        "file": repo_path(f.path, result.root),
        "line": str(first_line(f)),
        "endLine": str(last_line(f)),
        "title": f"{f.rule_id} {one_line(f.title)}".strip(),
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{command_for(gated.verdict)} {joined}::{escape_data(_message(gated, result))}"


def note_annotation(note: str) -> str:
    """Return a file-less warning for one gate note (an expired or expiring exception)."""
    return f"::warning title={escape_property('Paved Road exceptions')}::{escape_data(note)}"


def _message(gated: GatedFinding, result: GateResult) -> str:
    f = gated.finding
    lines = [one_line(f.message) or one_line(f.title), f"Fix: {one_line(f.fix)}"]
    if is_web_url(f.docs_url):
        lines.append(f"Docs: {f.docs_url}")
    verdict = f"{f.severity.label} severity, {gated.verdict.value} at stage {result.stage}"
    lines.append(f"Gate: {verdict} ({gated.reason})" if gated.reason else f"Gate: {verdict}")
    if gated.held is not None:
        lines.append(f"Held back: would block; {hold_label(gated.held)}")
    if gated.verdict is Verdict.BLOCK:
        lines.append(f"Exception: {exception_command(f)}")
    return "\n".join(lines)


@dataclass(frozen=True)
class GithubReporter:
    """GitHub Actions workflow-command annotations."""

    name: str = "github"
    default_filename: str = "pavedroad-annotations.txt"

    def render(self, result: GateResult) -> str:
        """Render one annotation line per finding, blocking ones first, then the gate notes."""
        lines = [annotation(g, result) for g in ordered(result.findings)]
        lines.extend(note_annotation(note) for note in result.notes)
        held = held_phrase(result)
        if held:
            title = escape_property("Paved Road held back")
            lines.append(f"::notice title={title}::{escape_data(f'{held}; not blocking')}")
        return "\n".join(lines)
