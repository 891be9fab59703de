"""What a .secrets.baseline may contribute: audits of known secrets, never scanner settings.

Paved Road decides which detectors and filters run. Baseline settings that would find less
(a plugin left out, a higher limit, an exclusion filter) are never applied; they are listed as
weakenings, which the secrets scanner reports as PAVED_SCANNER_CONFIG and drift as a weaker
gate. A baseline reached through a symlink out of the repository is not read.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pavedroad import confine
from pavedroad.errors import ConfigError
from pavedroad.scanners.own_rules import Weakening

BASELINE = ".secrets.baseline"
# detect-secrets keeps its settings in module globals: one user at a time per process.
SETTINGS_LOCK = threading.Lock()
_OFFLINE_DROP = "detect_secrets.filters.common.is_ignored_due_to_verification_policies"
_BASELINE_FILE = "detect_secrets.filters.common.is_baseline_file"
_EXCLUDE_LINES = "detect_secrets.filters.regex.should_exclude_line"
# Line exclusions Paved Road's own templates shipped: they match only image digest pins, which
# is_false_positive recognises anyway, so they hide nothing (and are never applied).
_PAVED_LINE_PATTERNS = frozenset(
    {
        r'^\s*-?\s*image:\s*"?[a-z0-9][a-z0-9./:_-]*@sha256:[0-9a-f]{64}"?\s*$',
        r"""^\s*(image: |image_digest: |FROM )["']?(\S+@)?sha256:[0-9a-f]{64}"""
        r"""["']?(\s+AS\s+\S+)?\s*$""",
    }
)


@dataclass(frozen=True)
class Baseline:
    """What a .secrets.baseline contributes (audited secrets) and the settings it was denied."""

    known: Mapping[tuple[str, str], bool | None]
    weakenings: tuple[Weakening, ...] = ()


def load_baseline(root: Path) -> Baseline | None:
    """Read root/.secrets.baseline when present: its audits, and what it may not change."""
    if confine.leaves(root, BASELINE):
        return Baseline({}, (Weakening(BASELINE, "(file)", _OUTSIDE),))
    path = root / BASELINE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{BASELINE}: not valid JSON ({exc}); regenerate it") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{BASELINE}: expected a JSON object; regenerate it")
    weakenings = (
        *_plugins(data.get("plugins_used") or [], listed="plugins_used" in data),
        *_filters(data.get("filters_used") or []),
    )
    results = data.get("results")
    return Baseline(_known({} if results is None else results), tuple(weakenings))


def baseline_weakenings(root: Path) -> tuple[Weakening, ...]:
    """Return the settings of root's .secrets.baseline that would let secrets through."""
    baseline = load_baseline(root)
    return () if baseline is None else baseline.weakenings


_OUTSIDE = "a symlink that leads outside the repository; it was not read"


@functools.cache
def _reference() -> tuple[Mapping[str, Mapping[str, Any]], frozenset[str]]:
    """Return Paved Road's settings: every built-in plugin with its parameters, and filters."""
    from detect_secrets.settings import default_settings

    with SETTINGS_LOCK, default_settings() as settings:
        config = settings.json()
    plugins = {
        p["name"]: {k: v for k, v in p.items() if k != "name"} for p in config["plugins_used"]
    }
    return plugins, frozenset(f["path"] for f in config["filters_used"])


def _plugins(entries: Iterable[Any], *, listed: bool) -> list[Weakening]:
    """Return the plugin settings that would find less; refuse custom plugin code."""
    reference, _ = _reference()
    found: list[Weakening] = []
    names: set[str] = set()
    for i, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or name not in reference or "path" in entry:
            raise ConfigError(
                f"{BASELINE}: plugins_used[{i}]: {name!r} is not a built-in detect-secrets "
                "plugin; custom plugins would run repository code, remove it"
            )
        names.add(name)
        found += _plugin_changes(i, entry, reference[name])
    left_out = sorted(set(reference) - names) if listed else []
    if left_out:
        found.append(Weakening(BASELINE, "plugins_used", "leaves out " + ", ".join(left_out)))
    return found


def _plugin_changes(
    index: int, entry: Mapping[str, Any], reference: Mapping[str, Any]
) -> list[Weakening]:
    """Return the parameters of one plugin that differ from Paved Road's (a lower limit is fine)."""
    changes = []
    for key, value in entry.items():
        default = reference.get(key)
        if key == "name" or value == default or (key == "limit" and _lower(value, default)):
            continue
        changes.append(Weakening(BASELINE, f"plugins_used[{index}].{key}", _shown(value)))
    return changes


def _lower(value: Any, default: Any) -> bool:
    numbers = (int, float)
    return (
        isinstance(value, numbers)
        and isinstance(default, numbers)
        and not isinstance(value, bool)
        and value < default
    )


def _filters(entries: Iterable[Any]) -> list[Weakening]:
    """Return the filters Paved Road does not run itself; refuse custom filter code."""
    found = []
    for i, entry in enumerate(entries):
        path = str(entry.get("path", "")) if isinstance(entry, dict) else ""
        if not path.startswith("detect_secrets.filters."):
            raise ConfigError(
                f"{BASELINE}: filters_used[{i}].path: {path!r} is not a built-in filter; "
                "custom filters would run repository code, remove it"
            )
        if not _harmless(path, {k: v for k, v in entry.items() if k != "path"}):
            found.append(Weakening(BASELINE, f"filters_used[{i}]", _filter_text(path, entry)))
    return found


def _harmless(path: str, params: Mapping[str, Any]) -> bool:
    """Return True for a filter Paved Road runs anyway, or one that cannot hide a secret."""
    if path == _OFFLINE_DROP:  # it only acts on verified secrets; verification stays off
        return True
    if path == _BASELINE_FILE:
        return params == {} or params == {"filename": BASELINE}
    if path == _EXCLUDE_LINES:
        patterns = params.get("pattern")
        return set(params) == {"pattern"} and set(_as_list(patterns)) <= _PAVED_LINE_PATTERNS
    return path in _reference()[1] and not params


def _filter_text(path: str, entry: Mapping[str, Any]) -> str:
    params = {k: v for k, v in entry.items() if k != "path"}
    name = path.removeprefix("detect_secrets.filters.")
    return f"{name} {_shown(params)}" if params else name


def _shown(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []


def _known(results: Any) -> dict[tuple[str, str], bool | None]:
    """Return (path, secret hash) -> audit verdict; True wins over None over False."""
    if not isinstance(results, dict):
        raise ConfigError(
            f"{BASELINE}: results: expected an object of path -> secrets; regenerate it"
        )
    rank = {True: 2, None: 1, False: 0}
    known: dict[tuple[str, str], bool | None] = {}
    for path, items in results.items():
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                raise ConfigError(f"{BASELINE}: results.{path}: expected objects; regenerate it")
            key = (str(path), str(item.get("hashed_secret", "")))
            verdict = item.get("is_secret")
            verdict = verdict if isinstance(verdict, bool) else None
            if key not in known or rank[verdict] > rank[known[key]]:
                known[key] = verdict
    return known


def files_read(root: Path) -> tuple[str, ...]:
    """Return the baseline and every wordlist file it names (both change what is reported)."""
    path = root / BASELINE
    if not path.is_file():
        return ()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        filters = (data.get("filters_used") or []) if isinstance(data, dict) else []
        names = [str(f["file_name"]) for f in filters if isinstance(f, dict) and "file_name" in f]
    except (OSError, ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        names = []  # the scanner reports the broken baseline; it is never cached
    return (BASELINE, *sorted(names))
