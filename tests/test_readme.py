"""The README's quick start is the contract: two commands, and CI runs the second verbatim."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.helpers import REPO


def _quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_quick_start_has_exactly_two_commands() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2, commands
    assert "paved new python-service" in commands[0]
    assert "pytest" in commands[1] and "[test]" in commands[1]


def test_ci_runs_the_second_command_exactly() -> None:
    second = _quick_start_commands()[1]
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert second in ci_lines


@pytest.mark.parametrize(("pytest_code", "ci_code"), [(0, 0), (1, 1), (5, 1), (2, 2)])
def test_ci_exit_code_follows_pytest(tmp_path: Path, pytest_code: int, ci_code: int) -> None:
    """Run .ci/run with stand-ins for pip and python3 that exit with a chosen code."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(REPO / ".ci" / "run", tmp_path / ".ci" / "run")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, code in (("pip", 0), ("python3", pytest_code)):
        tool = bin_dir / name
        tool.write_text(f"#!/bin/sh\nexit {code}\n")
        tool.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", str(tmp_path / ".ci" / "run")], env=env, capture_output=True, check=False
    )
    assert proc.returncode == ci_code


def test_every_own_rule_links_to_its_readme_section() -> None:
    from pavedroad.scanners.own_rules import RULES

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^### (PAVED_\w+)$", readme, flags=re.M))
    assert headings == set(RULES)
    for rule_id, rule in RULES.items():  # GitHub's anchor: the heading, lower-cased
        assert rule.docs_url.endswith(f"README.md#{rule_id.lower()}")


def test_readme_names_only_test_files_that_exist() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in set(re.findall(r"`(tests/[\w/]+\.py)`", readme)):
        assert (REPO / name).is_file(), name
