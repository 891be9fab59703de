"""A content-addressed cache of scanner results: one JSON file per key, written atomically.

A scanner's files are split into units whose results do not depend on other files, as its cache
plan (Scanner.cache_plan) says: one file; for checkov one Terraform module folder, and all
Kubernetes manifests together (its graph checks relate objects across files). A unit's key is a
SHA-256 digest of everything its result depends on: paths and contents, scanner name, the tool's
version, installed files, executable and settings, the configuration files the plan names
(.hadolint.yaml, .secrets.baseline) and Paved Road's version and code. So an entry never needs
invalidating: any change yields a new key.

There is no shared index to corrupt. Every writer writes its own temporary file and moves it
into place with os.replace, so a reader sees a whole entry or none; concurrent gates writing
the same key write the same bytes. An entry that does not read back exactly (bad JSON, another
schema, another key, a wrong field) is deleted and recomputed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from importlib import metadata
from pathlib import Path
from typing import Any

from pavedroad import __version__
from pavedroad.findings import Finding, Severity
from pavedroad.scanners.interface import CachePlan, Scanner

SCHEMA = 1
CACHE_ENV = "PAVED_CACHE_DIR"
# Keys change with every tool, configuration or content change, so old entries only take space.
MAX_AGE_SECONDS = 30 * 86400
PRUNE_EVERY_SECONDS = 86400
_STAMP = "last-pruned"
_FIELDS = {f.name: f.type for f in fields(Finding)}
_KEY = re.compile(r"[0-9a-f]{64}")
_TYPES: Mapping[str, type] = {"str": str, "int": int, "bool": bool}


class DamagedEntry(ValueError):
    """A cache entry that does not read back as the findings of its key."""


def default_directory() -> Path:
    """Return $PAVED_CACHE_DIR, else the user cache folder's `results`."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured:
        return Path(configured)
    import platformdirs  # only when a cache is used; keeps `paved --help` light

    return Path(platformdirs.user_cache_dir("pavedroad")) / "results"


def digest(*parts: str) -> str:
    """Return the SHA-256 of the parts, framed so that no two part lists collide."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class ResultCache:
    """Findings by key, stored under one directory (safe to share between processes)."""

    directory: Path

    def path(self, key: str) -> Path:
        """Return the file of one entry (fanned out by the first two hex digits)."""
        if not _KEY.fullmatch(key):
            raise ValueError(f"cache key {key!r} is not a SHA-256 hex digest")
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[Finding, ...] | None:
        """Return the cached findings, or None when absent or damaged (a damaged one is removed)."""
        path = self.path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        try:
            return decode(text, key)
        except DamagedEntry:
            path.unlink(missing_ok=True)
            return None

    def put(self, key: str, findings: Iterable[Finding]) -> bool:
        """Store the findings atomically; return False when the cache cannot be written."""
        path = self.path(key)
        # Unique per process and thread, so concurrent writers never share a temporary file.
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            _write(tmp, encode(key, findings))
            tmp.replace(path)
        except OSError:  # a full disk or read-only cache costs speed, never a result
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            return False
        return True

    def prune_if_due(self, now: float | None = None) -> int:
        """At most once a day, delete entries older than 30 days; return how many went."""
        now = time.time() if now is None else now
        stamp = self.directory / _STAMP
        try:
            last: float | None = stamp.stat().st_mtime
        except OSError:
            last = None  # a new cache starts the clock
        if last is not None and now - last < PRUNE_EVERY_SECONDS:
            return 0
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.touch()
            os.utime(stamp, (now, now))
        except OSError:  # a read-only cache is never pruned, like it is never written
            return 0
        return 0 if last is None else self.prune(now - MAX_AGE_SECONDS)

    def prune(self, before: float) -> int:
        """Delete entries and stray temporary files last written before this time."""
        removed = 0
        for path in self.directory.glob("[0-9a-f][0-9a-f]/*.json*"):
            with contextlib.suppress(OSError):  # another gate may remove it first
                if path.stat().st_mtime < before:
                    path.unlink()
                    removed += 1
        return removed


_MADE: set[Path] = set()


def _write(path: Path, text: str) -> None:
    """Write text, creating the fan-out folder the first time (a set is cheaper than mkdir)."""
    if path.parent not in _MADE:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _MADE.add(path.parent)
    try:
        write_private(path, text)
    except FileNotFoundError:  # the folder was removed since: make it again
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(path, text)


def write_private(path: Path, text: str) -> None:
    """Write text to a new or truncated file only its owner can read (findings quote code)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    if hasattr(os, "fchmod"):  # an existing file keeps its mode through O_CREAT
        os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def encode(key: str, findings: Iterable[Finding]) -> str:
    """Return the JSON text of an entry."""
    items = [{**asdict(f), "severity": f.severity.name} for f in findings]
    return json.dumps({"schema": SCHEMA, "key": key, "findings": items}, sort_keys=True)


def decode(text: str, key: str) -> tuple[Finding, ...]:
    """Return the findings of an entry; raise DamagedEntry unless it is exactly right."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DamagedEntry(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or set(data) != {"schema", "key", "findings"}:
        raise DamagedEntry("not a cache entry")
    if data["schema"] != SCHEMA or data["key"] != key:
        raise DamagedEntry("another schema or key")
    items = data["findings"]
    if not isinstance(items, list):
        raise DamagedEntry("findings is not a list")
    return tuple(finding_from_dict(item) for item in items)


def finding_from_dict(item: Any) -> Finding:
    """Rebuild a finding, checking every field's presence and type."""
    if not isinstance(item, dict) or set(item) != set(_FIELDS):
        raise DamagedEntry("a finding has missing or extra fields")
    values: dict[str, Any] = {}
    for name, declared in _FIELDS.items():
        value = item[name]
        if name == "severity":
            if not isinstance(value, str) or value not in Severity.__members__:
                raise DamagedEntry(f"unknown severity {value!r}")
            value = Severity[value]
        elif type(value) is not _TYPES[str(declared)]:  # bool is not an int here
            raise DamagedEntry(f"{name} is not a {declared}")
        values[name] = value
    return Finding(**values)


@dataclass(frozen=True)
class Unit:
    """Files a scanner's result for them depends on together, and the cache key of that result."""

    key: str
    files: tuple[str, ...]
    hashes: tuple[str, ...]

    def unchanged(self, root: Path) -> bool:
        """Return True when the files still hold what the key was made from."""
        return tuple(_file_hash(root / f) for f in self.files) == self.hashes


def units(
    scanner: object, root: Path, files: Sequence[str], seen: dict[str, str] | None = None
) -> tuple[Unit, ...] | None:
    """Split the files a scanner reads into cacheable units; None when it cannot be cached.

    seen memoises file digests across the scanners of one scan.
    """
    if not isinstance(scanner, Scanner):
        return None  # without every scanner fact (only possible at run time): never cached
    plan = scanner.cache_plan(root)
    tool = None if plan is None else _tool(scanner.tool.distribution, plan)
    if plan is None or tool is None:
        return None
    prefix = (version_tag(), scanner.name, tool, _config(root, plan.config))
    groups: dict[str, list[str]] = {}
    for rel in files:
        group = plan.unit_of(rel)
        if group is not None:
            groups.setdefault(group, []).append(rel)
    memo = {} if seen is None else seen
    return tuple(_unit(root, prefix, sorted(group), memo) for _, group in sorted(groups.items()))


def _unit(root: Path, prefix: Sequence[str], files: Sequence[str], memo: dict[str, str]) -> Unit:
    for rel in files:
        if rel not in memo:
            memo[rel] = _file_hash(root / rel)
    hashes = tuple(memo[rel] for rel in files)
    pairs = [f"{f}\0{h}" for f, h in zip(files, hashes, strict=True)]
    return Unit(digest(*prefix, *pairs), tuple(files), hashes)


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


@functools.cache
def version_tag() -> str:
    """Return Paved Road's version plus a digest of the code that shapes findings.

    The digest covers edits made without a version bump (an editable install).
    """
    package = Path(__file__).resolve().parents[1]
    scanners = package / "scanners"
    sources = sorted(
        p
        # knowledge/: the fix text and docs links findings carry
        for folder in (scanners, scanners / "checkov_severity", package / "knowledge")
        for p in folder.iterdir()
        if p.suffix in (".py", ".yaml")
    )
    sources += [package / "findings.py", package / "textfile.py"]  # textfile: how secrets decode
    here = package / "scan"
    sources += [here / "cache.py", here / "redact.py"]
    body = [f"{p.relative_to(package).as_posix()}\0{_file_hash(p)}" for p in sources]
    return f"{__version__}+{digest(*body)[:16]}"


def _package(name: str) -> str:
    try:
        return f"{name} {metadata.version(name)}"
    except metadata.PackageNotFoundError:
        return f"{name} (not installed)"


def _executable(found: str | None) -> str | None:
    """Return an executable's identity: resolved path, size and modification time."""
    if found is None:
        return None
    path = Path(shutil.which(found) or found).resolve()
    try:
        info = path.stat()
    except OSError:
        return None
    return f"{path} {info.st_size} {info.st_mtime_ns}"


def _tool(distribution: str, plan: CachePlan) -> str | None:
    """Return what identifies the tool that runs; None when its executable cannot be read."""
    parts = [_package(distribution), _installed(distribution)]
    if plan.executable is not None:
        exe = _executable(plan.executable)
        if exe is None:
            return None
        parts.append(exe)
    return " ".join((*parts, *plan.settings))


def _installed(name: str) -> str:
    """Return what is really installed: a digest of the RECORD (every file's hash) and where.

    A version string is only a claim: a patched or shadowing package keeps it, so an answer
    from one installation must never be served to another.
    """
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return "none"
    record = dist.read_text("RECORD") or ""
    top = Path(str(dist.locate_file(name)))
    stamps = [_stamp(top), _stamp(top / "main.py"), _stamp(top / "version.py")]
    return digest(str(dist.locate_file("")), record, *stamps)


def _stamp(path: Path) -> str:
    """Return a file's size and modification time (edits in place leave RECORD as it was)."""
    try:
        info = path.stat()
    except OSError:
        return f"{path} missing"
    return f"{path} {info.st_size} {info.st_mtime_ns}"


def _config(root: Path, names: Sequence[str]) -> str:
    """Digest the configuration files a scanner's results depend on, by name and content."""
    if not names:
        return "none"
    return digest(*(f"{name}\0{_file_hash(root / name)}" for name in names))
