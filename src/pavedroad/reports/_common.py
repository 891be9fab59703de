"""Helpers every report shares: ordering, counting, locations and text cleaning."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import assert_never

from pavedroad.findings import Finding, Severity
from pavedroad.gate.result import GatedFinding, GateResult, Hold, Verdict
from pavedroad.textsafe import md_code as md_code
from pavedroad.textsafe import md_text as md_text
from pavedroad.textsafe import one_line as one_line
from pavedroad.textsafe import printable

VERDICT_ORDER: tuple[Verdict, ...] = tuple(Verdict)
HOLD_ORDER: tuple[Hold, ...] = tuple(Hold)
EXCEPTION_COMMAND = "paved exceptions request"

# Characters XML 1.0 forbids even when escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def sort_key(gated: GatedFinding) -> tuple[int, int, str, int, str, str]:
    """Return the stable order key: verdict, most severe first, then place and identity."""
    f = gated.finding
    verdict_rank = VERDICT_ORDER.index(gated.verdict)
    return (verdict_rank, -int(f.severity), f.path, f.start_line, f.rule_id, f.fingerprint)


def ordered(findings: Iterable[GatedFinding]) -> list[GatedFinding]:
    """Return findings in the order every report lists them."""
    return sorted(findings, key=sort_key)


def counts(result: GateResult) -> dict[Verdict, int]:
    """Count findings per verdict, with every verdict present."""
    tally = dict.fromkeys(VERDICT_ORDER, 0)
    for gated in result.findings:
        tally[gated.verdict] += 1
    return tally


def count_phrase(verdict: Verdict, n: int) -> str:
    """Return how a headline counts one verdict, e.g. '2 blocking' or '1 warning'."""
    match verdict:
        case Verdict.BLOCK:
            return f"{n} blocking"
        case Verdict.TICKET:
            return f"{n} to ticket"
        case Verdict.WARN:
            return f"{n} warning" if n == 1 else f"{n} warnings"
        case Verdict.INFO:
            return f"{n} info"
        case Verdict.EXCEPTED:
            return f"{n} excepted"
        case _:
            assert_never(verdict)


def held_counts(result: GateResult) -> dict[Hold, int]:
    """Count findings that would block but were held back, per reason, every reason present."""
    tally = dict.fromkeys(HOLD_ORDER, 0)
    for gated in result.findings:
        if gated.held is not None:
            tally[gated.held] += 1
    return tally


def hold_label(hold: Hold) -> str:
    """Return how reports name a reason for holding a block back."""
    match hold:
        case Hold.OBSERVE:
            return "observe mode"
        case Hold.BASELINE:
            return "baseline"
        case Hold.PRE_EXISTING:
            return "pre-existing"
        case _:
            assert_never(hold)


def held_phrase(result: GateResult) -> str:
    """Say how many findings would block and why they did not, e.g. '3 would block (3 baseline)'.

    Empty when nothing was held back.
    """
    tally = held_counts(result)
    total = sum(tally.values())
    if not total:
        return ""
    reasons = ", ".join(f"{n} {hold_label(h)}" for h, n in tally.items() if n)
    return f"{total} would block ({reasons})"


def outcome_qualifier(result: GateResult) -> str:
    """Return what qualifies a pass that held blocks back, e.g. ' (observe mode until ...)'."""
    if result.observe_until:
        return f" (observe mode until {result.observe_until})"
    if not result.blocked and any(g.held is not None for g in result.findings):
        return " (blocks held back)"
    return ""


def unblocked_severe(result: GateResult) -> str:
    """Say how many critical/high findings a stage without a block threshold let through.

    E.g. '2 critical, 1 high ticketed'; findings that were only warned are named too.
    """
    phrases = []
    groups = (((Verdict.TICKET,), "ticketed"), ((Verdict.WARN, Verdict.INFO), "not ticketed"))
    for verdicts, done in groups:
        severe = [g.finding.severity for g in result.findings if g.verdict in verdicts]
        critical = severe.count(Severity.CRITICAL)
        high = severe.count(Severity.HIGH)
        if critical or high or done == "ticketed":
            phrases.append(f"{critical} critical, {high} high {done}")
    return "; ".join(phrases)


def scanner_names(result: GateResult) -> tuple[str, ...]:
    """Return the scanners that ran, then any other scanner a finding names (sorted)."""
    extra = sorted({g.finding.scanner for g in result.findings} - set(result.scanners))
    return tuple(dict.fromkeys(result.scanners)) + tuple(extra)


def first_line(finding: Finding) -> int:
    """Return the first line, clamped to 1 (0 means the whole file)."""
    return max(finding.start_line, 1)


def last_line(finding: Finding) -> int:
    """Return the last line, never before the first."""
    return max(finding.end_line, first_line(finding))


def location_label(finding: Finding) -> str:
    """Return `path:line` (or the path of a whole-file finding), control characters escaped."""
    if finding.start_line < 1:
        return printable(finding.path)
    return f"{printable(finding.path)}:{finding.start_line}"


def repo_path(path: str, root: str) -> str:
    """Return a POSIX path relative to root when it lies inside it, without './' or '/'."""
    posix = PurePosixPath(path.replace("\\", "/"))
    base = PurePosixPath(root.replace("\\", "/"))
    if posix.is_absolute() and base.is_absolute() and posix.is_relative_to(base):
        posix = posix.relative_to(base)
    return posix.as_posix()


def truncate(text: str, limit: int) -> str:
    """Cut text to at most limit characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_web_url(url: str) -> bool:
    """Return True for an absolute http(s) URL without whitespace."""
    return url.startswith(("https://", "http://")) and not any(c.isspace() for c in url)


def exception_command(finding: Finding) -> str:
    """Return the command that requests an exception for this finding."""
    return f"{EXCEPTION_COMMAND} {finding.short_ref}"


def md_link(label: str, url: str) -> str:
    """Return a Markdown link, or an empty string when url is not a web URL."""
    if not is_web_url(url):
        return ""
    safe = url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return f"[{md_text(label)}]({safe})"


def xml_text(text: str) -> str:
    """Drop characters that XML 1.0 cannot carry, even escaped."""
    return _XML_INVALID.sub("", text)
