"""Every rule id Paved Road can emit, with the severity exceptions are judged by."""

from __future__ import annotations

import re

from pavedroad.findings import Severity
from pavedroad.scanners import checkov_severity as severity
from pavedroad.scanners import hadolint, secrets
from pavedroad.scanners.own_rules import RULES as PAVED_RULES

# Every hadolint rule id (DL) and the ShellCheck codes it reports (SC).
HADOLINT_RULE = re.compile(r"^(DL|SC)[0-9]{4}$")


def rule_severity(rule_id: str) -> Severity | None:
    """Return the severity of a known rule id, or None when no scanner emits it.

    Each answer comes from the table the scanner adapter grades findings by, so an exception
    is judged at the severity its finding has in the gate.
    """
    if rule_id in PAVED_RULES:
        return PAVED_RULES[rule_id].severity
    if rule_id in secrets.SEVERITIES:
        return secrets.SEVERITIES[rule_id]
    if HADOLINT_RULE.match(rule_id):
        return hadolint.rule_severity(rule_id)
    return severity.lookup(rule_id)
