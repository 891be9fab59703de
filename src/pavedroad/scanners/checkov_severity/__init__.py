"""Paved Road's severity for every checkov check id (checkov's own checks carry none)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from pavedroad.findings import Severity

MAP_FILE = "checkov.yaml"
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster
# An id missing from the map is graded high, so an unknown check never means a lax gate.
UNKNOWN_SEVERITY = Severity.HIGH


@functools.cache
def _document() -> dict[str, Any]:
    """Read the generated map file once."""
    text = resources.files(__name__).joinpath(MAP_FILE).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_LOADER)  # a safe loader (C or Python), never yaml.Loader
    if not isinstance(data, dict) or not isinstance(data.get("severities"), dict):
        raise ValueError(f"{MAP_FILE}: severities: missing; run scripts/gen_severity.py")
    return data


@functools.cache
def checkov_map() -> Mapping[str, Severity]:
    """Return check id -> severity from the generated map (ids are listed under levels)."""
    table: dict[str, Severity] = {}
    for level, ids in _document()["severities"].items():
        severity = Severity.parse(str(level))
        for check_id in ids or ():
            if str(check_id) in table:
                raise ValueError(f"{MAP_FILE}: {check_id} is listed twice; regenerate the map")
            table[str(check_id)] = severity
    return table


def checkov_version() -> str:
    """Return the checkov version the map was generated from."""
    return str(_document().get("checkov_version", ""))


def lookup(rule_id: str) -> Severity | None:
    """Return the mapped severity of a checkov check id, or None when it is not in the map."""
    return checkov_map().get(rule_id)


def severity_for(rule_id: str) -> Severity:
    """Return the severity of a checkov check id; unknown ids are graded UNKNOWN_SEVERITY."""
    found = lookup(rule_id)
    return UNKNOWN_SEVERITY if found is None else found


def is_known(rule_id: str) -> bool:
    """Return True when the map grades this check id."""
    return rule_id in checkov_map()
