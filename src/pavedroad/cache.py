"""A content-addressed cache of scanner results: one JSON file per key, written atomically.

Keys are SHA-256 digests of everything a result depends on (see incremental.unit_key), so an
entry never needs invalidating: a change to the content, the tool, its configuration or Paved
Road itself yields a new key. There is no shared index to corrupt. Every writer writes its own
temporary file and moves it into place with os.replace, so a reader sees a whole entry or none;
concurrent gates writing the same key write the same bytes. An entry that does not read back
exactly (bad JSON, another schema, another key, a wrong field) is deleted and recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from pavedroad.findings import Finding, Severity

SCHEMA = 1
CACHE_ENV = "PAVED_CACHE_DIR"
_FIELDS = {f.name: f.type for f in fields(Finding)}
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
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
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
        body = encode(key, findings)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=f".{key[:12]}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(body)
                Path(tmp).replace(path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:  # a full disk or read-only cache costs speed, never a result
            return False
        return True


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
