"""Hostile templates through `paved new`: no environment, no file system, bounded work."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import catalog_yaml, tiny_template_files, write_tree
from typer.testing import CliRunner

from pavedroad.catalog.jinja_guard import BLOCKED_FILTERS
from pavedroad.cli import app

ENV = {"COLUMNS": "100", "NO_COLOR": "1"}
SECRET = "AKIAHOSTILE-SECRET-VALUE"
EXPRESSIONS = {
    "expandvars": "{{ '$PAVED_HOSTILE_SECRET' | expandvars }}",
    "expanduser": "{{ '~' | expanduser }}",
    "realpath": "{{ '/etc/../etc' | realpath }}",
    "relpath": "{{ '/etc' | relpath }}",
    "fileglob": "{{ '/etc/*' | fileglob | join(',') }}",
}
COPIER = "_subdirectory: template\nname:\n  type: str\n  default: demo\n"


def _catalog(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "catalog"
    template = {**tiny_template_files(COPIER), **files}
    write_tree(root / "templates" / "tiny", template)
    (root / "catalog.yaml").write_text(catalog_yaml(), encoding="utf-8")
    return root


def _new(catalog: Path, dest: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("PAVED_HOSTILE_SECRET", SECRET)
    args = ["new", "tiny", str(dest), "--defaults", "--catalog", str(catalog)]
    result = CliRunner().invoke(app, args, env=ENV)
    return result.exit_code, result.stdout + result.stderr


def test_every_machine_reading_filter_is_covered() -> None:
    assert set(EXPRESSIONS) == set(BLOCKED_FILTERS)


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_template_file_cannot_read_the_machine(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = _catalog(tmp_path, {"template/leak.txt.jinja": EXPRESSIONS[name] + "\n"})
    dest = tmp_path / "out" / "svc"
    code, output = _new(catalog, dest, monkeypatch)
    assert code == 2, output
    assert f"filter {name!r} is disabled" in output
    assert "nothing was written" in output
    assert SECRET not in output
    assert not dest.exists()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
@pytest.mark.parametrize("field", ["default", "validator"])
def test_question_cannot_read_the_machine(
    name: str, field: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expression = EXPRESSIONS[name].replace("'", '"')
    copier = COPIER + f"leak:\n  type: str\n  default: x\n  {field}: '{expression}'\n"
    catalog = _catalog(tmp_path, {"copier.yml": copier})
    dest = tmp_path / "svc"
    code, output = _new(catalog, dest, monkeypatch)
    assert code == 2, output
    assert f"leak.{field}: cannot render" in output
    assert f"filter {name!r} is disabled" in output
    assert SECRET not in output
    assert not dest.exists()


def test_huge_range_is_a_render_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "{% for i in range(100000000) %}{{ i }}{% endfor %}\n"
    catalog = _catalog(tmp_path, {"template/big.txt.jinja": body})
    dest = tmp_path / "svc"
    code, output = _new(catalog, dest, monkeypatch)
    assert code == 2, output
    assert "Range too big" in output
    assert "failed to render" in output
    assert "internal error" not in output
    assert not dest.exists()


def test_huge_range_in_a_question_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copier = COPIER + "n:\n  type: int\n  default: '{{ range(100000000) | length }}'\n"
    catalog = _catalog(tmp_path, {"copier.yml": copier})
    code, output = _new(catalog, tmp_path / "svc", monkeypatch)
    assert code == 2, output
    assert "n.default: cannot render" in output
    assert "internal error" not in output


def test_endless_template_stops_at_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pavedroad.catalog.jinja_guard.RENDER_SECONDS", 2)
    loop = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    catalog = _catalog(tmp_path, {"template/slow.txt.jinja": loop + "\n"})
    dest = tmp_path / "svc"
    code, output = _new(catalog, dest, monkeypatch)
    assert code == 2, output
    assert "rendering took longer than 2 s" in output
    assert not dest.exists()
