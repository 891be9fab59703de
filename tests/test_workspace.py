"""Workspace collection: what is scanned, what is skipped and why, and what is never followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pavedroad.errors import UserError
from pavedroad.scan import workspace
from pavedroad.scan.workspace import SkippedFile, collect


def _write(root: Path, rel: str, content: str | bytes = "x = 1\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_empty_repository_is_an_empty_workspace(tmp_path: Path) -> None:
    ws = collect(tmp_path)
    assert (ws.root, ws.files, ws.skipped) == (tmp_path.resolve(), (), ())


def test_lists_repo_relative_posix_paths_sorted(tmp_path: Path) -> None:
    for rel in ("b.py", "a/z.tf", "a/b/c.yaml", ".github/workflows/ci.yml"):
        _write(tmp_path, rel)
    assert collect(tmp_path).files == (".github/workflows/ci.yml", "a/b/c.yaml", "a/z.tf", "b.py")


@pytest.mark.parametrize(
    "rel",
    [
        ".git/config",
        ".venv/lib/x.py",
        "node_modules/p/i.js",
        "src/__pycache__/m.pyc",
        ".terraform/m.tf",
    ],
)
def test_skips_vendored_and_cache_dirs(tmp_path: Path, rel: str) -> None:
    _write(tmp_path, rel)
    _write(tmp_path, "keep.py")
    ws = collect(tmp_path)
    assert ws.files == ("keep.py",) and ws.skipped == ()


def test_binary_and_huge_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    _write(tmp_path, "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _write(tmp_path, "huge.sql", "x" * (workspace.MAX_TEXT_BYTES + 1))
    _write(tmp_path, "ok.sql", "x" * workspace.MAX_FILE_BYTES)
    ws = collect(tmp_path)
    assert ws.files == ("ok.sql",)
    assert ws.skipped == (SkippedFile("huge.sql", "over 4 MB"), SkippedFile("logo.png", "binary"))


def test_text_the_parsers_cannot_read_goes_to_the_secrets_scanner_only(tmp_path: Path) -> None:
    _write(tmp_path, "dump.sql", "x" * (workspace.MAX_FILE_BYTES + 1))
    _write(tmp_path, "utf16.txt", "\ufeffkey = value\n".encode("utf-16-le"))
    _write(tmp_path, "nul.txt", b"a\x00b\n")
    ws = collect(tmp_path)
    assert ws.files == () and ws.skipped == ()
    assert ws.partial == (
        SkippedFile("dump.sql", "over 1 MB"),
        SkippedFile("nul.txt", "text with NUL bytes"),
        SkippedFile("utf16.txt", "UTF-16/32 text"),
    )
    assert ws.secrets_target().files == ("dump.sql", "nul.txt", "utf16.txt")


def test_non_utf8_text_is_scanned(tmp_path: Path) -> None:
    _write(tmp_path, "legacy.txt", "caf\u00e9 cr\u00e8me\n".encode("latin-1"))
    assert collect(tmp_path).files == ("legacy.txt",)


def test_symlinks_outside_root_are_never_followed(tmp_path: Path) -> None:
    outside = _write(tmp_path, "outside/secret.env", "TOKEN=1\n")
    (tmp_path / "outside" / "dir").mkdir()
    repo = tmp_path / "repo"
    _write(repo, "app.py")
    (repo / "leak.env").symlink_to(outside)
    (repo / "leakdir").symlink_to(tmp_path / "outside" / "dir", target_is_directory=True)
    ws = collect(repo)
    assert ws.files == ("app.py",)
    assert ws.skipped == (
        SkippedFile("leak.env", "symlink outside root"),
        SkippedFile("leakdir", "symlink outside root"),
    )


def test_symlinks_inside_root_resolve_to_their_target(tmp_path: Path) -> None:
    _write(tmp_path, "real/app.py")
    (tmp_path / "alias.py").symlink_to(tmp_path / "real" / "app.py")
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing.py")
    ws = collect(tmp_path)
    assert ws.files == ("real/app.py",)
    assert ws.skipped == (SkippedFile("gone.py", "broken symlink"),)
    assert collect(tmp_path, ["alias.py"]).files == ("real/app.py",)


def test_only_given_files_and_directories(tmp_path: Path) -> None:
    for rel in ("a/one.tf", "a/two.tf", "b/three.tf", "node_modules/x.js"):
        _write(tmp_path, rel)
    ws = collect(tmp_path, ["./b/three.tf", "a", "deleted.tf", "node_modules/x.js", "node_modules"])
    assert ws.files == ("a/one.tf", "a/two.tf", "b/three.tf")
    assert collect(tmp_path, ["."]).files == collect(tmp_path).files


@pytest.mark.parametrize("bad", ["../etc/passwd", "/etc/passwd", "a/../../x", ""])
def test_paths_leaving_root_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(UserError, match="not inside the repository"):
        collect(tmp_path, [bad])


def test_only_through_symlinked_directory_is_checked(tmp_path: Path) -> None:
    _write(tmp_path, "outside/secret.env")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "link").symlink_to(tmp_path / "outside", target_is_directory=True)
    ws = collect(repo, ["link/secret.env"])
    assert ws.files == () and ws.skipped == (
        SkippedFile("link/secret.env", "symlink outside root"),
    )


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, "locked.txt")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    assert collect(tmp_path).skipped == (SkippedFile("locked.txt", "unreadable"),)


def test_fifo_is_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    assert collect(tmp_path).skipped == (SkippedFile("pipe", "not a regular file"),)


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UserError):
        collect(tmp_path / "missing")


def test_target_carries_root_and_files(tmp_path: Path) -> None:
    _write(tmp_path, "a.py")
    target = collect(tmp_path).target()
    assert (target.root, target.files) == (tmp_path.resolve(), ("a.py",))
