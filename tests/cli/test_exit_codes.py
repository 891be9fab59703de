"""Exit codes mean one thing each: 130 interrupted, 2 usage or set-up, never a class name."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pavedroad import cli
from pavedroad.errors import ConfigError, RenderError, ToolError, UserError

CLASS_NAMES = (
    "UserError",
    "ConfigError",
    "RenderError",
    "ScannerError",
    "ToolError",
    "PavedError",
)


def forgot_the_decorator(kind: str) -> None:
    """A command as a new contributor might write it: no @handle_errors."""
    if kind == "user":
        raise UserError("policy.yaml: stages.pr.block: unknown severity; use one of ...")
    if kind == "config":
        raise ConfigError("catalog.yaml: templates[0].id: missing; add an id")
    if kind == "render":
        raise RenderError("template x 1.0.0 failed to render: boom")
    if kind == "tool":
        raise ToolError("git", "executable not found: git")
    if kind == "hostile":
        raise UserError("x\x1b[2K\n::error file=fake.py::INJECTED: bad; fix it")
    if kind == "abort":
        raise typer.Abort()
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("kind", "code"),
    [("user", 2), ("config", 2), ("render", 2), ("tool", 2), ("abort", 130), ("interrupt", 130)],
)
def test_main_maps_errors_of_an_undecorated_command(
    monkeypatch: pytest.MonkeyPatch, kind: str, code: int
) -> None:
    monkeypatch.setitem(cli.COMMANDS, "forgot", (__name__, "forgot_the_decorator"))
    result = CliRunner().invoke(cli.app, ["forgot", kind])
    assert result.exit_code == code, result.output
    assert not any(name in result.stderr for name in CLASS_NAMES), result.stderr
    assert "Traceback" not in result.output
    if code == 130:
        assert "interrupted" in result.stderr
    else:
        assert result.stderr.startswith("error: ")


def _paved(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pavedroad", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    "args", [["gate", ".", "-s", "release"], ["new", "python-service", "svc", "--defaults"]]
)
def test_missing_git_is_a_set_up_error_naming_git(tmp_path: Path, args: list[str]) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "README.md").write_text("hi\n", encoding="utf-8")
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    env = {
        **os.environ,
        "PATH": str(empty),
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "PAVED_STORE": str(tmp_path / "store"),
    }
    done = _paved(args, repo, env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "git" in done.stderr and "install git" in done.stderr
    assert "scanner" not in done.stderr
    assert not any(name in done.stderr for name in CLASS_NAMES)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_ctrl_c_at_a_prompt_exits_130(tmp_path: Path) -> None:
    import pty

    env = {**os.environ, "PAVED_STORE": str(tmp_path / "store"), "TERM": "dumb"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: `paved new` on a terminal, so it prompts
        os.chdir(tmp_path)
        os.execve(
            sys.executable, [sys.executable, "-m", "pavedroad", "new", "python-service", "svc"], env
        )
    output = _read_until(fd, b"[my-service]:", timeout=120)
    os.write(fd, b"\x03")  # Ctrl-C, as the terminal sends it
    output += _read_until(fd, b"\x00", timeout=30)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 130, output
    assert b"interrupted" in output and b"Aborted" not in output
    assert not (tmp_path / "svc").exists()


def _read_until(fd: int, marker: bytes, timeout: float) -> bytes:
    """Read the terminal until marker appears, it closes, or time runs out."""
    out = b""
    deadline = time.monotonic() + timeout
    while marker not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    return out


def test_no_message_formats_a_class_name() -> None:
    """Only the internal-error line (a bug report) may name an exception's class."""
    src = Path(cli.__file__).resolve().parents[1]
    offenders = [
        f"{path.relative_to(src)}:{number}"
        for path in sorted(src.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "type(exc).__name__" in line and "a bug report" not in line
    ]
    assert offenders == []


def test_error_messages_escape_control_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli.COMMANDS, "forgot", (__name__, "forgot_the_decorator"))
    result = CliRunner().invoke(cli.app, ["forgot", "hostile"])
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr
    assert result.stderr.startswith("error: x\\x1b[2K\n\\::error file=fake.py::INJECTED")
