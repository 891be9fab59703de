"""The JSON report reads back into the gate result it was written from (CI artifacts)."""

from __future__ import annotations

import json

import pytest

from pavedroad.errors import ConfigError
from pavedroad.gate.result import GatedFinding, GateResult, Hold, Verdict
from pavedroad.reports import json as json_report


def test_round_trip_keeps_every_finding_and_verdict(mixed: GateResult) -> None:
    result = mixed
    back = json_report.read(json_report.JsonReporter().render(result), "gate.json")
    assert back.stage == result.stage
    assert sorted(back.findings, key=_key) == sorted(result.findings, key=_key)


def test_held_survives_the_round_trip(mixed: GateResult) -> None:
    result = mixed
    first = result.findings[0]
    held = GateResult(
        stage=result.stage,
        root=result.root,
        findings=(GatedFinding(first.finding, Verdict.TICKET, "baselined", Hold.BASELINE),),
        files_scanned=1,
        scanners=result.scanners,
    )
    back = json_report.read(json_report.JsonReporter().render(held), "gate.json")
    assert back.findings[0].held is Hold.BASELINE


def test_unknown_fields_are_ignored_as_gate_v1_only_adds(mixed: GateResult) -> None:
    doc = json.loads(json_report.JsonReporter().render(mixed))
    doc["started_at"] = "2026-01-01T00:00:00Z"
    doc["findings"][0]["new_field"] = 1
    assert json_report.read(json.dumps(doc), "gate.json").findings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not json", "gate.json: not JSON"),
        ('{"schema": "other/v9", "stage": "pr", "findings": []}', "gate.json: schema"),
        ('{"schema": "pavedroad/gate/v1", "stage": "pr"}', "gate.json: findings"),
    ],
)
def test_bad_documents_name_the_file_and_field(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        json_report.read(text, "gate.json")
    assert str(err.value).startswith(expected)
    assert "ValidationError" not in str(err.value)


def _key(g: GatedFinding) -> str:
    return g.finding.fingerprint + g.verdict.value
