"""Killed `paved new` runs: SIGTERM cleans up at once, SIGKILL's leftovers go on the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.helpers import catalog_yaml, tiny_template_files, write_tree
from typer.testing import CliRunner

from pavedroad.catalog.scratch import MARKER
from pavedroad.cli import app

COPIER = "_subdirectory: template\nname:\n  type: str\n  default: demo\n"
SLOW = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n"


def _catalog(root: Path, body: str, version: str = "1.2.3") -> Path:
    files = {**tiny_template_files(COPIER), "template/body.txt.jinja": body}
    write_tree(root / "templates" / "tiny", files)
    (root / "catalog.yaml").write_text(catalog_yaml(version=version), encoding="utf-8")
    return root


def _scratch_of(parent: Path) -> list[Path]:
    return [p for p in parent.iterdir() if ".paved-" in p.name] if parent.is_dir() else []


def _start_slow_new(tmp_path: Path) -> tuple[subprocess.Popen[str], Path, Path]:
    """Start `paved new` on an endless template; return it once its scratch is in use."""
    catalog = _catalog(tmp_path / "slow-catalog", SLOW)
    temp = tmp_path / "tmp"
    temp.mkdir()
    dest = tmp_path / "out" / "svc"
    args = [sys.executable, "-m", "pavedroad", "new", "tiny", str(dest), "--defaults"]
    env = {**os.environ, "TMPDIR": str(temp), "PAVED_CATALOG": str(catalog)}
    proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any((p / ".tmp").exists() for p in _scratch_of(dest.parent)):
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the render never started"
        time.sleep(0.1)
    time.sleep(1)  # copier is cloning or rendering now
    return proc, dest, temp


def test_sigterm_during_render_cleans_up_at_once(tmp_path: Path) -> None:
    proc, dest, temp = _start_slow_new(tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted; nothing was changed" in stderr
    assert "Traceback" not in stderr
    assert not dest.exists()
    assert _scratch_of(dest.parent) == []
    assert list(temp.iterdir()) == [], "copier's clone must not stay in the temp folder"


def test_sigkill_leftovers_are_removed_by_the_next_run(tmp_path: Path) -> None:
    proc, dest, temp = _start_slow_new(tmp_path)
    proc.kill()
    proc.wait(timeout=30)
    (left,) = _scratch_of(dest.parent)
    assert (left / MARKER).read_text().split()[0] == str(proc.pid)
    assert list(temp.iterdir()) == [], "copier's clone lives inside our scratch"
    alive = subprocess.Popen(["sleep", "60"])
    try:
        busy = dest.parent / ".busy.paved-keep"
        busy.mkdir()
        (busy / MARKER).write_text(f"{alive.pid} {os.uname().nodename}\n")
        foreign = dest.parent / ".notours.paved-keep"
        foreign.mkdir()
        body = "{{ '~' | expanduser }}\n"
        failing = _catalog(tmp_path / "failing-catalog", body, version="1.2.4")
        args = ["new", "tiny", str(dest.parent / "other"), "--defaults", "--catalog", str(failing)]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.stderr
        assert "filter 'expanduser' is disabled" in result.stderr  # failed after the sweep
        assert sorted(p.name for p in _scratch_of(dest.parent)) == [busy.name, foreign.name]
    finally:
        alive.kill()
        alive.wait()


@pytest.mark.parametrize("marker", ["", "not-a-pid host", "999999999 another-host"])
def test_sweep_leaves_what_it_cannot_prove_is_stale(tmp_path: Path, marker: str) -> None:
    from pavedroad.catalog.scratch import sweep

    folder = tmp_path / ".svc.paved-x"
    folder.mkdir()
    (folder / MARKER).write_text(marker)
    assert sweep(tmp_path, ".*.paved-*") == ()
    assert folder.is_dir()
