"""`paved catalog validate` on the bundled catalog and on catalogs built to fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import (
    MINIMAL_WORKFLOW,
    VULNERABLE_FILES,
    catalog_yaml,
    tiny_template_files,
    write_tree,
)
from typer.testing import CliRunner

from pavedroad import catalog, catalog_validate
from pavedroad.cli import app

ENV = {"COLUMNS": "100", "NO_COLOR": "1"}
pytestmark = pytest.mark.slow

BAD_WORKFLOW = MINIMAL_WORKFLOW + "        shell: 42\n"


def _catalog(tmp_path: Path, extra: dict[str, str], scenario: str = "{}") -> Path:
    root = tmp_path / "catalog"
    files = tiny_template_files()
    files.update({f"template/{k}": v for k, v in extra.items()})
    write_tree(root / "templates" / "tiny", files)
    text = catalog_yaml().replace("      default: {}\n", f"      default: {scenario}\n")
    (root / "catalog.yaml").write_text(text, encoding="utf-8")
    return root


def test_bundled_catalog_is_valid_end_to_end() -> None:
    result = CliRunner().invoke(app, ["catalog", "validate"], env=ENV)
    assert result.exit_code == 0, result.stdout + result.stderr
    cat = catalog.load()
    expected = sum(len(t.scenarios) for t in cat.templates)
    assert f"{expected}/{expected} scenarios of {len(cat.templates)} templates passed" in (
        result.stdout
    )
    assert "FAIL" not in result.stdout


def test_findings_fail_validation_naming_them(tmp_path: Path) -> None:
    root = _catalog(tmp_path, VULNERABLE_FILES)
    (result,) = catalog_validate.validate(catalog.load(root))
    assert not result.ok
    assert any("AWSKeyDetector config.py:1" in p for p in result.problems)
    assert any(p.startswith("block: ") and "Dockerfile" in p for p in result.problems)


def test_schema_violations_fail_validation(tmp_path: Path) -> None:
    root = _catalog(tmp_path, {".github/workflows/ci.yml": BAD_WORKFLOW})
    (result,) = catalog_validate.validate(catalog.load(root))
    assert any(p.startswith("vendor.github-workflows: ") for p in result.problems), result


def test_bad_scenario_answers_fail_validation(tmp_path: Path) -> None:
    root = _catalog(tmp_path, {}, scenario="{flavour: odd}")
    result = CliRunner().invoke(app, ["catalog", "validate", "--catalog", str(root)], env=ENV)
    assert result.exit_code == 1
    assert "FAIL tiny 1.2.3 [default]" in result.stdout
    assert "answer flavour: 'odd' is not one of the choices" in result.stdout
    assert "0/1 scenarios of 1 templates passed; 1 failed" in result.stdout


def test_kubernetes_schema_violations_fail_validation(tmp_path: Path) -> None:
    manifest = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\nsurprise: true\n"
    root = _catalog(tmp_path, {"k8s/sa.yaml": manifest})
    (result,) = catalog_validate.validate(catalog.load(root))
    assert any(p.startswith("k8s/sa.yaml: ServiceAccount: ") for p in result.problems), result
