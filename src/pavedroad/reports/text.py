"""Terminal output of `paved gate` and `paved scan`: plain text, no colour codes.

`render` tells the whole story on the terminal: a headline (a pass that held blocks back says
so, with a line counting what would block and why: observe mode, baseline, pre-existing), then
every blocking finding. The first 8 (about a screenful) get 4 lines each: severity, rule, place,
title; why it blocks at this stage ("critical >= block threshold high at stage release"); the
fix in full; the exception command. The rest get one line each (place, why, reference). Then
up to 2 gate notes (expired or expiring exceptions, the baseline), one line of what does not
block and one of what was scanned. Lines wrap to the terminal width (COLUMNS, else the
terminal's, else 100 when piped) and are never cut.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pavedroad.findings import Finding, Severity
from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.reports._common import (
    count_phrase,
    counts,
    exception_command,
    held_phrase,
    location_label,
    one_line,
    ordered,
    outcome_qualifier,
    truncate,
    unblocked_severe,
)
from pavedroad.textsafe import printable

WIDTH = 100  # when the width cannot be told (piped, redirected): wrapped there, never cut
MIN_WIDTH = 40
MAX_BLOCKING = 8
MAX_NOTES = 2
_LINES_PER_FINDING = 4
_SCAN_COLUMNS = ("SEVERITY", "RULE", "LOCATION", "TITLE")
_RULE_WIDTH = 28
_LOCATION_WIDTH = 44


def render(result: GateResult, width: int | None = None) -> str:
    """Render the gate result for the terminal, wrapped to width (default: the terminal's)."""
    blocking = [g for g in ordered(result.findings) if g.verdict is Verdict.BLOCK]
    tail = _notes(result.notes)
    if any(g.verdict is not Verdict.BLOCK for g in result.findings):
        tail.append(_not_blocking(result))
    tail.append(_scanned(result))
    held = held_phrase(result)
    lines = [_headline(result)] + ([f"Held back: {held}; not blocking"] if held else [])
    shown = min(len(blocking), MAX_BLOCKING)  # in full; past them, one line each
    for gated in blocking[:shown]:
        lines.extend(_blocking_lines(gated, result.stage))
    rest = blocking[shown:]
    if rest:
        lines.append(f"  {len(rest)} more blocking at stage {result.stage} (why; exception ref):")
        lines.extend(_compact_line(gated) for gated in rest)
    lines.extend(tail)
    return "\n".join(_wrapped(lines, width or terminal_width()))


def terminal_width() -> int:
    """Return the width to wrap to: COLUMNS, else the terminal's, else WIDTH (piped output)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) >= MIN_WIDTH:
        return int(columns)
    try:
        if sys.stdout.isatty():
            return max(os.get_terminal_size(sys.stdout.fileno()).columns, MIN_WIDTH)
    except (AttributeError, OSError, ValueError):
        pass
    return WIDTH


def _wrapped(lines: Sequence[str], width: int) -> list[str]:
    """Wrap each line to width, continuing under its own indentation; never cut anything."""
    out: list[str] = []
    for raw in lines:
        line = printable(raw)
        indent = " " * (len(line) - len(line.lstrip(" ")))
        out.extend(
            textwrap.wrap(
                line,
                width=max(width, MIN_WIDTH),
                subsequent_indent=indent + "  ",
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [line]
        )
    return out


def _notes(notes: Sequence[str]) -> list[str]:
    lines = [f"note: {one_line(n)}" for n in notes[:MAX_NOTES]]
    if len(notes) > MAX_NOTES:
        lines.append(f"note: … and {len(notes) - MAX_NOTES} more (see --format markdown)")
    return lines


def _headline(result: GateResult) -> str:
    tally = counts(result)
    shown = (Verdict.BLOCK, Verdict.TICKET, Verdict.WARN, Verdict.EXCEPTED)
    tallied = ", ".join(count_phrase(v, tally[v]) for v in shown)
    if not result.can_block:  # never "PASSED" over critical findings nobody was stopped by
        head = f"NOT BLOCKING: stage {result.stage} does not block"
        if not result.findings:
            return f"{head} — no findings"
        tallied = ", ".join(count_phrase(v, tally[v]) for v in shown[2:])  # tickets: next line
        return f"{head} — {unblocked_severe(result)}; {tallied}"
    outcome = ("BLOCKED" if result.blocked else "PASSED") + outcome_qualifier(result)
    if not result.findings:
        return f"{outcome}: stage {result.stage} — no findings"
    return f"{outcome}: stage {result.stage} — {tallied}"


def _blocking_lines(gated: GatedFinding, stage: str) -> list[str]:
    f = gated.finding
    return [
        f"  {f.severity.name:<8} {f.rule_id} {location_label(f)}  {_title(f)}",
        f"      blocks: {_why(gated, stage)}",
        f"      fix: {_fix(f)}",
        f"      exception: {exception_command(f)}",
    ]


def _compact_line(gated: GatedFinding) -> str:
    f = gated.finding
    why = one_line(gated.reason)
    return f"  {f.severity.name:<8} {f.rule_id} {location_label(f)}  {why}; ref {f.short_ref}"


def _title(f: Finding) -> str:
    return one_line(f.title) + (" (suppressed inline)" if f.inline_suppressed else "")


def _why(gated: GatedFinding, stage: str) -> str:
    """Say why it blocks here, e.g. 'critical >= block threshold high at stage release'."""
    return f"{one_line(gated.reason)} at stage {stage}"


def _fix(f: Finding) -> str:
    if one_line(f.fix):
        return one_line(f.fix)
    return f"see {f.docs_url}" if f.docs_url else "no fix guidance; ask the platform team"


def _not_blocking(result: GateResult) -> str:
    tally = counts(result)
    rest = ", ".join(
        count_phrase(v, tally[v]) for v in (Verdict.TICKET, Verdict.WARN, Verdict.INFO)
    )
    return f"Not blocking: {rest} (see --format markdown for the list)"


def _scanned(result: GateResult) -> str:
    scanners = ", ".join(result.scanners) or "no scanner"
    files = "file" if result.files_scanned == 1 else "files"
    return f"Scanned {result.files_scanned} {files} with {scanners}."


@dataclass(frozen=True)
class TextReporter:
    """The terminal summary of `paved gate`."""

    name: str = "text"
    default_filename: str = "pavedroad-gate.txt"

    def render(self, result: GateResult) -> str:
        """Render the gate result as a file: wrapped at WIDTH, whatever the terminal."""
        return render(result, width=WIDTH)


def render_scan(findings: Sequence[Finding]) -> str:
    """Render `paved scan` findings as a table, most severe first, then totals."""
    if not findings:
        return "No findings."
    rows = [_scan_row(f) for f in sorted(findings, key=_scan_key)]
    widths = [max(len(row[i]) for row in [_SCAN_COLUMNS, *rows]) for i in range(3)]
    lines = [_scan_line(row, widths) for row in [_SCAN_COLUMNS, *rows]]
    lines.append(_totals(findings))
    return "\n".join(lines)


def _scan_key(f: Finding) -> tuple[int, str, int, str, str]:
    return (-int(f.severity), f.path, f.start_line, f.rule_id, f.fingerprint)


def _scan_row(f: Finding) -> tuple[str, str, str, str]:
    return (
        f.severity.label,
        truncate(printable(f.rule_id), _RULE_WIDTH),
        truncate(location_label(f), _LOCATION_WIDTH),
        one_line(f.title) + (" (suppressed inline)" if f.inline_suppressed else ""),
    )


def _scan_line(row: Sequence[str], widths: Sequence[int]) -> str:
    cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
    return printable("  ".join([*cells, row[3]]))  # titles run on: never cut


def _totals(findings: Sequence[Finding]) -> str:
    tally = Counter(f.severity for f in findings)
    parts = [f"{tally[s]} {s.label}" for s in sorted(Severity, reverse=True) if tally[s]]
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{len(findings)} {noun}: " + ", ".join(parts)
