"""Scratch folders that are recognisably ours, so a killed run's leftovers can be removed later.

Each scratch folder holds a marker naming the owning process. A run that is killed (SIGKILL,
power loss) cannot clean up; the next run removes every marked folder whose owner is gone.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

MARKER = ".paved-scratch"


@contextmanager
def scratch(parent: Path, prefix: str, stale: str | None = None) -> Iterator[Path]:
    """Yield a new marked folder in parent; remove it afterwards, and stale ones before.

    stale is the glob of earlier scratch folders to sweep (default: prefix*).
    """
    sweep(parent, stale or f"{prefix}*")
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        (folder / MARKER).write_text(f"{os.getpid()} {socket.gethostname()}\n", encoding="utf-8")
        yield folder
    finally:
        remove_tree(folder)


def sweep(parent: Path, pattern: str) -> tuple[Path, ...]:
    """Remove the folders matching pattern in parent whose marker's process is gone."""
    try:
        candidates = sorted(parent.glob(pattern))
    except OSError:
        return ()
    removed = tuple(p for p in candidates if _stale(p))
    for folder in removed:
        remove_tree(folder)
    return removed


def remove_tree(root: Path) -> None:
    """Remove root and everything in it, best effort, however deep it is nested."""
    try:
        shutil.rmtree(root, ignore_errors=True)
    except RecursionError:  # Python 3.11's rmtree recurses once per level
        _remove_deep(root)


def _remove_deep(root: Path) -> None:
    folders, stack = [], [root]
    while stack:
        here = stack.pop()
        folders.append(here)
        with suppress(OSError), os.scandir(here) as listing:
            for entry in listing:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                else:
                    with suppress(OSError):
                        Path(entry.path).unlink()
    for folder in reversed(folders):
        with suppress(OSError):
            folder.rmdir()


def _stale(folder: Path) -> bool:
    if folder.is_symlink() or not folder.is_dir():
        return False
    try:
        pid_text, host = (folder / MARKER).read_text(encoding="utf-8").split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return False  # not ours, or still being created: leave it
    return host == socket.gethostname() and pid != os.getpid() and not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


@contextmanager
def copier_temp(folder: Path) -> Iterator[None]:
    """Make copier's clones (tempfile.mkdtemp) land in folder, which we remove ourselves."""
    tmp = folder / ".tmp"
    tmp.mkdir(exist_ok=True)
    previous = tempfile.tempdir
    tempfile.tempdir = str(tmp)
    try:
        yield
    finally:
        tempfile.tempdir = previous
