"""Terminal output of `paved gate` and `paved scan`: plain text, no colour codes.

`render` fits one screen (25 lines at most) however many findings there are: a
headline, the blocking findings in 3 lines each (severity, rule, place, title; the
fix; the exception command), as many as fit and never more than 8, then up to 2 gate
notes (expired or expiring exceptions), one line of what does not block and one of
what was scanned. Lines are cut at 100 columns; `--format markdown` has everything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pavedroad.findings import Finding, Severity
from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.reports._common import (
    count_phrase,
    counts,
    exception_command,
    location_label,
    one_line,
    ordered,
    truncate,
    unblocked_severe,
)
from pavedroad.textsafe import printable

WIDTH = 100
SCREEN = 25
MAX_BLOCKING = 8
MAX_NOTES = 2
_LINES_PER_FINDING = 3
_SCAN_COLUMNS = ("SEVERITY", "RULE", "LOCATION", "TITLE")
_RULE_WIDTH = 28
_LOCATION_WIDTH = 44


def render(result: GateResult) -> str:
    """Render the gate result for the terminal."""
    blocking = [g for g in ordered(result.findings) if g.verdict is Verdict.BLOCK]
    tail = _notes(result.notes)
    if any(g.verdict is not Verdict.BLOCK for g in result.findings):
        tail.append(_not_blocking(result))
    tail.append(_scanned(result))
    shown = _blocking_that_fit(len(blocking), room=SCREEN - 1 - len(tail))
    lines = [_headline(result)]
    for gated in blocking[:shown]:
        lines.extend(_blocking_lines(gated))
    if len(blocking) > shown:
        lines.append(f"  … and {len(blocking) - shown} more blocking (see --format markdown)")
    lines.extend(tail)
    return "\n".join(truncate(printable(line), WIDTH) for line in lines)


def _blocking_that_fit(count: int, room: int) -> int:
    """Return how many blocking findings to show in room lines (one goes to 'and N more')."""
    if count <= MAX_BLOCKING and count * _LINES_PER_FINDING <= room:
        return count
    return max(0, min(MAX_BLOCKING, (room - 1) // _LINES_PER_FINDING))


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
    outcome = "BLOCKED" if result.blocked else "PASSED"
    if not result.findings:
        return f"{outcome}: stage {result.stage} — no findings"
    return f"{outcome}: stage {result.stage} — {tallied}"


def _blocking_lines(gated: GatedFinding) -> list[str]:
    f = gated.finding
    title = one_line(f.title) + (" (suppressed inline)" if f.inline_suppressed else "")
    return [
        f"  {f.severity.name:<8} {f.rule_id} {location_label(f)}  {title}",
        f"      fix: {_fix(f)}",
        f"      exception: {exception_command(f)}",
    ]


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
    return f"Scanned {result.files_scanned} files with {scanners}."


@dataclass(frozen=True)
class TextReporter:
    """The terminal summary of `paved gate`."""

    name: str = "text"
    default_filename: str = "pavedroad-gate.txt"

    def render(self, result: GateResult) -> str:
        """Render the gate result for the terminal."""
        return render(result)


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
    return truncate(printable("  ".join([*cells, row[3]])), WIDTH)


def _totals(findings: Sequence[Finding]) -> str:
    tally = Counter(f.severity for f in findings)
    parts = [f"{tally[s]} {s.label}" for s in sorted(Severity, reverse=True) if tally[s]]
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{len(findings)} {noun}: " + ", ".join(parts)
