"""paved drift: versions behind, guarded files, weaker gates; library and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.update_helpers import POLICY, Workbench, commit, git
from typer.testing import CliRunner

from pavedroad.catalog import store
from pavedroad.cli import app
from pavedroad.cli.drift import RENDERERS, DriftFormat
from pavedroad.policy import file as policy
from pavedroad.project import drift

ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
STRICT = policy.parse(
    {
        "version": 1,
        "stages": {
            "pr": {"scope": "changed", "block": "high", "ticket": "medium", "warn": "low"},
            "release": {"scope": "full", "block": "high", "ticket": "medium", "warn": "low"},
        },
        "severity_overrides": {"CKV_DOCKER_2": "high"},
    },
    "policy.yaml",
)


def _with(**changes: object) -> policy.Policy:
    raw: dict[str, object] = {
        "version": 1,
        "stages": {
            "pr": {"scope": "changed", "block": "high", "ticket": "medium", "warn": "low"},
            "release": {"scope": "full", "block": "high", "ticket": "medium", "warn": "low"},
        },
        "severity_overrides": {"CKV_DOCKER_2": "high"},
    }
    raw.update(changes)
    return policy.parse(raw, "policy.yaml")


def _weaker(actual: policy.Policy) -> set[str]:
    return {c.field for c in drift.compare_policies(STRICT, actual) if c.weaker}


def test_identical_policies_have_no_changes() -> None:
    assert drift.compare_policies(STRICT, _with()) == ()


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        ({"release": {"scope": "full", "block": "critical", "ticket": "medium"}}, "block"),
        ({"release": {"scope": "full", "ticket": "medium", "warn": "low"}}, "block"),
        (
            {"release": {"scope": "changed", "block": "high", "ticket": "medium", "warn": "low"}},
            "scope",
        ),
    ],
    ids=["raised-block", "removed-block", "full-to-changed"],
)
def test_stage_weakenings(stages: dict[str, object], expected: str) -> None:
    pr = {"scope": "changed", "block": "high", "ticket": "medium", "warn": "low"}
    assert f"stages.release.{expected}" in _weaker(_with(stages={"pr": pr, **stages}))


def test_removed_stage_is_weaker_and_added_stage_is_not() -> None:
    release = {"scope": "full", "block": "high", "ticket": "medium", "warn": "low"}
    assert _weaker(_with(stages={"release": release})) == {"stages.pr"}
    more = {"pr": release | {"scope": "changed"}, "release": release, "nightly": {"scope": "full"}}
    changes = drift.compare_policies(STRICT, _with(stages=more))
    assert [(c.field, c.weaker) for c in changes] == [("stages.nightly", False)]


def test_stricter_thresholds_are_not_weaker() -> None:
    stages = {
        "pr": {"scope": "full", "block": "medium", "ticket": "low", "warn": "info"},
        "release": {"scope": "full", "block": "high", "ticket": "medium", "warn": "low"},
    }
    changes = drift.compare_policies(STRICT, _with(stages=stages))
    assert changes and not any(c.weaker for c in changes)


@pytest.mark.parametrize(
    ("exceptions", "field"),
    [
        ({"inline_suppressions": "allow"}, "exceptions.inline_suppressions"),
        ({"inline_suppressions": "warn"}, "exceptions.inline_suppressions"),
        ({"max_days": 365}, "exceptions.max_days"),
        ({"controls_required_at": "critical"}, "exceptions.controls_required_at"),
    ],
)
def test_exception_rule_weakenings(exceptions: dict[str, object], field: str) -> None:
    assert _weaker(_with(exceptions=exceptions)) == {field}


def test_severity_override_lowering_a_rule_is_weaker() -> None:
    assert _weaker(_with(severity_overrides={"CKV_DOCKER_2": "low"})) == {
        "severity_overrides.CKV_DOCKER_2"
    }
    raised = _with(severity_overrides={"CKV_DOCKER_2": "critical"})
    assert _weaker(raised) == set()
    lowered_default = _with(severity_overrides={"CKV_DOCKER_2": "high", "DL3007": "info"})
    assert _weaker(lowered_default) == {"severity_overrides.DL3007"}, "DL3007 is medium by default"


# --- repositories ---------------------------------------------------------------------------


@pytest.fixture
def bench(tmp_path: Path) -> Workbench:
    bench = Workbench(tmp_path)
    bench.publish()
    return bench


def _check(bench: Workbench, *paths: Path) -> tuple[drift.DriftReport, ...]:
    return drift.check(paths, bench.catalog(), store.resolve())


def test_clean_repository_is_on_the_road(bench: Workbench) -> None:
    project = bench.new_project()
    (report,) = _check(bench, project)
    assert (report.template_id, report.version, report.latest, report.behind) == (
        "tiny",
        "1.0.0",
        "1.0.0",
        0,
    )
    assert report.guarded == () and report.gate_changes == () and not report.drifted
    assert drift.exit_code([report]) == 0


def test_deleted_guarded_file_weakened_gate_and_versions_behind(bench: Workbench) -> None:
    project = bench.new_project()
    (project / ".github" / "workflows" / "ci.yml").unlink()
    weaker = POLICY.replace(
        "release: {scope: full, block: high", "release: {scope: changed, block: critical"
    )
    (project / ".pavedroad" / "policy.yaml").write_text(weaker)
    commit(project)
    bench.edit({"template/README.md.jinja": "# {{ name }}\n"})
    bench.release("1.1.0")
    bench.edit({"template/README.md.jinja": "# {{ name }}!\n"})
    bench.release("1.2.0")

    (report,) = _check(bench, project)

    assert (report.version, report.latest, report.behind) == ("1.0.0", "1.2.0", 2)
    assert report.missing == (".github/workflows/ci.yml",)
    assert [(g.path, g.status) for g in report.guarded] == [
        (".pavedroad/policy.yaml", "changed"),
        (".github/workflows/ci.yml", "missing"),
    ]
    assert {c.field for c in report.weakened} == {"stages.release.scope", "stages.release.block"}
    assert drift.exit_code([report]) == 1


def test_many_repositories_and_one_that_is_not_from_the_catalog(
    bench: Workbench, tmp_path: Path
) -> None:
    good = bench.new_project("good")
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    reports = _check(bench, good, legacy)
    assert [r.error is None for r in reports] == [True, False]
    assert "not created from the catalog" in (reports[1].error or "")
    assert drift.exit_code(reports) == 2


def test_every_format_maps_and_renders(bench: Workbench) -> None:
    assert set(RENDERERS) == set(DriftFormat)
    project = bench.new_project()
    (project / ".pavedroad" / "policy.yaml").unlink()
    commit(project)
    reports = _check(bench, project)
    table = drift.to_table(reports)
    assert table.splitlines()[0].split() == list(drift._COLUMNS)
    assert "guarded file missing: .pavedroad/policy.yaml" in table
    markdown = drift.to_markdown(reports)
    assert markdown.startswith("| Repository | Template |")
    data = json.loads(drift.to_json(reports))
    assert data[0]["missing"] == [".pavedroad/policy.yaml"]
    assert data[0]["template_id"] == "tiny"


def test_cli_exit_codes_and_formats(bench: Workbench) -> None:
    project = bench.new_project()
    runner = CliRunner()
    args = ["drift", str(project), "--catalog", str(bench.root)]
    result = runner.invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert "tiny" in result.stdout and "1.0.0" in result.stdout
    (project / ".github" / "workflows" / "ci.yml").unlink()
    result = runner.invoke(app, [*args, "--format", "json"], env=ENV)
    assert result.exit_code == 1
    assert json.loads(result.stdout)[0]["missing"] == [".github/workflows/ci.yml"]
    result = runner.invoke(app, [*args, "--format", "markdown"], env=ENV)
    assert result.exit_code == 1 and "| Repository |" in result.stdout
    assert git(project, "status", "--porcelain").strip() == "D .github/workflows/ci.yml"


# --- scanner configuration in the repository (issue 20, items 3, 4 and 9) -----------------------

HIDING_BASELINE = {
    "plugins_used": [{"name": "KeywordDetector"}],
    "filters_used": [
        {"path": "detect_secrets.filters.regex.should_exclude_line", "pattern": [".*"]}
    ],
    "results": {},
}


def test_baseline_that_switches_scanning_off_is_weaker(bench: Workbench) -> None:
    project = bench.new_project()
    (project / ".secrets.baseline").write_text(json.dumps(HIDING_BASELINE), encoding="utf-8")
    commit(project)
    (report,) = _check(bench, project)
    fields = [c.field for c in report.weakened]
    assert fields == [".secrets.baseline: plugins_used", ".secrets.baseline: filters_used[0]"]
    assert drift.exit_code([report]) == 1
    table = drift.to_table([report])
    assert "gate weaker: .secrets.baseline: filters_used[0]" in table and '".*"' in table


def test_hadolint_ignores_and_downgrades_are_weaker(bench: Workbench) -> None:
    project = bench.new_project()
    config = "ignored: [DL3007]\noverride:\n  style: [DL3002]\n  error: [DL3008]\n"
    (project / ".hadolint.yaml").write_text(config, encoding="utf-8")
    commit(project)
    (report,) = _check(bench, project)
    assert [(c.field, c.actual) for c in report.weakened] == [
        (".hadolint.yaml: ignored", "DL3007"),
        (".hadolint.yaml: override.style", "DL3002"),
    ]


def test_config_symlinked_out_of_the_repository_is_weaker(bench: Workbench, tmp_path: Path) -> None:
    project = bench.new_project()
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps({"results": {}}), encoding="utf-8")
    (project / ".secrets.baseline").symlink_to(outside)
    (project / ".hadolint.yaml").symlink_to(outside)
    (report,) = _check(bench, project)
    assert {c.field for c in report.weakened} == {
        ".secrets.baseline: (file)",
        ".hadolint.yaml: (file)",
    }


def test_invalid_baseline_is_reported_and_the_row_kept(bench: Workbench) -> None:
    project = bench.new_project()
    (project / ".secrets.baseline").write_text("{not json", encoding="utf-8")
    (report,) = _check(bench, project)
    assert report.error is None and report.template_id == "tiny"
    [change] = report.weakened
    assert change.field == ".secrets.baseline" and "not valid JSON" in change.actual
