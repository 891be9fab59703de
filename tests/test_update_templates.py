"""Several templates in one repository: adopt, update (all or --template), drift, --data.

Real git repositories, a real store and copier's real merges; the gate is a stand-in here
(tests/cli/test_adopt.py runs the real scanners end to end).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.helpers import write_tree
from tests.update_helpers import Workbench, commit, fake_gate, git, snapshot

from pavedroad.catalog import store
from pavedroad.errors import UserError
from pavedroad.project import drift
from pavedroad.project.adopt import AdoptRequest, AdoptResult, adopt
from pavedroad.project.update import UpdateRequest, UpdateResult, update

ADDON_COPIER = """\
_subdirectory: template
_answers_file: .copier-answers.yml
team:
  type: str
  default: core
digest:
  type: str
  default: ""
"""
ADDON_FILES = {
    "copier.yml": ADDON_COPIER,
    "template/addon/team.txt.jinja": "team = {{ team }}\n",
    "template/addon/{% if digest %}pinned.txt{% endif %}.jinja": "image@{{ digest }}\n",
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
}
DIGEST = "sha256:" + "ab" * 32


class TwoTemplates(Workbench):
    """The update tests' `tiny` plus an `addon` template, versioned together."""

    def __init__(self, tmp_path: Path) -> None:
        write_tree(tmp_path / "catalog" / "templates" / "addon", ADDON_FILES)
        super().__init__(tmp_path)

    def _write_catalog(self) -> None:
        super()._write_catalog()
        path = self.root / "catalog.yaml"
        data = yaml.safe_load(path.read_text())
        addon = {
            **data["templates"][0],
            "id": "addon",
            "title": "Addon",
            "path": "templates/addon",
            "guarded": ["addon/team.txt"],
            "migrations": [],
        }
        data["templates"].append(addon)
        path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture
def bench(tmp_path: Path) -> TwoTemplates:
    bench = TwoTemplates(tmp_path)
    bench.publish()
    return bench


def adopt_addon(bench: Workbench, project: Path, **options: Any) -> AdoptResult:
    request = AdoptRequest("addon", project, catalog=bench.root, **options)
    return adopt(request, gate=fake_gate())


def run(bench: Workbench, project: Path, **options: Any) -> UpdateResult:
    return update(UpdateRequest(project, catalog=bench.root, **options), gate=fake_gate())


def recorded(project: Path, name: str) -> dict[str, Any]:
    data = yaml.safe_load((project / name).read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture
def project(bench: TwoTemplates) -> Path:
    """A `paved new` project (classic answers file) that later adopted `addon`."""
    project = bench.new_project()
    result = adopt_addon(bench, project, data={"team": "payments"})
    assert result.answers_file == ".copier-answers.addon.yml"
    assert ".copier-answers.addon.yml" in result.added
    commit(project, "Adopt addon")
    return project


def test_second_template_records_its_own_answers_file(project: Path) -> None:
    classic = recorded(project, ".copier-answers.yml")
    addon = recorded(project, ".copier-answers.addon.yml")
    assert classic["_paved_template"] == "tiny" and classic["name"] == "svc"
    assert addon["_paved_template"] == "addon" and addon["_paved_version"] == "1.0.0"
    assert addon["team"] == "payments" and "name" not in addon
    assert (project / "addon" / "team.txt").read_text() == "team = payments\n"


def test_update_brings_every_template_in_one_apply(bench: TwoTemplates, project: Path) -> None:
    bench.edit({"template/README.md.jinja": "# {{ name }}\n\nNew intro.\n"})
    (bench.root / "templates/addon/template/addon/team.txt.jinja").write_text(
        "team = {{ team }}\nchannel = #{{ team }}\n"
    )
    bench.release("1.1.0")

    result = run(bench, project)

    assert [(u.template_id, u.from_version, u.to_version) for u in result.updates] == [
        ("tiny", "1.0.0", "1.1.0"),
        ("addon", "1.0.0", "1.1.0"),
    ]
    assert result.what == "tiny 1.0.0 -> 1.1.0; addon 1.0.0 -> 1.1.0"
    assert (project / "README.md").read_text() == "# svc\n\nNew intro.\n"
    assert "channel = #payments" in (project / "addon" / "team.txt").read_text()
    assert recorded(project, ".copier-answers.yml")["_paved_version"] == "1.1.0"
    assert recorded(project, ".copier-answers.addon.yml")["_paved_version"] == "1.1.0"
    assert recorded(project, ".copier-answers.addon.yml")["team"] == "payments"
    assert git(project, "log", "--oneline").count("\n") == 2, "nothing is committed"


def test_update_one_template_leaves_the_other(bench: TwoTemplates, project: Path) -> None:
    bench.edit({"template/README.md.jinja": "# {{ name }}\n\nNew intro.\n"})
    bench.release("1.1.0")

    result = run(bench, project, template="tiny")

    assert result.what == "tiny 1.0.0 -> 1.1.0"
    assert {c.path for c in result.changes} == {"README.md", ".copier-answers.yml"}
    assert recorded(project, ".copier-answers.addon.yml")["_paved_version"] == "1.0.0"


def test_unknown_template_is_refused_naming_what_is_carried(
    bench: TwoTemplates, project: Path
) -> None:
    with pytest.raises(UserError, match=r"--template nope: .* \(it carries: tiny, addon\)"):
        run(bench, project, template="nope")


def test_data_at_the_latest_version_rerenders(bench: TwoTemplates, project: Path) -> None:
    before = run(bench, project)
    assert before.up_to_date, "nothing to do without new answers"

    result = run(bench, project, data={"digest": DIGEST})

    assert result.what == "addon 1.0.0 (new answers)"
    assert (project / "addon" / "pinned.txt").read_text() == f"image@{DIGEST}\n"
    assert recorded(project, ".copier-answers.addon.yml")["digest"] == DIGEST
    assert recorded(project, ".copier-answers.addon.yml")["team"] == "payments"
    assert {c.path for c in result.changes} == {"addon/pinned.txt", ".copier-answers.addon.yml"}
    assert result.after is not None, "the re-render is gated like any update"


def test_data_equal_to_the_recorded_answer_is_nothing_to_do(
    bench: TwoTemplates, project: Path
) -> None:
    assert run(bench, project, data={"team": "payments"}).up_to_date


def test_data_no_template_asks_is_refused(bench: TwoTemplates, project: Path) -> None:
    before = snapshot(project)
    with pytest.raises(UserError, match=r"--data colour: none of the templates \(tiny, addon\)"):
        run(bench, project, data={"colour": "red"})
    assert snapshot(project) == before


def test_to_needs_template_when_several(bench: TwoTemplates, project: Path) -> None:
    with pytest.raises(UserError, match="pass --template ID"):
        run(bench, project, to="1.0.0")


def test_drift_reports_one_row_per_template(bench: TwoTemplates, project: Path) -> None:
    (project / "addon" / "team.txt").unlink()
    commit(project)
    bench.release("1.1.0")

    reports = drift.check([project], bench.catalog(), store.resolve())

    assert [(r.template_id, r.version, r.latest, r.behind) for r in reports] == [
        ("tiny", "1.0.0", "1.1.0", 1),
        ("addon", "1.0.0", "1.1.0", 1),
    ]
    assert reports[0].missing == () and reports[1].missing == ("addon/team.txt",)
    only = drift.check([project], bench.catalog(), store.resolve(), template="addon")
    assert [r.template_id for r in only] == ["addon"]


def test_the_repository_baseline_is_reported_once_not_per_template(
    bench: TwoTemplates, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline = {
        "schema": "pavedroad/baseline/v1",
        "created": "2026-11-30",
        "expires": "2026-12-30",
        "stage": None,
        "findings": [
            {"fingerprint": "a" * 64, "rule_id": "DL3007", "path": "D", "severity": "low"}
        ],
    }
    write_tree(project, {".pavedroad/baseline.json": json.dumps(baseline)})
    commit(project)
    monkeypatch.setenv("PAVED_TODAY", "2027-01-15")

    reports = drift.check([project], bench.catalog(), store.resolve())

    rows = [[c.field for c in r.weakened if c.field.endswith("baseline.json")] for r in reports]
    assert rows == [[".pavedroad/baseline.json"], []]


def test_adopting_a_carried_template_again_is_refused(bench: TwoTemplates, project: Path) -> None:
    with pytest.raises(UserError, match="already carries addon 1.0.0"):
        adopt_addon(bench, project)
    with pytest.raises(UserError, match=r"already carries tiny 1\.0\.0 \(\.copier-answers\.yml\)"):
        adopt(AdoptRequest("tiny", project, catalog=bench.root), gate=fake_gate())


def test_foreign_classic_answers_file_is_left_to_its_owner(bench: TwoTemplates) -> None:
    repo = bench.tmp / "legacy"
    repo.mkdir()
    foreign = "_src_path: gh:someone/else\n_commit: v3\nflavour: other\n"
    (repo / ".copier-answers.yml").write_text(foreign)
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit(repo, "A project from another copier template")
    adopt_addon(bench, repo)
    commit(repo, "Adopt addon")
    bench.release("1.1.0")

    result = run(bench, repo)

    assert result.what == "addon 1.0.0 -> 1.1.0"
    assert (repo / ".copier-answers.yml").read_text() == foreign
    reports = drift.check([repo], bench.catalog(), store.resolve())
    assert [(r.template_id, r.error) for r in reports] == [("addon", None)]
