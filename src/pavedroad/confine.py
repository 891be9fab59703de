"""Configuration comes from inside the repository only: never through a link that leaves it."""

from __future__ import annotations

from pathlib import Path

from pavedroad.errors import ConfigError


def leaves(root: Path, rel: str) -> bool:
    """Return True when root/rel is, or passes through, a symlink that resolves outside root."""
    try:
        return not (root / rel).resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop: it cannot be read safely, so fail closed
        return True


def require_inside(root: Path, rel: str) -> None:
    """Raise ConfigError when root/rel is a symlink that leads outside the repository."""
    if leaves(root, rel):
        raise ConfigError(
            f"{rel}: is a symlink that leads outside the repository, and configuration is never "
            "read from outside it; replace the link with the file itself"
        )
