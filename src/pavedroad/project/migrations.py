"""Declarative template migrations, applied by Paved Road itself (copier's need shell and trust).

copier's update renders the old version with the recorded answers to find the team's edits,
then renders the new version. A renamed answer is therefore passed under its new name to the
new render while the old render keeps reading the old name from the answers file. A moved file
would lose the team's edits (copier deletes the old path and writes the template's new file),
so Paved Road saves the team's file before the update and three-way merges it into its new
path afterwards: base = the old version's render, ours = the team's file, theirs = the new one.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import Version

from pavedroad.catalog.model import Migration
from pavedroad.catalog.store import git

Moves = tuple[Mapping[str, str], ...]


@dataclass(frozen=True)
class Carried:
    """A file moved by a migration with the team's edits merged in."""

    old: str
    new: str
    conflict: bool


def between(migrations: Iterable[Migration], old: str, new: str) -> tuple[Migration, ...]:
    """Return the migrations of versions after old up to and including new, in order."""
    chosen = [m for m in migrations if Version(old) < Version(m.version) <= Version(new)]
    return tuple(sorted(chosen, key=lambda m: Version(m.version)))


def rename_answers(answers: Mapping[str, Any], migrations: Sequence[Migration]) -> dict[str, Any]:
    """Return the answers under their newest names (an answer given under a new name wins)."""
    result = dict(answers)
    for migration in migrations:
        for old, new in migration.rename_answers.items():
            if old in result:
                value = result.pop(old)
                result.setdefault(new, value)
    return result


def moves(migrations: Sequence[Migration]) -> Moves:
    """Return the file moves of several versions, oldest first."""
    return tuple(m.move_files for m in migrations if m.move_files)


def target(path: str, moved: Moves) -> str | None:
    """Return where a file ends up after every move, or None when it stays."""
    current = path
    for step in moved:
        current = _step(current, step)
    return None if current == path else current


def _step(path: str, step: Mapping[str, str]) -> str:
    """Apply one version's moves: an exact match, or a file under a moved folder."""
    for old, new in step.items():
        folder = old.rstrip("/")
        if path == folder:
            return new
        if path.startswith(folder + "/"):
            return new.rstrip("/") + path[len(folder) :]
    return path


def describe(migrations: Sequence[Migration]) -> tuple[str, ...]:
    """Describe what the migrations do, one line each."""
    lines = []
    for m in migrations:
        lines += [f"{m.version}: answer {a} renamed to {b}" for a, b in m.rename_answers.items()]
        lines += [f"{m.version}: {a} moved to {b}" for a, b in m.move_files.items()]
    return tuple(lines)


def save_moved(project: Path, files: Iterable[str], moved: Moves, keep: Path) -> tuple[str, ...]:
    """Copy the team's files that are about to move into keep; return their paths."""
    saved = []
    for path in sorted(files):
        if target(path, moved) is not None:
            (keep / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(project / path, keep / path)
            saved.append(path)
    return tuple(saved)


def carry(
    project: Path,
    keep: Path,
    base: Path,
    moved: Moves,
    *,
    labels: tuple[str, str],
    tracked: frozenset[str],
) -> tuple[Carried, ...]:
    """Merge each saved team file into its new path after the update; old paths go away.

    A template file the team deleted stays deleted at its new path, as copier does (unless
    the team already keeps a file there).
    """
    saved = set(_files(keep))
    carried = []
    for path in sorted(saved):
        new = target(path, moved)
        if new is None:
            continue
        conflict = _merge_into(project / new, keep / path, base / path, labels)
        (project / path).unlink(missing_ok=True)
        carried.append(Carried(path, new, conflict))
    for path in sorted(set(_files(base)) - saved):
        new = target(path, moved)
        if new is not None and new not in tracked:
            (project / new).unlink(missing_ok=True)
    return tuple(carried)


def _merge_into(dest: Path, ours: Path, base: Path, labels: tuple[str, str]) -> bool:
    """Three-way merge ours (edited base) with dest (the new template file) into dest."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.is_file():
        shutil.copy2(ours, dest)
        return False
    empty = ours.with_name(ours.name + ".paved-empty-base")
    if not base.is_file():
        empty.write_bytes(b"")
    merged = git(
        ["merge-file", "-L", "your edits", "-L", labels[0], "-L", labels[1], str(ours)]
        + [str(base if base.is_file() else empty), str(dest)]
    )
    if merged.returncode < 0 or merged.returncode > 127:  # binary or unreadable: keep theirs
        dest.with_name(dest.name + ".yours").write_bytes(ours.read_bytes())
        return True
    shutil.copyfile(ours, dest)
    return merged.returncode > 0


def _files(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
