"""Lint and type checks run as part of the suite, so CI cannot skip them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.helpers import REPO

# `lint-imports` has no `python -m` entry; call its command through this interpreter.
_LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command as c; c()"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, check=False
    )


@pytest.mark.slow
def test_ruff_lint_is_clean() -> None:
    proc = _run("ruff", "check", "src", "tests", "bench", "scripts")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_ruff_format_is_clean() -> None:
    proc = _run("ruff", "format", "--check", "src", "tests", "bench", "scripts")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    proc = _run("mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """Check the layers of the package under project/src, whatever copy is installed."""
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    return subprocess.run(
        [sys.executable, "-c", _LINT_IMPORTS, "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_import_layers_are_kept() -> None:
    proc = _lint_imports(REPO)
    assert proc.returncode == 0, (
        "a module imports from a layer above its own; move the code to the right layer "
        "(the layers and why: [tool.importlinter] in pyproject.toml)\n" + proc.stdout + proc.stderr
    )


@pytest.mark.slow
def test_import_layers_catch_an_upward_import(tmp_path: Path) -> None:
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(REPO / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    workspace = tmp_path / "src" / "pavedroad" / "scan" / "workspace.py"
    text = workspace.read_text(encoding="utf-8")
    workspace.write_text(text + "\n\ndef _up() -> None:\n    import pavedroad.gate.run\n")
    proc = _lint_imports(tmp_path)
    assert proc.returncode != 0
    assert "pavedroad.scan.workspace -> pavedroad.gate.run" in proc.stdout
