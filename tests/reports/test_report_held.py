"""Held-back findings are counted apart in every report, whatever held them back."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.helpers import make_finding

from pavedroad.gate.result import GatedFinding, GateResult, Hold, Verdict
from pavedroad.reports import REPORTERS, _common, text


def _pre_existing(result: GateResult) -> GateResult:
    """The held fixture with every held finding marked pre-existing, and no observe date."""
    why = "would block: high >= block threshold high; held: pre-existing at the merge-base 0ab1"
    findings = tuple(
        replace(g, held=Hold.PRE_EXISTING, reason=why) if g.held else g for g in result.findings
    )
    return replace(result, findings=findings, observe_until=None)


def test_every_hold_has_a_label_and_is_counted(held: GateResult) -> None:
    assert {h: _common.hold_label(h) for h in Hold} == {
        Hold.OBSERVE: "observe mode",
        Hold.BASELINE: "baseline",
        Hold.PRE_EXISTING: "pre-existing",
    }
    assert _common.held_counts(held) == {Hold.OBSERVE: 1, Hold.BASELINE: 1, Hold.PRE_EXISTING: 0}
    assert _common.held_phrase(held) == "2 would block (1 observe mode, 1 baseline)"


def test_nothing_held_says_nothing(mixed: GateResult) -> None:
    assert _common.held_phrase(mixed) == "" and _common.outcome_qualifier(mixed) == ""
    assert "Held back" not in text.render(mixed)


def test_a_pass_held_by_pre_existing_findings(held: GateResult) -> None:
    result = _pre_existing(held)
    lines = text.render(result).splitlines()
    assert lines[0].startswith("PASSED (blocks held back): stage pr")
    assert lines[1] == "Held back: 2 would block (2 pre-existing); not blocking"


def test_a_blocked_result_still_counts_what_was_held(held: GateResult) -> None:
    blocking = GatedFinding(make_finding(resource="new"), Verdict.BLOCK, "critical")
    result = replace(_pre_existing(held), findings=(*_pre_existing(held).findings, blocking))
    lines = text.render(result).splitlines()
    assert lines[0].startswith("BLOCKED: stage pr — 1 blocking")
    assert lines[1] == "Held back: 2 would block (2 pre-existing); not blocking"


@pytest.mark.parametrize("name", ["markdown", "github", "gitlab", "junit", "sarif", "json"])
def test_each_format_names_the_reason(name: str, held: GateResult) -> None:
    rendered = REPORTERS[name].render(_pre_existing(held))
    assert "pre-existing" in rendered
    assert "observe mode" not in rendered
