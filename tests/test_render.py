from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.helpers import tiny_template_files, write_tree

from pavedroad.catalog import model as catalog
from pavedroad.catalog.render import check_destination, read_answers, render
from pavedroad.errors import RenderError, UserError

ANSWERS = {"name": "demo", "flavour": "plain", "replicas": 2}


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".paved-" in p.name)


def test_render_writes_files_and_records_template(tiny_catalog: Path, tmp_path: Path) -> None:
    template = catalog.load(tiny_catalog).get("tiny")
    dest = tmp_path / "out" / "svc"
    result = render(template, ANSWERS, dest)
    assert (dest / "README.md").read_text() == "# demo (plain, 2 replicas)\n"
    answers = read_answers(dest)
    assert answers["_paved_template"] == "tiny"
    assert answers["_paved_version"] == "1.2.3"
    assert answers["replicas"] == 2
    assert "README.md" in result.files
    assert _leftovers(dest.parent) == []


def test_empty_existing_destination_is_used(tiny_catalog: Path, tmp_path: Path) -> None:
    dest = tmp_path / "empty"
    dest.mkdir()
    render(catalog.load(tiny_catalog).get("tiny"), ANSWERS, dest)
    assert (dest / "README.md").is_file()


def test_non_empty_destination_is_refused_untouched(tiny_catalog: Path, tmp_path: Path) -> None:
    dest = tmp_path / "busy"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep me")
    with pytest.raises(UserError, match="exists and is not empty"):
        render(catalog.load(tiny_catalog).get("tiny"), ANSWERS, dest)
    assert [p.name for p in dest.iterdir()] == ["mine.txt"]
    assert (dest / "mine.txt").read_text() == "keep me"


def test_file_destination_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(UserError, match="exists and is not a folder"):
        check_destination(target)


def test_jinja_error_leaves_nothing_behind(tiny_catalog: Path, tmp_path: Path) -> None:
    broken = tiny_catalog / "templates" / "tiny" / "template" / "broken.txt.jinja"
    broken.write_text("{{ name | no_such_filter }}\n")
    dest = tmp_path / "new" / "svc"
    with pytest.raises(RenderError, match="tiny 1.2.3 failed to render: .*nothing was written"):
        render(catalog.load(tiny_catalog).get("tiny"), ANSWERS, dest)
    assert not dest.exists()
    assert not (tmp_path / "new").exists(), "parents created for the render are removed"


def test_interrupt_leaves_destination_as_before(tiny_catalog: Path, tmp_path: Path) -> None:
    dest = tmp_path / "pre-existing-empty"
    dest.mkdir()

    def interrupted(out: Path) -> None:
        assert (out / "README.md").is_file()
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render(catalog.load(tiny_catalog).get("tiny"), ANSWERS, dest, verify=interrupted)
    assert dest.is_dir() and list(dest.iterdir()) == []
    assert _leftovers(tmp_path) == []


def test_verify_failure_writes_nothing(tiny_catalog: Path, tmp_path: Path) -> None:
    def reject(out: Path) -> None:
        raise UserError("no")

    dest = tmp_path / "svc"
    with pytest.raises(UserError):
        render(catalog.load(tiny_catalog).get("tiny"), ANSWERS, dest, verify=reject)
    assert not dest.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["catalog"]


def test_template_without_answers_file_is_refused(tiny_catalog: Path, tmp_path: Path) -> None:
    files = tiny_template_files()
    files.pop("template/{{_copier_conf.answers_file}}.jinja")
    root = tmp_path / "cat2"
    write_tree(root / "templates" / "tiny", files)
    (root / "catalog.yaml").write_text((tiny_catalog / "catalog.yaml").read_text())
    with pytest.raises(RenderError, match="renders no .copier-answers.yml"):
        render(catalog.load(root).get("tiny"), ANSWERS, tmp_path / "svc")
    assert not (tmp_path / "svc").exists()


def test_answers_file_is_valid_yaml_for_copier(tiny_catalog: Path, tmp_path: Path) -> None:
    dest = tmp_path / "svc"
    render(catalog.load(tiny_catalog).get("tiny"), ANSWERS, dest)
    data = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert data["_src_path"]
    assert data["name"] == "demo"
