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

from pavedroad.catalog import model as catalog
from pavedroad.catalog import validate as catalog_validate
from pavedroad.catalog import workflow_audit
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
    assert "0/1 scenario of 1 template passed; 1 failed" in result.stdout


def test_kubernetes_schema_violations_fail_validation(tmp_path: Path) -> None:
    manifest = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\nsurprise: true\n"
    root = _catalog(tmp_path, {"k8s/sa.yaml": manifest})
    (result,) = catalog_validate.validate(catalog.load(root))
    assert any(p.startswith("k8s/sa.yaml: ServiceAccount: ") for p in result.problems), result


# --- zizmor over rendered GitHub Actions files (offline, pedantic) ---------------------------

CLEAN_WORKFLOW = """\
name: ok
on: push
permissions: {}
concurrency:
  group: ${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: true
jobs:
  build:
    name: build
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    permissions:
      contents: read # nothing else
    steps:
      - name: Say hi
        run: echo hi
"""
UNDOCUMENTED = CLEAN_WORKFLOW.replace(
    "      contents: read # nothing else\n",
    "      contents: read # nothing else\n      security-events: write\n",
)


def test_a_clean_workflow_passes_zizmor(tmp_path: Path) -> None:
    root = _catalog(tmp_path, {".github/workflows/ci.yml": CLEAN_WORKFLOW})
    (result,) = catalog_validate.validate(catalog.load(root))
    assert result.ok, result.problems


def test_zizmor_findings_fail_validation_naming_them(tmp_path: Path) -> None:
    root = _catalog(tmp_path, {".github/workflows/ci.yml": UNDOCUMENTED})
    (result,) = catalog_validate.validate(catalog.load(root))
    assert result.problems == (
        "zizmor: undocumented-permissions .github/workflows/ci.yml:14 permissions without "
        "explanatory comments (needs an explanatory comment)",
    )


def test_a_template_cannot_switch_zizmor_off_for_itself(tmp_path: Path) -> None:
    # Without --no-config and --no-ignores, zizmor reports nothing here.
    config = "rules:\n  undocumented-permissions:\n    disable: true\n"
    ignored = CLEAN_WORKFLOW.replace(
        "  build:\n    name: build\n", "  build: # zizmor: ignore[anonymous-definition]\n"
    )
    files = {
        ".github/zizmor.yml": config,
        ".github/workflows/ci.yml": UNDOCUMENTED,
        ".github/workflows/other.yml": ignored,
    }
    (result,) = catalog_validate.validate(catalog.load(_catalog(tmp_path, files)))
    assert [p.split()[1:3] for p in result.problems] == [
        ["undocumented-permissions", ".github/workflows/ci.yml:14"],
        ["anonymous-definition", ".github/workflows/other.yml:8"],
    ]


def test_an_unparsable_workflow_fails_zizmor_closed(tmp_path: Path) -> None:
    root = _catalog(tmp_path, {".github/workflows/ci.yml": "name: [unclosed\n"})
    (result,) = catalog_validate.validate(catalog.load(root))
    assert any(p.startswith("scanner zizmor failed: ") for p in result.problems), result


def test_a_missing_zizmor_fails_validation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workflow_audit, "find_executable", lambda: None)
    root = _catalog(tmp_path, {".github/workflows/ci.yml": CLEAN_WORKFLOW})
    # In this process: validate() runs scenarios in worker processes.
    result = catalog_validate.validate_scenario(catalog.load(root).get("tiny"), "default")
    assert result.problems == (
        "scanner zizmor failed: the zizmor executable was not found; install zizmor",
    )
