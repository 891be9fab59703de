"""Shared fixtures: small real copier templates and catalogs built in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.helpers import catalog_yaml, tiny_template_files, write_tree


@pytest.fixture
def tiny_catalog(tmp_path: Path) -> Path:
    """A catalog folder with one tiny, valid template."""
    root = tmp_path / "catalog"
    write_tree(root / "templates" / "tiny", tiny_template_files())
    (root / "catalog.yaml").write_text(catalog_yaml(), encoding="utf-8")
    return root
