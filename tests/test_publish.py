"""paved catalog publish: one git repository per template, one tag per version, idempotent."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from tests.helpers import VULNERABLE_FILES, write_tree
from tests.update_helpers import Workbench, fake_gate, git
from typer.testing import CliRunner

from pavedroad.catalog import publish, store
from pavedroad.cli import app
from pavedroad.errors import ConfigError, GateFailedError, UserError

ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def refs(repo: Path | str) -> dict[str, str]:
    """Return ref name -> commit of a repository (local path or URL)."""
    out = git(Path.cwd(), "ls-remote", str(repo))
    return {name: sha for sha, name in (line.split("\t") for line in out.splitlines())}


@pytest.fixture
def bench(tmp_path: Path) -> Workbench:
    return Workbench(tmp_path)


def test_publish_creates_a_tagged_repository_and_is_idempotent(bench: Workbench) -> None:
    (first,) = bench.publish()
    repo = Path(store.resolve().location) / "tiny.git"
    assert first.created and first.tag == "v1.0.0" and first.repo == str(repo)
    before = refs(repo)
    assert set(before) == {"HEAD", "refs/heads/main", "refs/tags/v1.0.0"}
    (second,) = bench.publish()
    assert not second.created
    assert refs(repo) == before, "publishing twice changes nothing"


def test_commits_are_reproducible_across_stores(bench: Workbench, tmp_path: Path) -> None:
    template = bench.catalog().get("tiny")
    one = publish.publish_template(template, store.Store(str(tmp_path / "a")))
    two = publish.publish_template(template, store.Store(str(tmp_path / "b")))
    assert refs(one.repo)["refs/tags/v1.0.0"] == refs(two.repo)["refs/tags/v1.0.0"]


def test_changed_content_without_a_version_bump_is_refused(bench: Workbench) -> None:
    (done,) = bench.publish()
    before = refs(done.repo)
    bench.edit({"template/README.md.jinja": "# changed\n"})
    with pytest.raises(UserError, match=r"already published .*bump `version` of tiny"):
        bench.publish()
    assert refs(done.repo) == before


def test_new_version_keeps_earlier_ones_and_a_fix_to_an_older_one_is_tagged(
    bench: Workbench,
) -> None:
    (done,) = bench.publish()
    bench.edit({"template/README.md.jinja": "# v2\n"})
    bench.release("2.0.0")
    assert store.published_versions(store.resolve(), "tiny") == ("1.0.0", "2.0.0")
    tags = refs(done.repo)
    assert git(Path(done.repo), "rev-parse", "v2.0.0^").strip() == tags["refs/tags/v1.0.0"]
    bench.edit({"template/README.md.jinja": "# hotfix\n"})
    bench.release("1.0.1")
    after = refs(done.repo)
    assert store.published_versions(store.resolve(), "tiny") == ("1.0.0", "1.0.1", "2.0.0")
    assert after["refs/heads/main"] == tags["refs/tags/v2.0.0"], "main stays on the newest"
    assert store.latest(store.published_versions(store.resolve(), "tiny")) == "2.0.0"


def test_template_needing_trust_is_refused_before_anything_is_published(
    bench: Workbench,
) -> None:
    bench.edit({"copier.yml": "_subdirectory: template\n_tasks: ['rm -rf /']\n"})
    with pytest.raises(ConfigError, match="_tasks: refused"):
        publish.publish_catalog(bench.catalog(), store.resolve())
    assert list(Path(store.resolve().location).iterdir()) == []


# --- nothing is published that fails its own gate --------------------------------------------

# Rendered only for the `fancy` scenario: validation must render every scenario to see it.
ROOTED_DOCKERFILE = "template/{% if flavour == 'fancy' %}Dockerfile{% endif %}.jinja"


def _add_rooted_template(bench: Workbench) -> None:
    """Add a second template, `rooted`, whose `fancy` scenario renders a root Dockerfile."""
    shutil.copytree(bench.template, bench.root / "templates" / "rooted")
    write_tree(
        bench.root / "templates" / "rooted", {ROOTED_DOCKERFILE: VULNERABLE_FILES["Dockerfile"]}
    )
    path = bench.root / "catalog.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rooted = {**data["templates"][0], "id": "rooted", "path": "templates/rooted"}
    rooted["scenarios"] = {"default": {}, "fancy": {"flavour": "fancy"}}
    data["templates"].append(rooted)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.mark.slow
def test_a_template_failing_its_release_gate_blocks_the_whole_publish(bench: Workbench) -> None:
    _add_rooted_template(bench)
    args = ["catalog", "publish", "--catalog", str(bench.root)]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "nothing was published" in result.stderr
    assert "FAIL rooted 1.0.0 [fancy]" in result.stderr
    assert re.search(r"block: \S+ Dockerfile:2 ", result.stderr), "USER root blocks"
    assert "ok   rooted 1.0.0 [default]" in result.stderr and "ok   tiny 1.0.0" in result.stderr
    assert list(Path(store.resolve().location).iterdir()) == [], "not even the good template"


@pytest.mark.slow
def test_only_templates_about_to_be_published_are_validated(bench: Workbench) -> None:
    (done,) = publish.publish_catalog(bench.catalog(), store.resolve())
    _add_rooted_template(bench)
    with pytest.raises(GateFailedError) as err:
        publish.publish_catalog(bench.catalog(), store.resolve())
    assert "FAIL rooted 1.0.0 [fancy]" in str(err.value)
    assert " tiny " not in str(err.value), "tiny 1.0.0 is published already: not re-validated"
    assert not (Path(store.resolve().location) / "rooted.git").exists()
    assert refs(done.repo)["refs/tags/v1.0.0"]


def test_cli_publishes_to_a_bare_remote_over_a_file_url(bench: Workbench, tmp_path: Path) -> None:
    remote = tmp_path / "remote"
    git(tmp_path, "init", "--quiet", "--bare", str(remote / "tiny.git"))
    args = ["catalog", "publish", "--to", f"file://{remote}", "--catalog", str(bench.root)]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("published  tiny 1.0.0")
    assert "refs/tags/v1.0.0" in refs(remote / "tiny.git")
    again = CliRunner().invoke(app, args, env=ENV)
    assert again.exit_code == 0 and again.stdout.startswith("unchanged  tiny 1.0.0")


def test_cli_unreachable_store_exits_2(bench: Workbench, tmp_path: Path) -> None:
    url = f"file://{tmp_path}/nowhere"
    args = ["catalog", "publish", "--to", url, "--catalog", str(bench.root)]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 2
    assert f"{url}/tiny.git" in result.stderr and "reachable" in result.stderr


# --- paved new renders from the store ---------------------------------------------------------


def _new(bench: Workbench, dest: Path, *extra: str) -> tuple[int, str]:
    args = ["new", "tiny", str(dest), "--defaults", "--catalog", str(bench.root), *extra]
    result = CliRunner().invoke(app, args, env=ENV)
    return result.exit_code, result.stdout + result.stderr


def test_new_publishes_lazily_and_records_the_store_source(
    bench: Workbench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pavedroad.project.new.gate_repository", fake_gate())
    dest = tmp_path / "svc"
    code, output = _new(bench, dest)
    assert code == 0, output
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(Path(store.resolve().location) / "tiny.git")
    assert answers["_commit"] == "v1.0.0"
    assert answers["_paved_version"] == "1.0.0"


def test_new_refuses_a_changed_template_and_renders_earlier_versions(
    bench: Workbench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pavedroad.project.new.gate_repository", fake_gate())
    bench.publish()
    bench.edit({"template/README.md.jinja": "# {{ name }} v2\n"})
    code, output = _new(bench, tmp_path / "a")
    assert code == 2 and "bump `version`" in output
    assert not (tmp_path / "a").exists()
    bench.release("1.1.0")
    code, output = _new(bench, tmp_path / "old", "--version", "1.0.0")
    assert code == 0, output
    assert (tmp_path / "old" / "README.md").read_text().startswith("# demo\n")
    code, output = _new(bench, tmp_path / "none", "--version", "0.9.0")
    assert code == 2 and "--version 0.9.0: tiny 0.9.0 is not published" in output
