"""List the files of a repository that the scanners may read, and say why others are skipped.

In a git repository, what is gated is what is committed or about to be: tracked files wherever
they live (a key committed under node_modules/ is still committed), and untracked files git
does not ignore, except in vendored and cache folders (SKIP_DIRS). Git-ignored files are not
gated, unless a Dockerfile would copy them into an image (see shipping.py): those are given to
the secrets scanner. Outside git every file is gated, SKIP_DIRS aside. What is left out is
counted, never silently dropped.

Text files over 1 MB, with NUL bytes or in UTF-16/32 are read by the secrets scanner only
(`partial`); binary files, and text over 4 MB, cannot be scanned at all (`skipped`).
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pavedroad import proc
from pavedroad.errors import ToolError, UserError
from pavedroad.policy.file import LAST_SARIF_PATH
from pavedroad.scan import shipping
from pavedroad.scanners.interface import ScanTarget
from pavedroad.scanners.own_rules import is_dockerfile
from pavedroad.textfile import PROBE_BYTES, encoding_of

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
MAX_FILE_BYTES = 1024 * 1024  # over this, only the secrets scanner reads a text file
# Over this, nothing reads it: detect-secrets costs ~0.2 ms a line (4 MB of short lines: ~1 min).
MAX_TEXT_BYTES = 4 * 1024 * 1024
BINARY_PROBE_BYTES = PROBE_BYTES

TOO_LARGE = "over 4 MB"
OVER_1MB = "over 1 MB"
NOT_UTF8 = "UTF-16/32 text"
HAS_NUL = "text with NUL bytes"
BINARY = "binary"
SYMLINK_OUTSIDE = "symlink outside root"
BROKEN_SYMLINK = "broken symlink"
NOT_REGULAR = "not a regular file"
UNREADABLE = "unreadable"
_VCS_DIRS = frozenset({".git", ".hg", ".svn"})


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
    partial: tuple[SkippedFile, ...] = ()  # text only the secrets scanner reads, and why
    shipped: tuple[str, ...] = ()  # git-ignored files a Dockerfile copies into an image
    not_gated: int = 0  # git-ignored paths and untracked files in vendored folders

    def target(self) -> ScanTarget:
        """Return the scan target the scanners receive."""
        return ScanTarget(root=self.root, files=self.files)

    def secrets_target(self) -> ScanTarget:
        """Return what the secrets scanner reads: every text file, and what ships in images."""
        extra = {p.path for p in self.partial} | set(self.shipped)
        return ScanTarget(root=self.root, files=tuple(sorted({*self.files, *extra})))


@dataclass(frozen=True)
class _Listing:
    """What git says of a folder: files to consider, ignored entries, untracked vendored count."""

    candidates: tuple[str, ...]
    ignored: tuple[str, ...]
    vendored: int


def collect(root: Path, only: Iterable[str] | None = None) -> Workspace:
    """List the scannable files under root, or only the given repo-relative paths."""
    base = root.resolve()
    if not base.is_dir():
        raise UserError(f"{root}: not a directory; pass the repository root")
    listing = git_listing(base)
    if listing is None:
        pruned: list[str] = []
        candidates = list(_walk(base, None, pruned) if only is None else _expand(base, only))
        return _sort(base, candidates, shipped=(), not_gated=len(pruned))
    wanted = None if only is None else frozenset(normalise(p) for p in only)
    candidates = [c for c in _git_files(base, listing.candidates) if _under(c, wanted)]
    dockerfiles = [c for c in listing.candidates if is_dockerfile(c)]
    ships = shipping.shipped(
        base, dockerfiles, listing.ignored, functools.partial(_ignored_files, base)
    )
    ships = tuple(s for s in ships if _under(s, wanted))
    return _sort(base, candidates, ships, len(listing.ignored) + listing.vendored)


def _sort(
    base: Path, candidates: Iterable[str], shipped: Iterable[str], not_gated: int
) -> Workspace:
    """Classify candidates (and shipped files) into scanned, secrets-only and skipped."""
    files: dict[str, None] = {}
    partial: dict[str, str] = {}
    skipped: dict[str, str] = {}
    ships: dict[str, None] = {}
    for rel, is_shipped in [*((c, False) for c in candidates), *((s, True) for s in shipped)]:
        path, reason = _classify(base, rel)
        if path is None and reason is not None:
            skipped[rel] = reason
        elif path is not None and is_shipped:
            ships[path] = None
        elif path is not None and reason is not None:
            partial[path] = reason
        elif path is not None:
            files[path] = None
    return Workspace(
        root=base,
        files=tuple(sorted(files)),
        skipped=tuple(SkippedFile(p, r) for p, r in sorted(skipped.items())),
        partial=tuple(SkippedFile(p, r) for p, r in sorted(partial.items()) if p not in files),
        shipped=tuple(sorted(set(ships) - set(files) - set(partial))),
        not_gated=not_gated,
    )


def git_listing(base: Path) -> _Listing | None:
    """Ask git what base holds; None when base is not in a git work tree."""
    inside = _git(base, "rev-parse", "--is-inside-work-tree")
    if inside is None or inside.strip() != "true":
        return None
    tagged = _git(base, "ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard")
    ignored = _git(
        base, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"
    )
    if tagged is None or ignored is None:
        raise UserError(f"{base}: git could not list the repository's files; run git status there")
    candidates: dict[str, None] = {}
    vendored = 0
    for entry in filter(None, tagged.split("\0")):
        tag, rel = entry[:1], entry[2:]
        if rel == LAST_SARIF_PATH:
            continue  # the gate's own report of the last run
        if tag == "?" and SKIP_DIRS.intersection(PurePosixPath(rel).parts[:-1]):
            vendored += 1  # untracked vendored content: not committed, not gated
        else:
            candidates[rel] = None
    skipped = tuple(p for p in ignored.split("\0") if p and not _own_output(base, p))
    return _Listing(tuple(candidates), skipped, vendored)


def _own_output(base: Path, entry: str) -> bool:
    """Return True for the gate's own last report, or an ignored folder holding only that."""
    folder = entry.rstrip("/")
    if folder == LAST_SARIF_PATH:
        return True
    if not entry.endswith("/") or not LAST_SARIF_PATH.startswith(folder + "/"):
        return False
    try:
        return {p.name for p in (base / folder).iterdir()} <= {PurePosixPath(LAST_SARIF_PATH).name}
    except OSError:
        return False


def _git(base: Path, *args: str) -> str | None:
    """Run git in base; return its output, or None when base is not in a git repository."""
    try:
        done = proc.git(["-C", str(base), *args], timeout=120)
    except ToolError as exc:
        if _looks_like_git(base):  # without git, committed and ignored files look alike
            raise UserError(
                f"{base}: git is needed to tell committed files from ignored ones "
                f"({exc.reason}); install git"
            ) from None
        return None
    if done.returncode == 0:
        return done.stdout
    if "not a git repository" in done.stderr or not _looks_like_git(base):
        return None
    lines = done.stderr.strip().splitlines() or ["no message"]
    message = next((line for line in lines if line.startswith("fatal:")), lines[-1])
    raise UserError(
        f"{base}: git cannot list the committed files ({message}); fix what git says, "
        "then run the gate again"
    )


def _looks_like_git(base: Path) -> bool:
    """Return True when base or a parent holds a git repository (.git folder or file)."""
    return any(
        (p / ".git" / "HEAD").is_file() or (p / ".git").is_file() for p in (base, *base.parents)
    )


def _ignored_files(base: Path, folder: str) -> Iterator[str]:
    """List an ignored folder's files; vendored folders are other people's code, and huge."""
    if not SKIP_DIRS.intersection(PurePosixPath(folder).parts):
        yield from _walk(base, base / folder)


def _git_files(base: Path, listed: Iterable[str]) -> Iterator[str]:
    """Yield git's paths that exist; folders (submodules, nested repositories) are walked."""
    for rel in listed:
        rel = rel.rstrip("/")
        path = base / rel
        if path.is_dir() and not path.is_symlink():
            yield from _walk(base, path)
        elif path.exists() or path.is_symlink():
            yield rel


def _under(rel: str, wanted: frozenset[str] | None) -> bool:
    """Return True when rel is one of the wanted paths or inside one (None wants all)."""
    if wanted is None or "." in wanted or rel in wanted:
        return True
    return any(parent.as_posix() in wanted for parent in PurePosixPath(rel).parents)


def _walk(base: Path, start: Path | None = None, pruned: list[str] | None = None) -> Iterator[str]:
    """Yield repo-relative paths of every file and symlink below start, pruning SKIP_DIRS.

    Pruned folders (version control aside) are appended to pruned, so they can be counted.
    """
    for dirpath, dirnames, filenames in walk_tree(start or base):
        here = Path(dirpath)
        if pruned is not None:
            pruned += [d for d in dirnames if d in SKIP_DIRS and d not in _VCS_DIRS]
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        # os.walk lists symlinked directories but never enters them: report them as entries.
        links = [d for d in dirnames if (here / d).is_symlink()]
        for name in sorted([*filenames, *links]):
            rel = (here / name).relative_to(base).as_posix()
            if rel != LAST_SARIF_PATH:  # the gate's own report of the last run
                yield rel


def walk_tree(top: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """Walk like os.walk(top, followlinks=False), without recursion.

    Python 3.11's os.walk recurses once per level, so a 1,100-level tree crashed the gate.
    Like os.walk, callers may prune by editing the yielded dirnames in place.
    """
    stack = [top]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except OSError:
            continue  # os.walk skips unreadable folders the same way
        dirnames = [e.name for e in entries if e.is_dir()]
        filenames = [e.name for e in entries if not e.is_dir()]
        yield str(here), dirnames, filenames
        stack.extend(here / d for d in reversed(dirnames) if not (here / d).is_symlink())


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
    """Return (path, None) to scan, (path, reason) for the secrets scanner only,
    (None, skip reason) or (None, None) to drop silently."""
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
        if info.st_size > MAX_TEXT_BYTES:
            return None, TOO_LARGE
        with path.open("rb") as handle:
            probe = handle.read(BINARY_PROBE_BYTES)
    except OSError:
        return None, UNREADABLE
    encoding = encoding_of(probe)
    if encoding is None:
        return None, BINARY
    if encoding != "utf-8":
        return rel, NOT_UTF8
    if b"\x00" in probe:
        return rel, HAS_NUL
    return rel, OVER_1MB if info.st_size > MAX_FILE_BYTES else None
