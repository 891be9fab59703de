"""`paved doctor`, and a warm checkov that only ever serves its own installation."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
import venv
from importlib import metadata
from pathlib import Path

import pytest
from tests.helpers import assert_snapshot, write_tree
from typer.testing import CliRunner

import pavedroad
from pavedroad.cli import app
from pavedroad.scanners import checkov_warm
from pavedroad.scanners.checkov import OFFLINE_ENV

RUNNER = CliRunner()
ENV = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
SITE = Path(sysconfig.get_paths()["purelib"])
SOURCE = Path(pavedroad.__file__).resolve().parents[1]


def run(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


def _wait_for(path: Path, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not path.exists():
        time.sleep(0.2)
    assert path.exists(), f"no warm server appeared at {path}"


def test_help_snapshot() -> None:
    code, out, _ = run("doctor", "--help")
    assert code == 0
    assert_snapshot("help/doctor.txt", out)


def test_lists_every_scanner_with_its_path_and_version(warm: object) -> None:
    code, out, _ = run("doctor")
    assert code == 0, out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert metadata.version("checkov") in lines["checkov"]
    assert f"{Path(sys.executable).parent}/checkov" in lines["checkov"]
    assert metadata.version("bc-detect-secrets") in lines["secrets"]
    assert "/hadolint" in lines["hadolint"]
    assert "this installation's server: not running" in out
    assert f"Result cache: {Path(os.environ['XDG_CACHE_HOME'])}/pavedroad/results" in out
    assert f"Template store: {os.environ['PAVED_STORE']}" in out


def test_a_scanner_that_cannot_run_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CKV_CHECK", "CKV_DOCKER_2")
    code, out, _ = run("doctor")
    assert code == 3
    assert "checkov   cannot run: CKV_CHECK is set" in out
    assert "A gate here fails closed (exit 3): checkov cannot run." in out


@pytest.mark.slow
def test_shows_and_stops_this_installations_server(warm: object) -> None:
    checkov_warm.start(OFFLINE_ENV)
    path = checkov_warm.socket_path(OFFLINE_ENV)
    _wait_for(path)
    code, out, _ = run("doctor")
    assert code == 0
    assert f"this installation's server: running at {path}" in out
    assert run("doctor", "--stop")[1] == "Stopped this installation's warm checkov server.\n"
    assert not path.exists()
    assert "No warm checkov server" in run("doctor", "--stop")[1]


def _console_script(env: Path) -> None:
    """Write checkov's console script as pip does (left behind in a broken environment too)."""
    script = (Path(sys.executable).parent / "checkov").read_text(encoding="utf-8")
    body = script.split("\n", 1)[1]
    target = env / "bin" / "checkov"
    target.write_text(f"#!{env / 'bin' / 'python'}\n{body}", encoding="utf-8")
    target.chmod(0o755)


def _with_checkov(root: Path) -> Path:
    """A virtual environment of this Python that sees its packages, checkov included."""
    venv.EnvBuilder(system_site_packages=True, symlinks=True).create(root)
    _console_script(root)
    return root


def _without_checkov(root: Path) -> Path:
    """A virtual environment of this Python with every package of this one but checkov."""
    venv.EnvBuilder(system_site_packages=False, symlinks=True).create(root)
    view = root / "view"
    view.mkdir()
    for entry in SITE.iterdir():
        if not entry.name.startswith("checkov") and entry.suffix != ".pth":
            (view / entry.name).symlink_to(entry)
    site = Path(sysconfig.get_paths(vars={"base": str(root), "platbase": str(root)})["purelib"])
    (site / "paved.pth").write_text(f"{SOURCE}\n{view}\n", encoding="utf-8")
    _console_script(root)  # the script of a checkov removed without it
    return root


def _environ(env: Path, extra: dict[str, str]) -> dict[str, str]:
    path = f"{env / 'bin'}:{Path(sys.executable).parent}:/usr/bin:/bin"
    return {**os.environ, **extra, "PATH": path}


def _paved(env: Path, *args: str, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(env / "bin" / "python"), "-m", "pavedroad", *args],
        env=_environ(env, extra),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _warm(env: Path, extra: dict[str, str], call: str) -> str:
    """Return what the warm checkov client of that environment prints for call."""
    code = (
        "from pathlib import Path\n"
        "from pavedroad.scanners import checkov_warm as w\n"
        "from pavedroad.scanners.checkov import OFFLINE_ENV\n"
        f"print({call})"
    )
    done = subprocess.run(
        [str(env / "bin" / "python"), "-c", code],
        env=_environ(env, extra),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.slow
def test_a_gate_without_checkov_exits_3_warm_server_or_not(tmp_path: Path) -> None:
    """Two environments of one Python: the warm checkov of one never answers the other."""
    good, broken = _with_checkov(tmp_path / "good"), _without_checkov(tmp_path / "broken")
    repo = write_tree(tmp_path / "repo", {"Dockerfile": "FROM scratch\nCOPY a /a\n"})
    extra = {"XDG_CACHE_HOME": str(tmp_path / "c"), "PAVED_WARM_CHECKOV": "1"}
    extra |= {"PAVED_WARM_IDLE": "60", "PYTHONPATH": ""}
    gate = ("gate", str(repo), "--stage", "release", "--no-cache")
    cold = _paved(broken, *gate, extra=extra)
    assert cold.returncode == 3, cold.stdout + cold.stderr
    assert "cannot import checkov" in cold.stderr
    first = _paved(good, *gate, extra=extra)  # a direct run, which starts the warm server
    assert first.returncode in (0, 1), first.stdout + first.stderr
    server = Path(_warm(good, extra, "w.socket_path(OFFLINE_ENV)"))
    _wait_for(server)
    try:
        asked = 'w.run(["--version"], Path("/"), {}, OFFLINE_ENV, 60)'
        assert _warm(good, extra, asked).startswith("Completed(")
        assert _warm(broken, extra, asked) == "None"
        warm = _paved(broken, *gate, extra=extra)
        assert warm.returncode == 3, warm.stdout + warm.stderr
        doctor = _paved(broken, "doctor", extra=extra)
        assert doctor.returncode == 3
        assert "checkov   cannot run: " in doctor.stdout
        assert "cannot import checkov" in doctor.stdout
        python = Path(good / "bin" / "python").resolve()  # one interpreter, the venv's prefix
        assert f"another server at {server}: Python {python} (environment {good})" in doctor.stdout
    finally:
        stopped = _paved(good, "doctor", "--stop", extra=extra)
    assert stopped.stdout == "Stopped this installation's warm checkov server.\n"
