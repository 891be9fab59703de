"""Every rule id Paved Road can emit, with the severity exceptions are judged by."""

from __future__ import annotations

import functools

from pavedroad.findings import Severity
from pavedroad.scanners import registered
from pavedroad.scanners.own_rules import RULES as PAVED_RULES


def rule_severity(rule_id: str) -> Severity | None:
    """Return the severity of a known rule id, or None when no scanner emits it.

    Each answer comes from the table the scanner adapter grades findings by (its
    Scanner.rule_severity), so an exception is judged at the severity its finding has in the
    gate. Paved Road's own rules come first: every adapter may emit them.
    """
    if rule_id in PAVED_RULES:
        return PAVED_RULES[rule_id].severity
    for scanner in _registered():
        found = scanner.rule_severity(rule_id)
        if found is not None:
            return found
    return None


# Built once: the adapters' rule tables are fixed.
_registered = functools.cache(registered)
