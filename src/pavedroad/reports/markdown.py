"""A short pull-request comment: the verdict first, then what to do about each finding.

Layout: a hidden marker (`<!-- pavedroad:gate stage=... -->`) so a bot can find and
update its own comment; a headline with the outcome, the stage and counts per verdict (and
of the findings that would block but were held back: observe mode, baseline, pre-existing);
the gate's notes (expired, expiring or stale exceptions); one table per verdict
(Blocking, To ticket, Warnings), each capped at 20 rows; excepted findings in a
collapsed block with their justification; info findings only counted.
All text from scanners is escaped, so it can neither break a table nor inject markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.reports._common import (
    VERDICT_ORDER,
    count_phrase,
    counts,
    exception_command,
    held_phrase,
    hold_label,
    location_label,
    md_code,
    md_link,
    md_text,
    one_line,
    ordered,
    outcome_qualifier,
    unblocked_severe,
)

MAX_ROWS = 20
_SECTIONS = (
    (Verdict.BLOCK, "Blocking", "Fix these, or request a time-boxed exception with the command."),
    (Verdict.TICKET, "To ticket", "These do not block; track them in a ticket."),
    (Verdict.WARN, "Warnings", ""),
)


@dataclass(frozen=True)
class MarkdownReporter:
    """A pull-request comment in GitHub/GitLab-flavoured Markdown."""

    name: str = "markdown"
    default_filename: str = "pavedroad-comment.md"

    def render(self, result: GateResult) -> str:
        """Render the comment."""
        findings = ordered(result.findings)
        blocks = [_headline(result)]
        if result.notes:
            blocks.append(_notes(result.notes))
        for verdict, heading, lead in _SECTIONS:
            mine = [g for g in findings if g.verdict is verdict]
            if mine:
                blocks.append(_section(heading, lead, mine, blocking=verdict is Verdict.BLOCK))
        excepted = [g for g in findings if g.verdict is Verdict.EXCEPTED]
        if excepted:
            blocks.append(_excepted(excepted))
        blocks.append(_footer(result))
        return "\n\n".join(blocks)


def _headline(result: GateResult) -> str:
    marker = f"<!-- pavedroad:gate stage={one_line(result.stage).replace('--', '')} -->"
    title = _title(result)
    if not result.findings:
        return f"{marker}\n{title}"
    tally = counts(result)
    phrases = [count_phrase(v, tally[v]) for v in VERDICT_ORDER]
    if tally[Verdict.BLOCK]:
        phrases[0] = f"**{phrases[0]}**"
    if not result.can_block:
        phrases[0] = f"**{unblocked_severe(result)}**"
    held = held_phrase(result)
    if held:
        phrases.append(f"held back: **{held}**, listed with their verdict")
    return f"{marker}\n{title}\n\n{' · '.join(phrases)}"


def _title(result: GateResult) -> str:
    stage = md_code(result.stage)
    if not result.can_block:  # never "passed" over critical findings nobody was stopped by
        return f"### ⚠️ Paved Road: stage {stage} does not block (no block threshold)"
    if result.blocked:
        return f"### ❌ Paved Road: blocked at stage {stage}{_qualifier(result)}"
    return f"### ✅ Paved Road: passed at stage {stage}{_qualifier(result)}"


def _qualifier(result: GateResult) -> str:
    qualifier = outcome_qualifier(result).strip()
    return f" {md_text(qualifier)}" if qualifier else ""


def _notes(notes: Sequence[str]) -> str:
    lines = [f"- {md_text(note)}" for note in notes[:MAX_ROWS]]
    more = _more(len(notes))
    if more:
        lines.append(f"- {more}")
    return "**Gate notes**\n\n" + "\n".join(lines)


def _section(heading: str, lead: str, findings: Sequence[GatedFinding], *, blocking: bool) -> str:
    header = ["Severity", "Finding", "Where", "Fix"] + (["Exception"] if blocking else [])
    rows = [_row(g, blocking=blocking) for g in findings[:MAX_ROWS]]
    parts = [f"#### {heading} ({len(findings)})"]
    if lead:
        parts.append(lead)
    parts.append(_table(header, rows))
    more = _more(len(findings))
    if more:
        parts.append(more)
    return "\n\n".join(parts)


def _excepted(findings: Sequence[GatedFinding]) -> str:
    header = ["Severity", "Finding", "Where", "Justification"]
    rows = [_excepted_row(g) for g in findings[:MAX_ROWS]]
    parts = [
        f"<details><summary>Excepted ({len(findings)})</summary>",
        _table(header, rows),
    ]
    more = _more(len(findings))
    if more:
        parts.append(more)
    parts.append("</details>")
    return "\n\n".join(parts)


def _footer(result: GateResult) -> str:
    lines = []
    if not result.findings:
        lines.append("No findings.")
    info = counts(result)[Verdict.INFO]
    if info:
        noun = "finding" if info == 1 else "findings"
        lines.append(f"_{info} info {noun} not listed._")
    scanners = ", ".join(result.scanners) or "no scanner"
    lines.append(f"<sub>Scanned {result.files_scanned} files with {md_text(scanners)}.</sub>")
    return "\n\n".join(lines)


def _more(total: int) -> str:
    hidden = total - MAX_ROWS
    if hidden <= 0:
        return ""
    return f"_…and {hidden} more, not shown; see the JSON or SARIF report._"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def _finding_cell(gated: GatedFinding) -> str:
    f = gated.finding
    cell = f"{md_code(f.rule_id, in_table=True)} {md_text(f.title)}"
    if one_line(f.message) and one_line(f.message) != one_line(f.title):
        cell += f"<br>{md_text(f.message)}"
    if f.inline_suppressed:
        cell += "<br>_suppressed inline in the source_"
    if gated.held is not None:
        cell += f"<br>_would block; held back: {hold_label(gated.held)}_"
    return cell


def _row(gated: GatedFinding, *, blocking: bool) -> list[str]:
    f = gated.finding
    severity = f"**{f.severity.label}**" if blocking else f.severity.label
    fix = " ".join(p for p in (md_text(f.fix), md_link("docs", f.docs_url)) if p)
    row = [severity, _finding_cell(gated), md_code(location_label(f), in_table=True), fix]
    if blocking:
        row.append(md_code(exception_command(f), in_table=True))
    return row


def _excepted_row(gated: GatedFinding) -> list[str]:
    f = gated.finding
    where = md_code(location_label(f), in_table=True)
    return [f.severity.label, _finding_cell(gated), where, md_text(gated.reason)]
