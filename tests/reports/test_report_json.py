"""The `pavedroad/gate/v1` JSON document: documented keys, round trip, stable order."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from pavedroad.findings import Finding
from pavedroad.gate.result import GateResult
from pavedroad.reports import json as json_report
from pavedroad.reports.json import FINDING_KEYS, JsonReporter

REPORTER = JsonReporter()


def _load(result: GateResult) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(REPORTER.render(result))
    return doc


def test_top_level_keys_and_summary(mixed: GateResult) -> None:
    doc = _load(mixed)
    assert set(doc) == {
        "schema",
        "stage",
        "blocked",
        "files_scanned",
        "scanners",
        "summary",
        "held",
        "observe_until",
        "notes",
        "findings",
    }
    assert doc["schema"] == "pavedroad/gate/v1"
    assert (doc["stage"], doc["blocked"], doc["files_scanned"]) == ("pr", True, 42)
    assert doc["summary"] == {"block": 2, "ticket": 1, "warn": 1, "info": 1, "excepted": 1}
    assert doc["notes"] == list(mixed.notes)
    assert doc["held"] == {"observe": 0, "baseline": 0, "pre-existing": 0}
    assert doc["observe_until"] is None


def test_held_counts_and_read_back(held: GateResult) -> None:
    doc = _load(held)
    assert doc["held"] == {"observe": 1, "baseline": 1, "pre-existing": 0}
    assert doc["observe_until"] == "2025-04-01"
    assert doc["blocked"] is False and doc["summary"]["ticket"] == 3
    back = json_report.read(REPORTER.render(held), "gate.json")
    assert back.observe_until == "2025-04-01"
    assert sorted(g.held.value for g in back.findings if g.held) == ["baseline", "observe"]


def test_every_finding_field_is_exported_and_documented(mixed: GateResult) -> None:
    finding_fields = {f.name for f in fields(Finding)}
    assert set(FINDING_KEYS) == finding_fields | {"verdict", "reason", "short_ref", "held"}
    assert all(f'"{key}"' in (json_report.__doc__ or "") for key in FINDING_KEYS)
    assert all(set(item) == set(FINDING_KEYS) for item in _load(mixed)["findings"])


def test_findings_round_trip_to_the_input(mixed: GateResult) -> None:
    exported = {item["fingerprint"]: item for item in _load(mixed)["findings"]}
    for gated in mixed.findings:
        item = exported[gated.finding.fingerprint]
        f = gated.finding
        assert item["severity"] == f.severity.label
        assert item["message"] == f.message
        assert (item["start_line"], item["end_line"]) == (f.start_line, f.end_line)
        assert (item["verdict"], item["reason"]) == (gated.verdict.value, gated.reason)
        assert item["short_ref"] == f.short_ref
        assert item["inline_suppressed"] is f.inline_suppressed


def test_findings_are_ordered_by_verdict_then_severity(mixed: GateResult) -> None:
    items = _load(mixed)["findings"]
    assert [i["verdict"] for i in items] == ["block", "block", "ticket", "warn", "info", "excepted"]
    assert [i["severity"] for i in items[:2]] == ["critical", "high"]


def test_keys_are_sorted(mixed: GateResult) -> None:
    text = REPORTER.render(mixed)
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False)


def test_empty_result(empty: GateResult) -> None:
    doc = _load(empty)
    assert doc["blocked"] is False and doc["findings"] == []
    assert set(doc["summary"].values()) == {0}
    assert doc["notes"] == []
