"""`paved adopt`: bring a catalog template into an existing git repository, losing nothing.

The template is rendered into a scratch folder first. Files the repository lacks are added;
files it has are left alone and reported with a diff against the template's version (or, on
request, written with git's conflict markers for review). Everything is then applied in one
step that undoes itself on any failure or interrupt, the gate included, so a failed adoption
leaves the work tree exactly as it was. Nothing is committed.
"""

from __future__ import annotations

import difflib
import functools
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pavedroad.catalog import publish, store
from pavedroad.catalog.model import Template
from pavedroad.catalog.model import load as load_catalog
from pavedroad.catalog.questions import Prompt, load_config, resolve_answers
from pavedroad.catalog.render import record_template, render_source
from pavedroad.catalog.scratch import scratch
from pavedroad.catalog.store import git, git_ok
from pavedroad.errors import UserError
from pavedroad.gate.result import GateResult
from pavedroad.gate.run import gate_repository
from pavedroad.progress import Progress, Step, silent
from pavedroad.project import answers as answers_mod
from pavedroad.project.new import read_data_file
from pavedroad.scan.redact import redact

STAGE = "release"
MAX_DIRTY_SHOWN = 10
Gate = Callable[..., GateResult]


@dataclass(frozen=True)
class AdoptRequest:
    """Which template to bring into which repository, and where its answers come from."""

    template_id: str
    path: Path
    data: Mapping[str, Any] = field(default_factory=dict)  # wins over data_file
    data_file: Path | None = None
    prompt: Prompt | None = None  # None: unanswered questions take their default
    on_invalid: Callable[[str], None] = lambda message: None
    write_conflicts: bool = False
    catalog: Path | None = None
    store: str | None = None


@dataclass(frozen=True)
class Conflict:
    """A file the repository already has that differs from the template's version."""

    path: str
    diff: str  # unified diff from the repository's file to the template's (secrets redacted)
    written: bool = False  # True: the file now holds both versions between conflict markers


@dataclass(frozen=True)
class AdoptResult:
    """What an adoption added, left alone and found."""

    root: Path
    template_id: str
    version: str
    answers_file: str
    added: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()  # already identical to the template's
    conflicts: tuple[Conflict, ...] = ()
    gate: GateResult | None = None  # None: not gated, conflict markers were written

    @property
    def written_conflicts(self) -> tuple[str, ...]:
        """Return the files written with conflict markers."""
        return tuple(c.path for c in self.conflicts if c.written)


@dataclass(frozen=True)
class _Write:
    rel: str
    source: Path  # the bytes to write, in the scratch folder


def adopt(
    request: AdoptRequest, gate: Gate | None = None, progress: Progress = silent
) -> AdoptResult:
    """Add a template's files to a clean git repository, record its answers, then gate it."""
    gate = gate or functools.partial(gate_repository, progress=progress)
    root = _clean_repository(request.path)
    template = load_catalog(request.catalog).get(request.template_id)
    answers_file = _answers_file(root, template.id)
    answers = _answers(template, request)
    progress(Step(f"rendering {template.id} {template.version}"))  # after the prompts
    source = publish.ensure_published(template, store.resolve(request.store))
    with scratch(Path(tempfile.gettempdir()), "paved-adopt-") as folder:
        out = folder / "render"
        render_source(source, answers, out, answers_file)
        record_template(out, template.id, source.version, answers_file)
        result = _classify(root, out, folder / "merged", request.write_conflicts, source.version)
        result = replace(result, template_id=template.id, answers_file=answers_file)
        writes = [_Write(rel, out / rel) for rel in result.added]
        merged = [c.path for c in result.conflicts if c.written]
        writes += [_Write(rel, folder / "merged" / rel) for rel in merged]
        progress(Step(f"writing {len(writes)} file(s) into {root}"))
        with _applied(root, writes, folder / "backup"):
            if result.written_conflicts:
                return result  # conflict markers do not parse: gate once they are resolved
            progress(Step(f"running the {STAGE} gate on {root}"))
            return replace(result, gate=gate(root, STAGE, remember=False))


def _clean_repository(path: Path) -> Path:
    """Return the absolute path of a git work tree with a commit and no uncommitted changes."""
    root = path.absolute()
    if not root.is_dir():
        raise UserError(f"{path}: no such folder; pass the path of an existing git repository")
    head = git(["rev-parse", "--verify", "--quiet", "HEAD"], cwd=root)
    if head.returncode != 0:
        raise UserError(
            f"{path}: not a git repository with a commit; paved adopt adds files for review with "
            "git: run `git init && git add -A && git commit -m 'Before adopting'` first"
        )
    status = git_ok(
        ["status", "--porcelain", "--untracked-files=all"], cwd=root, doing="reading git status"
    )
    dirty = [line[3:] for line in status.splitlines() if line.strip()]
    if dirty:
        shown = ", ".join(dirty[:MAX_DIRTY_SHOWN])
        more = f" and {len(dirty) - MAX_DIRTY_SHOWN} more" if len(dirty) > MAX_DIRTY_SHOWN else ""
        raise UserError(
            f"{path}: {len(dirty)} uncommitted change(s): {shown}{more}; commit them "
            "(`git add -A && git commit`) or stash them (`git stash -u`) first, so the "
            "adoption can be reviewed and undone exactly"
        )
    return root


def _answers_file(root: Path, template_id: str) -> str:
    """Return the answers file to write; refuse a template the repository already carries."""
    for carried in answers_mod.readable(root):
        if carried.template_id == template_id:
            raise UserError(
                f"{root}: already carries {template_id} {carried.recorded.version} "
                f"({carried.answers_file}); bring it up to date with `paved update "
                f"--template {template_id}` instead"
            )
    name = answers_mod.file_for(template_id)
    if (root / name).exists():
        raise UserError(
            f"{root / name}: exists but does not record {template_id}; move it away or fix "
            "its _paved_template, then run paved adopt again"
        )
    return name


def _answers(template: Template, request: AdoptRequest) -> dict[str, Any]:
    """Validate the answers as `paved new` does: --data wins over --data-file, then prompts."""
    given = {**read_data_file(request.data_file), **request.data}
    return resolve_answers(
        load_config(template.directory), given, request.prompt, on_invalid=request.on_invalid
    )


def _classify(root: Path, out: Path, merged: Path, write: bool, version: str) -> AdoptResult:
    """Sort the rendered files into added, unchanged and conflicting (written or not)."""
    added, unchanged, conflicts = [], [], []
    for rel in _files(out):
        mine = root / rel
        blocker = _blocker(root, rel)
        if blocker is None and not mine.exists():
            added.append(rel)
        elif blocker is None and mine.read_bytes() == (out / rel).read_bytes():
            unchanged.append(rel)
        elif blocker is not None:
            conflicts.append(Conflict(rel, f"{rel}: left alone: {blocker}\n"))
        else:
            conflicts.append(_conflict(mine, out / rel, rel, merged, write, version))
    return AdoptResult(
        root, "", version, "", tuple(added), tuple(unchanged), tuple(conflicts), None
    )


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _blocker(root: Path, rel: str) -> str | None:
    """Say why a path cannot be written safely (a symlink, or a file where a folder goes)."""
    here = root
    parts = rel.split("/")
    for i, part in enumerate(parts):
        here = here / part
        if here.is_symlink():
            return f"{'/'.join(parts[: i + 1])} is a symbolic link"
        if i < len(parts) - 1 and here.exists() and not here.is_dir():
            return f"{'/'.join(parts[: i + 1])} is a file where the template has a folder"
    if here.exists() and not here.is_file():
        return "a folder where the template has a file"
    return None


def _conflict(
    mine: Path, theirs: Path, rel: str, merged: Path, write: bool, version: str
) -> Conflict:
    diff = _diff(mine.read_bytes(), theirs.read_bytes(), rel, version)
    if not write:
        return Conflict(rel, diff)
    target = merged / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_with_markers(mine, theirs, target.parent))
    shutil.copymode(mine, target)
    return Conflict(rel, diff, written=True)


def _diff(mine: bytes, theirs: bytes, rel: str, version: str) -> str:
    """Return a unified diff from the repository's file to the template's version."""
    try:
        a, b = mine.decode("utf-8"), theirs.decode("utf-8")
    except UnicodeDecodeError:
        return f"Binary files a/{rel} (yours) and b/{rel} (template {version}) differ\n"
    lines = difflib.unified_diff(
        a.splitlines(keepends=True),
        b.splitlines(keepends=True),
        f"a/{rel} (yours)",
        f"b/{rel} (template {version})",
    )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return redact(text)  # printed, and perhaps kept in a CI log


def _with_markers(mine: Path, theirs: Path, work: Path) -> bytes:
    """Return both versions merged by git, each difference between conflict markers."""
    empty = work / ".paved-empty-base"
    empty.write_bytes(b"")
    labels = ["-L", "ours", "-L", "base", "-L", "template"]
    merged = git(["merge-file", "-p", *labels, str(mine), str(empty), str(theirs)])
    empty.unlink()
    if merged.returncode < 0 or merged.returncode > 127:  # binary: markers around the whole file
        return b"<<<<<<< ours\n" + mine.read_bytes() + b"\n=======\n" + theirs.read_bytes()
    return merged.stdout.encode("utf-8")


@contextmanager
def _applied(root: Path, writes: list[_Write], backup: Path) -> Iterator[None]:
    """Write every file; on any failure or interrupt, here or in the block, undo them all."""
    created: list[Path] = []  # files and folders this adoption created, in creation order
    saved: list[tuple[Path, Path]] = []  # (file in the repository, its original bytes)
    try:
        for item in writes:
            _place(root, item, created, saved, backup)
        yield
    except BaseException:
        _undo(created, saved)
        raise


def _place(
    root: Path, item: _Write, created: list[Path], saved: list[tuple[Path, Path]], backup: Path
) -> None:
    """Write one file, remembering what to remove or restore to undo it."""
    dest = root / item.rel
    missing = [p for p in reversed(dest.parents) if p != root and not p.exists()]
    for folder in missing:
        folder.mkdir()
        created.append(folder)
    if dest.exists():
        keep = backup / item.rel
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(dest, keep)
        saved.append((dest, keep))
    else:
        created.append(dest)
    shutil.copyfile(item.source, dest)
    shutil.copymode(item.source, dest)


def _undo(created: list[Path], saved: list[tuple[Path, Path]]) -> None:
    """Put the work tree back as it was: remove what was created, restore what was changed."""
    for dest, keep in saved:
        shutil.copy2(keep, dest)
    for path in reversed(created):
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        else:
            path.unlink(missing_ok=True)
