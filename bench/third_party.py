"""A corpus of files nobody here wrote: the text files of the packages installed beside Paved Road.

Deterministic and bounded: the candidates of each kind (package READMEs from dist-info METADATA,
Markdown, reStructuredText, text such as changelogs, YAML, JSON, Dockerfiles, Terraform) are
sorted by path and taken round-robin across kinds until the size limit, skipping files over
MAX_FILE. The copies keep their site-packages paths and are committed to a git repository.
Also measures the secrets scanner's throughput on its Markdown-heavy part, in this process.
"""

from __future__ import annotations

import fnmatch
import shutil
import sysconfig
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import corpus

from pavedroad.scan.workspace import collect
from pavedroad.scanners.interface import ScanTarget
from pavedroad.scanners.secrets import SecretsScanner

MAX_FILE = 1_000_000
KINDS: Mapping[str, tuple[str, ...]] = {
    "readme": ("*.dist-info/METADATA",),
    "markdown": ("*.md",),
    "rst": ("*.rst",),
    "text": ("*.txt",),
    "yaml": ("*.yaml", "*.yml"),
    "json": ("*.json",),
    "dockerfile": ("Dockerfile", "*.Dockerfile", "*.dockerfile"),
    "terraform": ("*.tf",),
}
PROSE = ("readme", "markdown", "rst", "text")  # the Markdown-heavy part
SLOW_FILE_MIN = 20_000  # below this, fixed costs decide a file's seconds per 100 KB


def build(dest: Path, limit: int, source: Path | None = None) -> Path:
    """Copy up to `limit` bytes of third-party text files into dest and commit them."""
    source = source or Path(sysconfig.get_paths()["purelib"])
    dest.mkdir(parents=True)
    total = 0
    for rel in _round_robin(_candidates(source)):
        size = (source / rel).stat().st_size
        if total + size > limit:
            break
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, dest / rel)
        total += size
    corpus.git(dest, "init", "-q")
    corpus.git(dest, "add", "-A")
    corpus.git(dest, "commit", "-q", "-m", "third-party files")
    return dest


def _candidates(source: Path) -> dict[str, list[str]]:
    """Return, per kind, the sorted relative paths of files small enough to copy."""
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source).as_posix()
        kind = kind_of(rel)
        if kind and not _ours(rel) and path.is_file() and not path.is_symlink():
            if 0 < path.stat().st_size <= MAX_FILE:
                found[kind].append(rel)
    return found


def _ours(rel: str) -> bool:
    """Return True for Paved Road's own files (an installed copy) and generated ones."""
    top = rel.split("/", 1)[0]
    return top == "pavedroad" or top.startswith("pavedroad-") or "__pycache__" in rel


def kind_of(rel: str) -> str | None:
    """Return the kind of a relative path, or None."""
    name = rel.rsplit("/", 1)[-1]
    for kind, patterns in KINDS.items():
        if any(fnmatch.fnmatch(rel if "/" in p else name, p) for p in patterns):
            return kind
    return None


def _round_robin(by_kind: Mapping[str, Sequence[str]]) -> Iterator[str]:
    longest = max((len(v) for v in by_kind.values()), default=0)
    for i in range(longest):
        for paths in by_kind.values():
            if i < len(paths):
                yield paths[i]


def describe(root: Path) -> dict[str, int]:
    """Count the corpus: files, bytes, and files per kind."""
    files = collect(root).files
    counts = {"files": len(files), "bytes": sum((root / f).stat().st_size for f in files)}
    for kind in KINDS:
        counts[kind] = sum(kind_of(f) == kind for f in files)
    return counts


def secrets_throughput(root: Path) -> list[str]:
    """Time the secrets scanner on the prose files at once, then file by file."""
    files = tuple(f for f in collect(root).files if kind_of(f) in PROSE)
    size = sum((root / f).stat().st_size for f in files)
    SecretsScanner().scan(ScanTarget(root=root, files=files[:1]))  # imports, outside the clock
    started = time.perf_counter()
    SecretsScanner().scan(ScanTarget(root=root, files=files))
    wall = time.perf_counter() - started
    slowest = max(_per_100kb(root, f) for f in files if (root / f).stat().st_size >= SLOW_FILE_MIN)
    return [
        f"secrets throughput: {size / 1e6:.1f} MB of Markdown-heavy text ({len(files)} files) "
        f"in {wall:.2f} s = {size / 1e6 / wall:.2f} MB/s (target >= 2)",
        f"slowest file (of {SLOW_FILE_MIN // 1000} KB or more): {slowest[0]:.3f} s per 100 KB, "
        f"{slowest[1]} (target <= 0.1)",
    ]


def _per_100kb(root: Path, rel: str) -> tuple[float, str]:
    started = time.perf_counter()
    SecretsScanner().scan(ScanTarget(root=root, files=(rel,)))
    seconds = time.perf_counter() - started
    return seconds / ((root / rel).stat().st_size / 100_000), rel
