"""Tell the truth about an update that was interrupted after it reached the work tree.

`paved update` requires a clean work tree, so once the update is applied anything in the tree is
the update. Ctrl-C or SIGTERM then says what was applied and how to undo it. A run killed
outright cannot print: it leaves a marker in the git folder that the next run reports.
The gate runs before and after the update, so the summary says what the update did to security.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from pavedroad.catalog.store import git, git_ok
from pavedroad.errors import PavedError, ScannerError, UserError
from pavedroad.gate.result import GateResult
from pavedroad.policy import file as policy_file
from pavedroad.policy.compare import PolicyChange, compare_policies
from pavedroad.policy.file import Policy
from pavedroad.project.update_result import UpdateResult

ROLLBACK = "git reset --hard HEAD && git clean -fd"
MARKER = "paved-update-unverified"
Gate = Callable[..., GateResult]


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


@dataclass(frozen=True)
class Before:
    """The project's gate result and policy before the update (or why there is none)."""

    result: GateResult | None
    error: str | None
    pol: Policy | None


def gated_before(root: Path, gate: Gate, stage: str) -> Before:
    """Gate the project as it is now; a failure here only leaves the summary incomplete."""
    try:
        pol: Policy | None = policy_file.load(root)
    except PavedError:
        pol = None
    try:
        return Before(gate(root, stage, remember=False), None, pol)
    except PavedError as exc:
        return Before(None, f"not available: {exc}", pol)


def policy_changes(before: Policy | None, root: Path) -> tuple[PolicyChange, ...]:
    """Compare the policy before and after; an unreadable one is itself a weaker gate."""
    if before is None:
        return ()
    try:
        after = policy_file.load(root)
    except PavedError as exc:
        return (PolicyChange(policy_file.POLICY_PATH, "valid", f"unreadable: {exc}", True),)
    return compare_policies(before, after)


def verified(result: UpdateResult, gate: Gate, stage: str) -> UpdateResult:
    """Gate the updated project; on an error say where the update is and how to undo it."""
    hint = f"the update is in {result.root}, not verified; roll back with `{ROLLBACK}`"
    try:
        after = gate(result.root, stage, remember=False)
    except ScannerError as exc:
        raise ScannerError(exc.scanner, f"{exc.reason}; {hint}") from None
    except PavedError as exc:
        raise UserError(f"{exc}; {hint}") from None
    return replace(result, after=after)
