"""An update interrupted after it reached the work tree says so, and how to undo it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.update_helpers import Workbench, git, snapshot
from typer.testing import CliRunner

from pavedroad.cli import app
from pavedroad.project.update_guard import MARKER, ROLLBACK, check_killed_update

pytestmark = pytest.mark.slow


def _interrupt_during_verification(tmp_path: Path, signum: signal.Signals) -> tuple[int, str, Path]:
    bench = Workbench(tmp_path)
    bench.publish()
    project = bench.new_project()
    bench.edit({"template/NEW.md": "new in 1.1.0\n"})
    bench.release("1.1.0")
    args = [sys.executable, "-m", "pavedroad", "update", str(project), "--defaults"]
    env = {**os.environ, "PAVED_CATALOG": str(bench.root), "PAVED_WARM_CHECKOV": "0"}
    proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not git(project, "status", "--porcelain").strip():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the update was never applied"
        time.sleep(0.05)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    assert (project / "NEW.md").is_file(), "the update is in the work tree"
    return proc.returncode, stderr, project


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_interrupt_after_apply_says_what_is_in_the_work_tree(
    tmp_path: Path, signum: signal.Signals
) -> None:
    code, stderr, project = _interrupt_during_verification(tmp_path, signum)
    assert code == 130, stderr
    assert "nothing was changed" not in stderr
    assert "interrupted after the update tiny 1.0.0 -> 1.1.0 was applied to" in stderr
    assert ROLLBACK in stderr
    assert "Traceback" not in stderr
    assert not (project / ".git" / MARKER).exists(), "the user was told: no marker"


def test_killed_update_is_reported_by_the_next_run(tmp_path: Path) -> None:
    code, _, project = _interrupt_during_verification(tmp_path, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert (project / ".git" / MARKER).read_text() == "tiny 1.0.0 -> 1.1.0\n"
    again = CliRunner().invoke(app, ["update", str(project), "--defaults"])
    assert again.exit_code == 2, again.stderr
    assert "an earlier `paved update` (tiny 1.0.0 -> 1.1.0) was applied but never" in again.stderr
    assert ROLLBACK in again.stderr
    git(project, "reset", "--quiet", "--hard", "HEAD")
    git(project, "clean", "--quiet", "-fd")
    check_killed_update(project, dirty=False)
    assert not (project / ".git" / MARKER).exists()


def test_update_to_a_version_reading_the_machine_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAVED_HOSTILE_SECRET", "AKIAHOSTILE-SECRET-VALUE")
    bench = Workbench(tmp_path)
    bench.publish()
    project = bench.new_project()
    before = snapshot(project)
    bench.edit({"template/leak.txt.jinja": "{{ '$PAVED_HOSTILE_SECRET' | expandvars }}\n"})
    bench.release("1.1.0")
    args = ["update", str(project), "--defaults", "--catalog", str(bench.root)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "filter 'expandvars' is disabled" in result.stderr
    assert "nothing was changed" in result.stderr
    assert "AKIAHOSTILE-SECRET-VALUE" not in result.stdout + result.stderr
    assert snapshot(project) == before
