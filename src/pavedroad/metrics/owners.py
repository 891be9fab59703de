"""Which team owns a repository: the `--owner-map` file.

Format (YAML or JSON): team names mapped to repository names or glob patterns (`*`, `?`,
`[...]`, matched against `owner/name`), the first team in file order that matches wins::

    teams:
      payments: [acme/payments-*, acme/ledger]
      platform: ["acme/*"]

A repository no team matches belongs to `(no owner)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from pavedroad.edges import describe
from pavedroad.errors import ConfigError

UNOWNED = "(no owner)"


class _OwnerMap(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    teams: dict[str, list[str]]


@dataclass(frozen=True)
class Owners:
    """Team patterns in file order."""

    teams: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def team(self, repository: str) -> str:
        """Return the team that owns the repository, or UNOWNED."""
        for name, patterns in self.teams:
            if any(fnmatchcase(repository, p) for p in patterns):
                return name
        return UNOWNED

    def mapping(self, repositories: set[str]) -> Mapping[str, str]:
        """Return each repository's team."""
        return {repo: self.team(repo) for repo in repositories}


def load(path: Path | None) -> Owners:
    """Read an owner-map file; no file means every repository is unowned."""
    if path is None:
        return Owners()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror}); check --owner-map") from None
    except yaml.YAMLError:
        raise ConfigError(f"{path}: not YAML or JSON; see README, Owners") from None
    try:
        model = _OwnerMap.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe(str(path), exc)) from None
    return Owners(tuple((team, tuple(patterns)) for team, patterns in model.teams.items()))
