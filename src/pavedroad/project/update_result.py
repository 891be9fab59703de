"""What `paved update` did to a repository, one template or several, and what it means."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pavedroad.catalog.questions import Prompt
from pavedroad.catalog.render import ANSWERS_FILE
from pavedroad.gate.result import GateResult
from pavedroad.policy.compare import PolicyChange


@dataclass(frozen=True)
class UpdateRequest:
    """What to update and how."""

    path: Path
    to: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    prompt: Prompt | None = None
    on_invalid: Callable[[str], None] = lambda message: None
    catalog: Path | None = None
    store: str | None = None
    template: str | None = None  # None: every template the repository carries


@dataclass(frozen=True)
class Change:
    """One file the update added (A), modified (M) or deleted (D)."""

    status: str
    path: str


@dataclass(frozen=True)
class TemplateUpdate:
    """One template of the repository: from which version to which, and what came with it."""

    template_id: str
    from_version: str
    to_version: str
    answers_file: str = ANSWERS_FILE
    migrations: tuple[str, ...] = ()
    not_recreated: tuple[str, ...] = ()
    guarded: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Return e.g. `tiny 1.0.0 -> 1.1.0`, or `tiny 1.1.0 (new answers)` at one version."""
        if self.from_version == self.to_version:
            return f"{self.template_id} {self.to_version} (new answers)"
        return f"{self.template_id} {self.from_version} -> {self.to_version}"


def _joined(values: tuple[str, ...]) -> str:
    return ", ".join(values)


@dataclass(frozen=True)
class UpdateResult:
    """What an update did, and what it means for security."""

    root: Path
    updates: tuple[TemplateUpdate, ...] = ()  # the templates updated (none: nothing to do)
    current: tuple[TemplateUpdate, ...] = ()  # the templates already up to date
    changes: tuple[Change, ...] = ()
    conflicts: tuple[str, ...] = ()
    before: GateResult | None = None
    before_error: str | None = None
    after: GateResult | None = None
    policy_changes: tuple[PolicyChange, ...] = ()
    pipeline_diff: str = ""

    @property
    def up_to_date(self) -> bool:
        """Return True when there was nothing to update."""
        return not self.updates

    @property
    def _shown(self) -> tuple[TemplateUpdate, ...]:
        return self.updates or self.current

    @property
    def template_id(self) -> str:
        """Return the id of the template updated (several: comma-separated)."""
        return _joined(tuple(u.template_id for u in self._shown))

    @property
    def from_version(self) -> str:
        """Return the version updated from (several: comma-separated, in template order)."""
        return _joined(tuple(u.from_version for u in self._shown))

    @property
    def to_version(self) -> str:
        """Return the version updated to (several: comma-separated, in template order)."""
        return _joined(tuple(u.to_version for u in self._shown))

    @property
    def what(self) -> str:
        """Return what was updated, e.g. `tiny 1.0.0 -> 1.1.0; ci 1.0.0 -> 1.2.0`."""
        return "; ".join(u.label for u in self.updates)

    @property
    def migrations(self) -> tuple[str, ...]:
        """Return every template's migrations, one line each."""
        return tuple(m for u in self.updates for m in u.migrations)

    @property
    def not_recreated(self) -> tuple[str, ...]:
        """Return the templates' files the project lacks (copier never recreates them)."""
        return tuple(sorted({r for u in self.updates for r in u.not_recreated}))

    @property
    def guarded(self) -> tuple[str, ...]:
        """Return the files the updated templates guard."""
        return tuple(sorted({g for u in self.updates for g in u.guarded}))
