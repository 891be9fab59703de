"""The per-stage tiered policy in .pavedroad/policy.yaml, strictly validated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pavedroad import confine
from pavedroad.edges import describe, load_yaml
from pavedroad.errors import ConfigError, UserError
from pavedroad.findings import Severity

POLICY_PATH = ".pavedroad/policy.yaml"
# Named here, below scan/, because a change to it forces a full gate (scan/changes.py).
EXCEPTIONS_PATH = ".pavedroad/exceptions.yaml"
# Written by every local gate for SARIF viewers; the gate never reads its own output.
LAST_SARIF_PATH = ".pavedroad/last.sarif"
BASELINE_PATH = ".pavedroad/baseline.json"  # likewise: it changes verdicts
Scope = Literal["changed", "full"]
InlineMode = Literal["allow", "warn", "require-exception"]
UnscannedMode = Literal["warn", "block"]
SeverityName = Literal["critical", "high", "medium", "low", "info"]
Mode = Literal["enforce", "observe"]
STANDARD_STAGES = ("pre-commit", "pr", "main", "release", "nightly")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageModel(_Strict):
    scope: Scope
    block: SeverityName | None = None
    ticket: SeverityName | None = None
    warn: SeverityName | None = None
    mode: Mode = "enforce"
    enforce_from: dt.date | None = None

    @field_validator("enforce_from", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        if value is None or isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None

    @model_validator(mode="after")
    def _observe_until(self) -> StageModel:
        if self.mode == "observe" and self.enforce_from is None:
            raise ValueError(
                "mode: observe needs enforce_from; add enforce_from: YYYY-MM-DD, "
                "the date the stage starts to block"
            )
        if self.mode == "enforce" and self.enforce_from is not None:
            raise ValueError(
                "enforce_from is only read with mode: observe; remove it or set mode: observe"
            )
        return self

    @model_validator(mode="after")
    def _ordered(self) -> StageModel:
        levels = [(n, getattr(self, n)) for n in ("block", "ticket", "warn") if getattr(self, n)]
        for (hi_name, hi), (lo_name, lo) in zip(levels, levels[1:], strict=False):
            if Severity.parse(hi) < Severity.parse(lo):
                raise ValueError(
                    f"{hi_name} ({hi}) is below {lo_name} ({lo}); "
                    "thresholds must go block >= ticket >= warn"
                )
        return self


class ExceptionRulesModel(_Strict):
    max_days: int = Field(default=90, ge=1, le=365)
    controls_required_at: SeverityName = "high"
    inline_suppressions: InlineMode = "require-exception"
    warn_expiring_within_days: int = Field(default=14, ge=0, le=365)
    # teams allowed to approve an exception (CODEOWNERS makes them review the file); [] = anyone
    approvers: list[str] = []

    @field_validator("approvers")
    @classmethod
    def _teams(cls, value: list[str]) -> list[str]:
        for team in value:
            if not team.strip() or " " in team:
                raise ValueError(f"{team!r} is not a team; use a handle like @acme/security")
        return value


class PolicyModel(_Strict):
    version: Literal[1]
    stages: dict[str, StageModel] = Field(min_length=1)
    severity_overrides: dict[str, SeverityName] = {}
    exceptions: ExceptionRulesModel = ExceptionRulesModel()
    unscanned: UnscannedMode = "warn"

    @field_validator("severity_overrides")
    @classmethod
    def _rule_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for rule in value:
            if not rule.strip() or " " in rule:
                raise ValueError(f"{rule!r} is not a rule id; use ids like CKV_K8S_20 or DL3007")
        return value


@dataclass(frozen=True)
class Stage:
    """Thresholds of one pipeline stage; None means the tier is not used."""

    name: str
    scope: Scope
    block: Severity | None
    ticket: Severity | None
    warn: Severity | None
    mode: Mode = "enforce"
    enforce_from: dt.date | None = None  # set exactly when mode is observe

    def observing(self, today: dt.date) -> bool:
        """Return True while the stage observes: it would block, but does not yet."""
        return (
            self.mode == "observe" and self.enforce_from is not None and today < self.enforce_from
        )


@dataclass(frozen=True)
class Policy:
    """A validated policy."""

    stages: Mapping[str, Stage]
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    max_days: int = 90
    controls_required_at: Severity = Severity.HIGH
    inline_suppressions: InlineMode = "require-exception"
    warn_expiring_within_days: int = 14
    unscanned: UnscannedMode = "warn"  # a file that cannot be scanned, at stages that block
    approvers: tuple[str, ...] = ()  # who may approve an exception; empty: anyone but the owner

    def stage(self, name: str) -> Stage:
        """Return a stage by name, or raise a UserError listing the stages."""
        if name not in self.stages:
            known = ", ".join(self.stages)
            raise UserError(f"unknown stage {name!r}; {POLICY_PATH} defines: {known}")
        return self.stages[name]


DEFAULT_POLICY = {
    "version": 1,
    "stages": {
        "pre-commit": {"scope": "changed", "block": "critical"},
        "pr": {"scope": "changed", "block": "high", "ticket": "medium", "warn": "low"},
        "main": {"scope": "changed", "block": "high", "ticket": "medium", "warn": "low"},
        "release": {"scope": "full", "block": "high", "ticket": "medium", "warn": "low"},
        "nightly": {"scope": "full", "ticket": "low", "warn": "info"},
    },
}


def load(root: Path) -> Policy:
    """Load root/.pavedroad/policy.yaml, or the default policy when the repo has none."""
    confine.require_inside(root, POLICY_PATH)  # a link out of the repo is never read
    path = root / POLICY_PATH
    raw = load_yaml(path, POLICY_PATH) if path.is_file() else DEFAULT_POLICY
    return parse(raw, POLICY_PATH)


def parse(raw: object, display: str) -> Policy:
    """Validate raw policy data; raise ConfigError naming the field."""
    try:
        model = PolicyModel.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        raise ConfigError(describe(display, exc)) from None
    return _to_policy(model)


def _sev(name: str | None) -> Severity | None:
    return Severity.parse(name) if name else None


def _to_policy(model: PolicyModel) -> Policy:
    stages = {
        name: Stage(
            name, s.scope, _sev(s.block), _sev(s.ticket), _sev(s.warn), s.mode, s.enforce_from
        )
        for name, s in model.stages.items()
    }
    rules = model.exceptions
    return Policy(
        stages=stages,
        severity_overrides={k: Severity.parse(v) for k, v in model.severity_overrides.items()},
        max_days=rules.max_days,
        controls_required_at=Severity.parse(rules.controls_required_at),
        inline_suppressions=rules.inline_suppressions,
        warn_expiring_within_days=rules.warn_expiring_within_days,
        approvers=tuple(rules.approvers),
        unscanned=model.unscanned,
    )
