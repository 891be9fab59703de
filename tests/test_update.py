"""paved update as a library: real git repositories, a real store, copier's real 3-way merge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.update_helpers import (
    COPIER_V1,
    POLICY,
    Workbench,
    blocking_finding,
    commit,
    fake_gate,
    git,
    snapshot,
)

from pavedroad.catalog.model import Migration
from pavedroad.catalog.questions import Question
from pavedroad.errors import ConfigError, UserError
from pavedroad.project import migrations
from pavedroad.project.update import UpdateRequest, UpdateResult, update

README_V2 = "# {{ name }}\n\nIntro.\n\n## Usage\n\nRun it.\n\n## Security\n\nSee SECURITY.md.\n"


@pytest.fixture
def bench(tmp_path: Path) -> Workbench:
    bench = Workbench(tmp_path)
    bench.publish()
    return bench


def run(bench: Workbench, project: Path, **options: Any) -> UpdateResult:
    gate = options.pop("gate", None) or fake_gate()
    return update(UpdateRequest(project, catalog=bench.root, **options), gate=gate)


def answers(project: Path) -> dict[str, Any]:
    data = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_update_keeps_team_edits_and_gains_the_new_version(bench: Workbench) -> None:
    project = bench.new_project()
    app = project / "config" / "app.toml"
    app.write_text(app.read_text().replace('log = "info"', 'log = "debug"'))
    commit(project)
    bench.edit({"template/README.md.jinja": README_V2})
    bench.release("1.1.0")

    result = run(bench, project)

    assert (result.from_version, result.to_version) == ("1.0.0", "1.1.0")
    assert result.conflicts == ()
    assert 'log = "debug"' in app.read_text(), "the team's edit survives"
    assert "## Security" in (project / "README.md").read_text(), "the template's change arrives"
    recorded = answers(project)
    assert recorded["_paved_version"] == "1.1.0"
    assert recorded["_commit"] == "v1.1.0"
    assert recorded["name"] == "svc"
    assert {c.path for c in result.changes} == {"README.md", ".copier-answers.yml"}
    assert git(project, "log", "--oneline").count("\n") == 2, "nothing is committed for you"


def test_conflicting_edit_is_reported_and_loses_nothing(bench: Workbench) -> None:
    project = bench.new_project()
    app = project / "config" / "app.toml"
    app.write_text(app.read_text().replace("port = 8080", "port = 9000"))
    commit(project)
    bench.edit(
        {"template/config/app.toml.jinja": 'name = "{{ name }}"\nport = 8443\nlog = "info"\n'}
    )
    bench.release("1.1.0")

    result = run(bench, project)

    assert result.conflicts == ("config/app.toml",)
    assert result.after is None, "a half-merged tree is not gated"
    text = app.read_text()
    assert "<<<<<<<" in text and ">>>>>>>" in text
    assert "port = 9000" in text and "port = 8443" in text
    assert "port = 9000" in git(project, "show", "HEAD:config/app.toml")


def test_rename_and_move_across_two_versions_keep_answer_and_edits(bench: Workbench) -> None:
    project = bench.new_project("orders")
    app = project / "config" / "app.toml"
    app.write_text(app.read_text().replace("port = 8080", "port = 9000"))
    commit(project)
    renamed = COPIER_V1.replace("name:", "service_name:")
    bench.edit(
        {
            "copier.yml": renamed,
            "template/README.md.jinja": "# {{ service_name }}\n\nIntro.\n\n## Usage\n\nRun it.\n",
            "template/settings/app.toml.jinja": 'name = "{{ service_name }}"\nport = 8080\n'
            'log = "info"\n',
        },
        remove=("template/config/app.toml.jinja",),
    )
    bench.release(
        "2.0.0",
        rename_answers={"name": "service_name"},
        move_files={"config/app.toml": "settings/app.toml"},
    )
    bench.edit(
        {
            "template/settings/app.toml.jinja": 'name = "{{ service_name }}"\nport = 8080\n'
            'log = "info"\ntimeout = 30\n'
        }
    )
    bench.release("2.1.0")

    result = run(bench, project)

    assert result.to_version == "2.1.0" and result.conflicts == ()
    moved = (project / "settings" / "app.toml").read_text()
    assert 'name = "orders"' in moved, "the renamed answer keeps its value"
    assert "port = 9000" in moved, "the team's edit follows the file"
    assert "timeout = 30" in moved, "and so does the newer template change"
    assert not app.exists()
    recorded = answers(project)
    assert recorded["service_name"] == "orders" and "name" not in recorded
    assert (project / "README.md").read_text().startswith("# orders\n")
    assert "2.0.0: answer name renamed to service_name" in result.migrations


def test_deleted_file_is_reported_as_not_recreated(bench: Workbench) -> None:
    project = bench.new_project()
    (project / ".github" / "workflows" / "ci.yml").unlink()
    commit(project)
    bench.edit({"template/README.md.jinja": README_V2})
    bench.release("1.1.0")
    result = run(bench, project)
    assert result.not_recreated == (".github/workflows/ci.yml",)
    assert ".github/workflows/ci.yml" in result.guarded


def test_security_summary_shows_policy_and_pipeline_changes(bench: Workbench) -> None:
    project = bench.new_project()
    weaker = POLICY.replace(
        "release: {scope: full, block: high", "release: {scope: full, block: critical"
    )
    bench.edit(
        {
            "template/.pavedroad/policy.yaml": weaker,
            "template/.github/workflows/ci.yml": "name: ci\non: [push, pull_request]\njobs: {}\n",
        }
    )
    bench.release("1.1.0")
    result = run(bench, project, gate=fake_gate((blocking_finding(),)))
    changes = {c.field: c for c in result.policy_changes}
    assert changes["stages.release.block"].weaker
    assert (changes["stages.release.block"].reference, changes["stages.release.block"].actual) == (
        "high",
        "critical",
    )
    assert "+on: [push, pull_request]" in result.pipeline_diff
    assert result.after is not None and result.after.blocked


def test_up_to_date_changes_nothing(bench: Workbench) -> None:
    project = bench.new_project()
    before = snapshot(project)
    result = run(bench, project)
    assert result.up_to_date
    assert snapshot(project) == before


def test_to_a_given_version(bench: Workbench) -> None:
    project = bench.new_project()
    bench.edit({"template/README.md.jinja": README_V2})
    bench.release("1.1.0")
    bench.edit({"template/README.md.jinja": README_V2 + "\nMore.\n"})
    bench.release("1.2.0")
    result = run(bench, project, to="1.1.0")
    assert result.to_version == "1.1.0"
    assert answers(project)["_paved_version"] == "1.1.0"
    commit(project)
    with pytest.raises(UserError, match="downgrades are not supported"):
        run(bench, project, to="1.0.0")


# --- must withstand: a clear error naming the fix, and nothing changed ---------------------


def test_dirty_worktree_is_refused(bench: Workbench) -> None:
    project = bench.new_project()
    bench.edit({"template/README.md.jinja": README_V2})
    bench.release("1.1.0")
    (project / "notes.txt").write_text("wip\n")
    before = snapshot(project)
    with pytest.raises(UserError, match=r"uncommitted change.*git stash"):
        run(bench, project)
    assert snapshot(project) == before


def test_repository_without_answers_file_says_how_to_adopt(
    tmp_path: Path, bench: Workbench
) -> None:
    repo = tmp_path / "legacy"
    repo.mkdir()
    (repo / "main.py").write_text("print('hi')\n")
    git(repo, "init", "--quiet")
    commit(repo)
    with pytest.raises(UserError) as caught:
        run(bench, repo)
    message = str(caught.value)
    assert "not created from the catalog" in message
    assert (
        "paved adopt" in message and "_paved_template:" in message and "_paved_version:" in message
    )
    assert snapshot(repo) == {"main.py": b"print('hi')\n"}


def test_recorded_version_missing_from_the_store(bench: Workbench, tmp_path: Path) -> None:
    project = bench.new_project()
    bench.edit({"template/README.md.jinja": README_V2})
    bench.version = "1.1.0"
    bench._write_catalog()
    other = tmp_path / "other-store"
    before = snapshot(project)
    with pytest.raises(UserError, match=r"tiny 1\.0\.0 is not in the store .*publish it"):
        update(UpdateRequest(project, catalog=bench.root, store=str(other)), gate=fake_gate())
    assert snapshot(project) == before


def test_unreachable_store_url(bench: Workbench, tmp_path: Path) -> None:
    project = bench.new_project()
    url = f"file://{tmp_path}/no-such-remote"
    with pytest.raises(UserError, match=r"no-such-remote.*reachable"):
        update(UpdateRequest(project, catalog=bench.root, store=url), gate=fake_gate())
    assert git(project, "status", "--porcelain") == ""


def _add_required_question(bench: Workbench, default: str | None) -> None:
    spec = "region:\n  type: str\n" + (f"  default: {default}\n" if default else "")
    bench.edit(
        {
            "copier.yml": COPIER_V1 + spec,
            "template/region.txt.jinja": "{{ region }}\n",
        }
    )
    bench.release("1.1.0")


def test_new_required_question_without_a_terminal_names_it(bench: Workbench) -> None:
    project = bench.new_project()
    _add_required_question(bench, default=None)
    before = snapshot(project)
    with pytest.raises(UserError, match=r"tiny 1\.1\.0: answer region: required.*--data region="):
        run(bench, project)
    assert snapshot(project) == before
    run(bench, project, data={"region": "eu-west-1"})
    assert (project / "region.txt").read_text() == "eu-west-1\n"


def test_new_question_is_prompted_and_a_default_is_taken(bench: Workbench) -> None:
    project = bench.new_project()
    _add_required_question(bench, default=None)
    asked: list[str] = []

    def prompt(question: Question, default: Any) -> str:
        asked.append(question.name)
        return "us-east-1"

    run(bench, project, prompt=prompt)
    assert asked == ["region"], "answered questions are not asked again"
    assert (project / "region.txt").read_text() == "us-east-1\n"


def test_new_question_with_default_takes_it(bench: Workbench) -> None:
    project = bench.new_project()
    _add_required_question(bench, default="eu-central-1")
    run(bench, project)
    assert (project / "region.txt").read_text() == "eu-central-1\n"


def test_failed_copier_update_leaves_the_project_as_it_was(bench: Workbench) -> None:
    project = bench.new_project()
    bench.edit({"template/broken.txt.jinja": "{{ name | no_such_filter }}\n"})
    bench.release("1.1.0")
    before = snapshot(project)
    with pytest.raises(UserError, match="nothing was changed"):
        run(bench, project)
    assert snapshot(project) == before
    assert git(project, "status", "--porcelain") == ""


# --- migrations, unit level ------------------------------------------------------------------


def test_migrations_compose_and_apply_in_order() -> None:
    steps = (
        Migration("3.0.0", {"b": "c"}, {"conf/x.toml": "etc/x.toml"}),
        Migration("2.0.0", {"a": "b"}, {"config": "conf"}),
        Migration("1.0.0", {"z": "y"}, {}),
    )
    chosen = migrations.between(steps, "1.0.0", "3.0.0")
    assert [m.version for m in chosen] == ["2.0.0", "3.0.0"]
    assert migrations.rename_answers({"a": 1, "keep": 2}, chosen) == {"c": 1, "keep": 2}
    assert migrations.rename_answers({"a": 1, "c": 5}, chosen) == {"c": 5}, "given wins"
    moved = migrations.moves(chosen)
    assert migrations.target("config/x.toml", moved) == "etc/x.toml"
    assert migrations.target("config/y.toml", moved) == "conf/y.toml"
    assert migrations.target("other.toml", moved) is None


@pytest.mark.parametrize(
    ("migration", "needle"),
    [
        ({"version": "1.0.0"}, "declares nothing"),
        ({"version": "1.0.0", "move_files": {"../x": "y"}}, "not a project-relative path"),
        ({"version": "1.0.0", "move_files": {"/etc/x": "y"}}, "not a project-relative path"),
        ({"version": "1.0.0", "rename_answers": {"a-b": "c"}}, "not a question name"),
        ({"version": "9.0.0", "rename_answers": {"a": "b"}}, "above the template's version"),
        ({"version": "1.0", "rename_answers": {"a": "b"}}, "not a semantic version"),
        ({"version": "1.0.0", "rename_answers": {"a": "b"}, "run": "rm -rf /"}, "run"),
    ],
)
def test_catalog_migrations_are_validated_strictly(
    tmp_path: Path, migration: dict[str, Any], needle: str
) -> None:
    bench = Workbench(tmp_path)
    bench.migrations.append(migration)
    bench._write_catalog()
    with pytest.raises(ConfigError, match=r"catalog.yaml: templates\[0\]") as caught:
        bench.catalog()
    assert needle in str(caught.value)


def test_duplicate_migration_versions_are_refused(tmp_path: Path) -> None:
    bench = Workbench(tmp_path)
    bench.migrations += [{"version": "1.0.0", "rename_answers": {"a": "b"}}] * 2
    bench._write_catalog()
    with pytest.raises(ConfigError, match="listed twice"):
        bench.catalog()


def test_project_in_a_subfolder_of_a_monorepo(bench: Workbench, tmp_path: Path) -> None:
    project = bench.new_project()
    mono = tmp_path / "mono"
    (mono / "services").mkdir(parents=True)
    project.rename(mono / "services" / "svc")
    (mono / "services" / "svc" / ".git").rename(tmp_path / "old-git")
    (mono / "notes.txt").write_text("not part of the project\n")
    git(mono, "init", "--quiet")
    commit(mono)
    bench.edit({"template/README.md.jinja": README_V2})
    bench.release("1.1.0")
    result = run(bench, mono / "services" / "svc")
    assert {c.path for c in result.changes} == {"README.md", ".copier-answers.yml"}
    assert "## Security" in (mono / "services" / "svc" / "README.md").read_text()


def test_store_behind_a_git_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = tmp_path / "remote"
    git(tmp_path, "init", "--quiet", "--bare", str(remote / "tiny.git"))
    monkeypatch.setenv("PAVED_STORE", f"file://{remote}")
    monkeypatch.setenv("COPIER_CACHE_DIR", str(tmp_path / "copier-cache"))
    bench = Workbench(tmp_path)
    bench.publish()
    project = bench.new_project()
    assert answers(project)["_src_path"] == f"file://{remote}/tiny.git"
    bench.edit({"template/README.md.jinja": README_V2})
    bench.release("1.1.0")
    result = run(bench, project)
    assert result.to_version == "1.1.0" and "## Security" in (project / "README.md").read_text()
