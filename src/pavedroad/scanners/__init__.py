"""Scanner adapters, registered in one explicit dict: name -> factory."""

from __future__ import annotations

from collections.abc import Callable

from pavedroad.scanners.checkov import CheckovScanner
from pavedroad.scanners.hadolint import HadolintScanner
from pavedroad.scanners.interface import Scanner
from pavedroad.scanners.secrets import SecretsScanner

SCANNERS: dict[str, Callable[[], Scanner]] = {
    "checkov": CheckovScanner,
    "hadolint": HadolintScanner,
    "secrets": SecretsScanner,
}

__all__ = ["SCANNERS", "CheckovScanner", "HadolintScanner", "Scanner", "SecretsScanner"]
