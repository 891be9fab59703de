"""Tell the truth about an update that was interrupted after it reached the work tree.

`paved update` requires a clean work tree, so once the update is applied anything in the tree is
the update. Ctrl-C or SIGTERM then says what was applied and how to undo it. A run killed
outright cannot print: it leaves a marker in the git folder that the next run reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pavedroad.catalog.store import git, git_ok
from pavedroad.errors import PavedError, UserError

ROLLBACK = "git reset --hard HEAD && git clean -fd"
MARKER = "paved-update-unverified"


class UpdateInterrupted(PavedError):
    """Interrupted after the update reached the work tree: say so, and how to undo it."""

    exit_code = 130


@contextmanager
def after_apply(root: Path, what: str) -> Iterator[None]:
    """Turn an interrupt after the update reached the (once clean) work tree into the truth."""
    try:
        yield
    except KeyboardInterrupt:
        status = git(["status", "--porcelain"], cwd=root)
        if status.returncode == 0 and not status.stdout.strip():
            raise  # the tree is as it was: "nothing was changed" is true
        raise UpdateInterrupted(
            f"interrupted after the update {what} was applied to {root}, before it was "
            f"verified; review it with `git status` and `git diff`, or undo it with `{ROLLBACK}`"
        ) from None


@contextmanager
def unverified(root: Path, what: str) -> Iterator[None]:
    """Mark the repository while an applied update is not yet verified or reported."""
    marker = _marker(root)
    marker.write_text(what + "\n", encoding="utf-8")
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


def check_killed_update(root: Path, dirty: bool) -> None:
    """Explain a dirty tree left by a killed update; forget the marker once the tree is clean."""
    marker = _marker(root)
    if not marker.is_file():
        return
    if not dirty:
        marker.unlink(missing_ok=True)  # committed or rolled back since: nothing to report
        return
    what = marker.read_text(encoding="utf-8").strip()
    raise UserError(
        f"{root}: an earlier `paved update` ({what}) was applied but never verified (the run "
        f"was killed); review it with `git diff` and commit it, or undo it with `{ROLLBACK}`, "
        "then run `paved update` again"
    )


def _marker(root: Path) -> Path:
    """Return the marker's path inside the git folder (never in the work tree itself)."""
    out = git_ok(["rev-parse", "--git-path", MARKER], cwd=root, doing="locating the git folder")
    path = Path(out.strip())
    return path if path.is_absolute() else root / path
