"""Scanner adapters, registered in one explicit dict: name -> factory.

Adding a scanner is one module implementing interface.Scanner plus one line here; everything
else (cache plans, config files that force a full evaluation, tool metadata in reports, rule
severities for exceptions, context files) is derived from this registry.
"""

from __future__ import annotations

from collections.abc import Callable

from pavedroad.scanners.checkov import CheckovScanner
from pavedroad.scanners.hadolint import HadolintScanner
from pavedroad.scanners.interface import CachePlan, Scanner, ScanTarget, ToolInfo
from pavedroad.scanners.secrets import SecretsScanner

SCANNERS: dict[str, Callable[[], Scanner]] = {
    "checkov": CheckovScanner,
    "hadolint": HadolintScanner,
    "secrets": SecretsScanner,
}


def registered() -> tuple[Scanner, ...]:
    """Return one scanner of each registered kind, in registry order (to read their facts)."""
    return tuple(factory() for factory in SCANNERS.values())


def config_files() -> frozenset[str]:
    """Return every configuration file a registered scanner reads."""
    return frozenset(name for s in registered() for name in s.config_files)


def full_evaluation_triggers() -> frozenset[str]:
    """Return every scanner configuration file whose change means a full evaluation."""
    return frozenset(n for s in registered() for n in (*s.config_files, *s.unread_config_files))


__all__ = [
    "SCANNERS",
    "CachePlan",
    "CheckovScanner",
    "HadolintScanner",
    "ScanTarget",
    "Scanner",
    "SecretsScanner",
    "ToolInfo",
    "config_files",
    "full_evaluation_triggers",
    "registered",
]
