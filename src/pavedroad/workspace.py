"""List the files of a repository that the scanners may read, and say why others are skipped."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pavedroad.errors import UserError
from pavedroad.scanners.interface import ScanTarget

# Vendored code, caches and tool state: scanning them is slow and reports other people's code.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".terraform",
        ".terragrunt-cache",
        ".direnv",
    }
)
MAX_FILE_BYTES = 1024 * 1024
BINARY_PROBE_BYTES = 8 * 1024

TOO_LARGE = "over 1 MB"
BINARY = "binary"
SYMLINK_OUTSIDE = "symlink outside root"
BROKEN_SYMLINK = "broken symlink"
NOT_REGULAR = "not a regular file"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class SkippedFile:
    """A file that was not scanned, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Workspace:
    """The scannable files of one repository (repo-relative POSIX paths) and the skipped ones."""

    root: Path
    files: tuple[str, ...]
    skipped: tuple[SkippedFile, ...]

    def target(self) -> ScanTarget:
        """Return the scan target the scanners receive."""
        return ScanTarget(root=self.root, files=self.files)


def collect(root: Path, only: Iterable[str] | None = None) -> Workspace:
    """List the scannable files under root, or only the given repo-relative paths."""
    base = root.resolve()
    if not base.is_dir():
        raise UserError(f"{root}: not a directory; pass the repository root")
    candidates = _walk(base) if only is None else _expand(base, only)
    files: dict[str, None] = {}
    skipped: dict[str, str] = {}
    for rel in candidates:
        path, reason = _classify(base, rel)
        if reason is not None:
            skipped[rel] = reason
        elif path is not None:
            files[path] = None
    return Workspace(
        root=base,
        files=tuple(sorted(files)),
        skipped=tuple(SkippedFile(p, r) for p, r in sorted(skipped.items())),
    )


def _walk(base: Path, start: Path | None = None) -> Iterator[str]:
    """Yield repo-relative paths of every file and symlink below start, pruning SKIP_DIRS."""
    for dirpath, dirnames, filenames in os.walk(start or base, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        # os.walk lists symlinked directories but never enters them: report them as entries.
        links = [d for d in dirnames if (here / d).is_symlink()]
        for name in sorted([*filenames, *links]):
            yield (here / name).relative_to(base).as_posix()


def _expand(base: Path, only: Iterable[str]) -> Iterator[str]:
    """Yield the requested paths; directories expand to their files; missing ones are dropped."""
    for raw in only:
        rel = normalise(raw)
        if rel == ".":
            yield from _walk(base)
            continue
        if any(part in SKIP_DIRS for part in PurePosixPath(rel).parts):
            continue
        path = base / rel
        if path.is_dir() and not path.is_symlink():
            yield from _walk(base, path)
        elif path.exists() or path.is_symlink():
            yield rel


def normalise(raw: str) -> str:
    """Return a clean repo-relative POSIX path ('.' for root); refuse paths leaving root."""
    pure = PurePosixPath(raw.replace("\\", "/"))
    parts = [p for p in pure.parts if p not in ("", ".")]
    if raw.strip() and not parts and not pure.is_absolute():
        return "."
    if pure.is_absolute() or ".." in parts or not parts:
        raise UserError(f"files: {raw!r} is not inside the repository; pass repo-relative paths")
    return "/".join(parts)


def _classify(base: Path, rel: str) -> tuple[str | None, str | None]:
    """Return (path to scan, None), (None, skip reason) or (None, None) to drop silently."""
    path = base / rel
    if path.is_symlink() or path.resolve() != path:
        return _classify_link(base, path)
    return _classify_file(rel, path)


def _classify_link(base: Path, path: Path) -> tuple[str | None, str | None]:
    """Classify a path that is, or passes through, a symlink."""
    target = path.resolve()
    if not target.is_relative_to(base):
        return None, SYMLINK_OUTSIDE
    if not target.exists():
        return None, BROKEN_SYMLINK
    if target.is_dir():
        return None, None  # the directory is walked under its real name
    rel = target.relative_to(base).as_posix()
    if any(part in SKIP_DIRS for part in PurePosixPath(rel).parts):
        return None, None
    return _classify_file(rel, target)


def _classify_file(rel: str, path: Path) -> tuple[str | None, str | None]:
    """Classify a real file (no symlink on its path)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None, NOT_REGULAR
        if info.st_size > MAX_FILE_BYTES:
            return None, TOO_LARGE
        with path.open("rb") as handle:
            probe = handle.read(BINARY_PROBE_BYTES)
    except OSError:
        return None, UNREADABLE
    if b"\x00" in probe:
        return None, BINARY
    return rel, None
