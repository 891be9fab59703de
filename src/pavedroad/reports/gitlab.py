"""GitLab Code Quality JSON (`artifacts:reports:codequality`), shown in merge requests.

A JSON array of issues with `description`, `check_name`, `fingerprint`, `severity`
and `location {path, lines {begin}}`. The fingerprint is the finding's own, so GitLab
matches an issue across branches even when lines shift. Severity follows the
finding's severity (info, minor, major, critical, blocker); excepted findings are
kept, so exceptions stay visible, but as `info` with the justification. A finding that would
block but was held back (observe mode, baseline, pre-existing) says so in its description.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, assert_never

from pavedroad.findings import Severity
from pavedroad.gate.result import GatedFinding, GateResult, Verdict
from pavedroad.reports._common import first_line, hold_label, one_line, ordered, repo_path


def gitlab_severity(severity: Severity) -> str:
    """Return the Code Quality severity for a finding severity."""
    match severity:
        case Severity.CRITICAL:
            return "blocker"
        case Severity.HIGH:
            return "critical"
        case Severity.MEDIUM:
            return "major"
        case Severity.LOW:
            return "minor"
        case Severity.INFO:
            return "info"
        case _:
            assert_never(severity)


def issue(gated: GatedFinding, root: str) -> dict[str, Any]:
    """Return the Code Quality issue for one finding."""
    f = gated.finding
    excepted = gated.verdict is Verdict.EXCEPTED
    return {
        "description": _description(gated),
        "check_name": f.rule_id,
        "fingerprint": f.fingerprint,
        "severity": "info" if excepted else gitlab_severity(f.severity),
        "location": {"path": repo_path(f.path, root), "lines": {"begin": first_line(f)}},
    }


def _description(gated: GatedFinding) -> str:
    f = gated.finding
    held = f", would block, held back: {hold_label(gated.held)}" if gated.held else ""
    text = f"[{gated.verdict.value}{held}] {one_line(f.title)}"
    message = one_line(f.message)
    if message and message != one_line(f.title):
        text += f": {message}"
    if gated.verdict is Verdict.EXCEPTED:
        return f"{text} (excepted: {one_line(gated.reason)})"
    return f"{text.rstrip('.')}. Fix: {one_line(f.fix)}" if f.fix.strip() else text


@dataclass(frozen=True)
class GitlabReporter:
    """GitLab Code Quality report."""

    name: str = "gitlab"
    default_filename: str = "gl-code-quality-report.json"

    def render(self, result: GateResult) -> str:
        """Render the issues as an indented JSON array with sorted keys."""
        issues = [issue(g, result.root) for g in ordered(result.findings)]
        return json.dumps(issues, indent=2, sort_keys=True, ensure_ascii=False)
