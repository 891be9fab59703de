"""What reports say about each scanner's tool: home page, installed version, precision.

Each adapter declares its ToolInfo (Scanner.tool); this module finds it by any name a finding
or a report may use: the registry's, the adapter's, or the tool's own (`secrets` and
`detect-secrets` name one tool).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import metadata

from pavedroad.scanners import SCANNERS
from pavedroad.scanners.interface import ToolInfo

__all__ = ["ToolInfo", "installed_version", "tool_info"]


@functools.cache
def _by_name() -> Mapping[str, ToolInfo]:
    """Index every registered scanner's tool by each of its names (read once: they are fixed)."""
    found: dict[str, ToolInfo] = {}
    for key, factory in SCANNERS.items():
        scanner = factory()
        info = scanner.tool
        module = info.name.replace("-", "_")  # how Python imports it: detect_secrets
        for name in (key, scanner.name, info.name, module):
            found.setdefault(name, info)
    return found


def tool_info(scanner: str) -> ToolInfo | None:
    """Return what is known about a scanner by its name, or None for an unknown one."""
    return _by_name().get(scanner)


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
