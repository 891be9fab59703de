from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import catalog_yaml

from pavedroad.catalog import model as catalog
from pavedroad.errors import ConfigError, UserError


def test_bundled_catalog_loads_with_python_service() -> None:
    cat = catalog.load(catalog.bundled_root())
    assert "python-service" in cat.ids
    template = cat.get("python-service")
    assert template.kind == "service"
    assert (template.directory / "copier.yml").is_file()
    assert template.scenarios, "every template carries scenarios"


def test_env_variable_points_at_another_catalog(
    tiny_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(catalog.CATALOG_ENV, str(tiny_catalog))
    assert catalog.load().ids == ("tiny",)


def test_unknown_id_lists_known_ids(tiny_catalog: Path) -> None:
    with pytest.raises(UserError, match="unknown template 'nope'; known templates: tiny"):
        catalog.load(tiny_catalog).get("nope")


def _broken(root: Path, text: str) -> str:
    (root / "catalog.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        catalog.load(root)
    return str(info.value)


def test_yaml_syntax_error_names_file_and_line(tiny_catalog: Path) -> None:
    msg = _broken(tiny_catalog, "version: 1.0.0\ntemplates: [\n")
    assert msg.startswith("catalog.yaml: line ")
    assert "invalid YAML" in msg


def test_missing_field(tiny_catalog: Path) -> None:
    text = catalog_yaml().replace("    kind: service\n", "")
    assert _broken(tiny_catalog, text) == "catalog.yaml: templates[0].kind: Field required; add it"


def test_unknown_field(tiny_catalog: Path) -> None:
    msg = _broken(tiny_catalog, catalog_yaml(colour="blue"))
    assert msg.startswith("catalog.yaml: templates[0].colour: Extra inputs are not permitted")
    assert "remove it" in msg


def test_bad_version(tiny_catalog: Path) -> None:
    msg = _broken(tiny_catalog, catalog_yaml(version="'1.0'"))
    assert msg.startswith("catalog.yaml: templates[0].version: '1.0' is not a semantic version")


def test_bad_kind(tiny_catalog: Path) -> None:
    msg = _broken(tiny_catalog, catalog_yaml(kind="lambda"))
    assert msg.startswith("catalog.yaml: templates[0].kind: Input should be")


def test_duplicate_id(tiny_catalog: Path) -> None:
    one = catalog_yaml()
    entry = one[one.index("  - id") :]
    msg = _broken(tiny_catalog, one + entry)
    assert msg == (
        "catalog.yaml: templates[1].id: duplicate id 'tiny' (also templates[0]); "
        "give each template its own id"
    )


def test_path_outside_catalog(tiny_catalog: Path) -> None:
    msg = _broken(tiny_catalog, catalog_yaml(template_path="../elsewhere"))
    assert "templates[0].path" in msg and "leaves the catalog folder" in msg


def test_path_without_copier_yml(tiny_catalog: Path) -> None:
    (tiny_catalog / "templates" / "empty").mkdir()
    msg = _broken(tiny_catalog, catalog_yaml(template_path="templates/empty"))
    assert "templates[0].path: no copier.yml" in msg


def test_missing_catalog(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="catalog not found"):
        catalog.load(tmp_path)
