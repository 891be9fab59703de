"""Every rule id Paved Road can emit, with the severity exceptions are judged by."""

from __future__ import annotations

import re

from pavedroad import severity
from pavedroad.findings import Severity
from pavedroad.scanners import secrets
from pavedroad.scanners.rules import RULES as PAVED_RULES

# hadolint gives each result its own level; its rules' usual level is "warning" (medium).
HADOLINT_RULE = re.compile(r"^(DL|SC)[0-9]{4}$")


def rule_severity(rule_id: str) -> Severity | None:
    """Return the severity of a known rule id, or None when no scanner emits it."""
    if rule_id in PAVED_RULES:
        return PAVED_RULES[rule_id].severity
    if rule_id in secrets.SEVERITIES:
        return secrets.SEVERITIES[rule_id]
    if HADOLINT_RULE.match(rule_id):
        return Severity.MEDIUM
    return severity.lookup(rule_id)
