"""A repository's own rules: its policy, and its exception records validated against it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pavedroad.exceptions import records
from pavedroad.exceptions.records import ExceptionRecord
from pavedroad.policy import file as policy_file
from pavedroad.policy.file import Policy
from pavedroad.scanners.severities import rule_severity


@dataclass(frozen=True)
class RepositoryRules:
    """What a repository decides about its findings: the policy and the exceptions."""

    policy: Policy
    exceptions: tuple[ExceptionRecord, ...]


def load_rules(root: Path, stage: str | None = None) -> RepositoryRules:
    """Load root's policy, then its exception records validated against that policy.

    A given stage must be in the policy; it is checked before the exceptions are read, so a
    mistyped stage is reported even when the exceptions file has mistakes too.
    """
    policy = policy_file.load(root)
    if stage is not None:
        policy.stage(stage)
    return RepositoryRules(policy, records.load(root, policy, rule_severity))
