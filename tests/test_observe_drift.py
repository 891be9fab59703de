"""`paved drift` on real repositories: observe mode past its date, a baseline that expired."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.update_helpers import POLICY, Workbench, commit
from typer.testing import CliRunner

from pavedroad.catalog import store
from pavedroad.cli import app
from pavedroad.exceptions import baseline as baseline_file
from pavedroad.project import drift

RUNNER = CliRunner()
OBSERVING = POLICY.replace(
    "release: {scope: full, block: high,",
    "release: {scope: full, mode: observe, enforce_from: 2027-01-15, block: high,",
)


@pytest.fixture
def bench(tmp_path: Path) -> Workbench:
    bench = Workbench(tmp_path)
    bench.publish()
    return bench


def _weakened(
    bench: Workbench, project: Path, today: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[tuple[str, str]], drift.DriftReport]:
    monkeypatch.setenv("PAVED_TODAY", today)
    (report,) = drift.check([project], bench.catalog(), store.resolve())
    return [(c.field, c.actual) for c in report.weakened], report


def test_observe_mode_is_accepted_until_its_date_then_drift(
    bench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = bench.new_project()
    assert OBSERVING != POLICY
    (project / ".pavedroad" / "policy.yaml").write_text(OBSERVING, encoding="utf-8")
    commit(project, "observe the release gate first")

    weakened, report = _weakened(bench, project, "2027-01-14", monkeypatch)
    assert weakened == [] and not report.drifted
    assert [c.field for c in report.gate_changes] == ["stages.release.mode"]

    weakened, report = _weakened(bench, project, "2027-01-15", monkeypatch)
    assert weakened == [
        ("stages.release.mode", "observe until 2027-01-15 (date passed; set mode: enforce)")
    ]
    assert report.drifted and drift.exit_code([report]) == 1
    out = RUNNER.invoke(app, ["drift", str(project), "--catalog", str(bench.root)]).stdout
    assert "gate weaker: stages.release.mode enforce -> observe until 2027-01-15" in out


def test_an_expired_baseline_is_drift(bench: Workbench, monkeypatch: pytest.MonkeyPatch) -> None:
    project = bench.new_project()
    doc = {
        "schema": "pavedroad/baseline/v1",
        "created": "2026-11-30",
        "expires": "2026-12-30",
        "stage": None,
        "findings": [
            {"fingerprint": "a" * 64, "rule_id": "DL3007", "path": "D", "severity": "low"}
        ],
    }
    (project / baseline_file.BASELINE_PATH).write_text(json.dumps(doc), encoding="utf-8")
    commit(project, "baseline")
    assert _weakened(bench, project, "2026-12-30", monkeypatch)[0] == []
    weakened, _ = _weakened(bench, project, "2026-12-31", monkeypatch)
    assert weakened == [
        (
            ".pavedroad/baseline.json",
            "expired: fix its findings or request exceptions, then delete it",
        )
    ]
