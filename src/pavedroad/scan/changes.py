"""Which files a gate evaluates: git change sets for `scope: changed` stages.

A change set holds the files added, modified, renamed, copied or untracked (and not ignored)
since the merge-base of REF and HEAD, working-tree edits included, and the deleted ones.
A Terraform module is one unit: when any of its files changed or was deleted, every file of
its folder is evaluated and gated, because a changed variable default or a deleted override
moves findings into files the change did not touch. A changed policy, exceptions file, gate
baseline, secrets baseline or scanner configuration changes every verdict, so it means a full
evaluation.

Kubernetes manifests are context for each other: checkov's graph checks (CKV2_K8S_*) relate
pods to NetworkPolicies and roles to bindings across files, anywhere in the repository. So a
changed manifest is checked together with every manifest (CheckovScanner.context_files), but only
the changed ones are gated: gating them all would report the whole repository on every change.

A change set needs a meaningful base. When there is none, every file is evaluated and the note
says so, because "0 files changed" on a push must never read as a pass: the all-zero SHA (what
GitHub and GitLab give as the previous commit of a branch's first push or a manual pipeline),
a revision with no common ancestor with HEAD (unrelated history, a shallow clone), and a
comparison whose merge-base is HEAD itself with nothing changed (a CI checkout of the pushed
commit, whose upstream or default branch is that very commit).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pavedroad import proc
from pavedroad.errors import ToolError, UserError
from pavedroad.policy.file import BASELINE_PATH, EXCEPTIONS_PATH, LAST_SARIF_PATH, POLICY_PATH
from pavedroad.scanners import full_evaluation_triggers
from pavedroad.scanners.checkov_files import TERRAFORM_SUFFIXES
from pavedroad.scanners.checkov_files import kubernetes_manifests as kubernetes_manifests

# Every scanner's configuration files (Scanner.config_files, unread_config_files) count.
FULL_TRIGGERS = frozenset(
    {POLICY_PATH, EXCEPTIONS_PATH, BASELINE_PATH, *full_evaluation_triggers()}
)
# Where a CI system names the branch a change will merge into.
_CI_BASES = (("GITHUB_BASE_REF", "origin/{}"), ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "origin/{}"))
# What CI systems pass as the previous commit when there is none (SHA-1 or SHA-256 repositories).
_ZERO_SHA = re.compile(r"0{40}|0{64}")


class NoBaseError(UserError):
    """The revision to compare with gives no base: the all-zero SHA or no common ancestor."""

    def __init__(self, ref: str, reason: str) -> None:
        super().__init__(
            f"--changed-since {ref}: {reason}; pass a revision this branch started from, "
            "or run a full-scope stage"
        )
        self.reason = reason


@dataclass(frozen=True)
class ChangeSet:
    """What changed in a repository since a base commit, as root-relative POSIX paths."""

    ref: str
    base: str
    changed: tuple[str, ...]
    deleted: tuple[str, ...]
    head: str = ""

    @property
    def empty_at_head(self) -> bool:
        """Return True when the merge-base is HEAD itself and nothing changed: no real base."""
        return self.base == self.head and not self.changed and not self.deleted

    @property
    def full_reason(self) -> str | None:
        """Return why this change needs a full evaluation, or None."""
        hit = sorted(FULL_TRIGGERS.intersection((*self.changed, *self.deleted)))
        return f"{hit[0]} changed since {self.ref}" if hit else None


@dataclass(frozen=True)
class Selection:
    """The files a gate evaluates (None: every file) and a note that says why."""

    paths: tuple[str, ...] | None
    note: str | None = None
    base: str | None = None  # the merge-base compared with; None when there is no real base

    @property
    def full(self) -> bool:
        """Return True when every file is evaluated."""
        return self.paths is None


def select(root: Path, scope: str, changed_since: str | None) -> Selection:
    """Decide what a stage with this scope evaluates, given an optional --changed-since."""
    if scope == "full":
        note = None if changed_since is None else "full-scope stage: --changed-since was ignored"
        return Selection(None, note)
    why: str | None = None
    ref = changed_since
    if ref is None:
        ref, why = default_ref(root)
        if ref is None:
            return Selection(None, f"{why}: every file was evaluated")
    try:
        change = change_set(root, ref)
    except NoBaseError as exc:
        return Selection(None, f"every file was evaluated: {exc.reason}")
    return _from_change(root, change, why)


def _from_change(root: Path, change: ChangeSet, why: str | None = None) -> Selection:
    """Turn a change set into a selection, with a note saying what was compared."""
    reason = change.full_reason
    if reason is not None:
        return Selection(None, f"{reason}: every file was evaluated", change.base)
    if change.empty_at_head:
        source = f"{why}; " if why else ""
        return Selection(
            None,
            f"every file was evaluated: no change since {change.ref} ({source}merge-base is HEAD)",
        )
    what = f"since {change.ref} ({why + '; ' if why else ''}merge-base {change.base[:12]})"
    paths = gated_paths(root, change)
    if not paths:
        return Selection((), f"no file changed {what}; nothing to evaluate", change.base)
    files = "file" if len(paths) == 1 else "files"
    return Selection(paths, f"evaluated {len(paths)} changed {files} {what}", change.base)


def change_set(root: Path, ref: str) -> ChangeSet:
    """Return the change set between merge-base(ref, HEAD) and the working tree of root.

    Raises NoBaseError for the all-zero SHA and for a revision with no common ancestor.
    """
    _require_git(root)
    if ref.startswith("-"):
        raise UserError(f"--changed-since {ref}: not a git revision; pass a branch, tag or commit")
    if _ZERO_SHA.fullmatch(ref):
        raise NoBaseError(ref, "no previous commit (the all-zero SHA of a first push)")
    commit = _resolve(root, ref)
    if commit is None:
        raise UserError(
            f"--changed-since {ref}: unknown revision in {root}; fetch it first "
            "(git fetch origin main) or pass a branch, tag or commit that exists"
        )
    base = _merge_base(root, commit, ref)
    changed, deleted = _diff(root, base)
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z").split("\0")
    changed += [p for p in untracked if p and p != LAST_SARIF_PATH]  # the gate's own output
    head = _resolve(root, "HEAD") or ""
    return ChangeSet(ref, base, _unique(changed), _unique(deleted), head)


def default_ref(root: Path) -> tuple[str | None, str]:
    """Pick what a changed-scope stage compares with when no --changed-since is given.

    In order: the CI's target branch (GITHUB_BASE_REF, CI_MERGE_REQUEST_TARGET_BRANCH_NAME),
    origin's default branch, the branch's upstream, else HEAD (uncommitted changes only).
    Returns (None, why) when root is not in a git repository or has no commit yet.
    """
    if not _in_git(root):
        return None, f"{root} is not in a git repository"
    if _resolve(root, "HEAD") is None:
        return None, "the repository has no commit yet"
    for why, ref in _candidates(root):
        if _resolve(root, ref) is not None:
            return ref, why
    return "HEAD", "no upstream or default branch found"


def _candidates(root: Path) -> list[tuple[str, str]]:
    """Return (why, ref) candidates for the default comparison, best first."""
    found = [(var, form.format(os.environ[var])) for var, form in _CI_BASES if os.environ.get(var)]
    origin = _git_or_none(root, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD")
    if origin:
        found.append(("origin's default branch", origin))
    upstream = _git_or_none(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}")
    if upstream:
        found.append(("the branch's upstream", upstream))
    return found


def gated_paths(root: Path, change: ChangeSet) -> tuple[str, ...]:
    """Return the changed files plus every Terraform file of a module a change touched."""
    out = dict.fromkeys(change.changed)
    folders = {
        PurePosixPath(p).parent for p in (*change.changed, *change.deleted) if _is_terraform(p)
    }
    for folder in sorted(folders):
        out.update(dict.fromkeys(_terraform_files(root, folder)))
    return tuple(sorted(out))


def _is_terraform(path: str) -> bool:
    return path.endswith(TERRAFORM_SUFFIXES)


def _terraform_files(root: Path, folder: PurePosixPath) -> list[str]:
    directory = root / folder
    if not directory.is_dir():
        return []
    names = sorted(p.name for p in directory.iterdir() if p.is_file() and _is_terraform(p.name))
    return [(folder / name).as_posix() for name in names]


def _diff(root: Path, base: str) -> tuple[list[str], list[str]]:
    """Return (changed, deleted) between base and the working tree, renames detected."""
    out = _git(root, "diff", "--name-status", "-z", "-M", "--relative", "--no-ext-diff", base)
    fields = out.split("\0")
    changed: list[str] = []
    deleted: list[str] = []
    i = 0
    while i < len(fields) and fields[i]:
        status, path = fields[i][0], fields[i + 1]
        if status in "RC":  # R<score> old new (C: old stays): the new name is changed
            if status == "R":
                deleted.append(path)
            path = fields[i + 2]
            i += 1
        (deleted if status == "D" else changed).append(path)
        i += 2
    return changed, deleted


def _unique(paths: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(p for p in paths if p)))


def _require_git(root: Path) -> None:
    if not root.is_dir():
        raise UserError(f"{root}: not a directory; pass the repository root")
    if not _in_git(root):
        raise UserError(
            f"--changed-since needs a git repository, and {root} is not in one; "
            "run a full-scope stage (e.g. --stage release) or drop --changed-since"
        )


def _in_git(root: Path) -> bool:
    return _git_or_none(root, "rev-parse", "--is-inside-work-tree") == "true"


def _resolve(root: Path, ref: str) -> str | None:
    return _git_or_none(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")


def _merge_base(root: Path, commit: str, ref: str) -> str:
    base = _git_or_none(root, "merge-base", commit, "HEAD")
    if base is None:
        raise NoBaseError(ref, f"{ref} has no common ancestor with HEAD")
    return base


def _git_or_none(root: Path, *args: str) -> str | None:
    """Run git; return its trimmed output, or None when it fails."""
    done = _run(root, args)
    return done.stdout.strip() if done.returncode == 0 else None


def _git(root: Path, *args: str) -> str:
    """Run git; raise UserError with git's message when it fails."""
    done = _run(root, args)
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise UserError(f"git {args[0]} failed in {root}: {message[0]}")
    return done.stdout


def _run(root: Path, args: Sequence[str]) -> proc.Completed:
    try:
        return proc.git(["-C", str(root), *args], timeout=120)
    except ToolError as exc:
        raise UserError(f"git is needed to find changed files: {exc.reason}") from None
