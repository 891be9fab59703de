"""Synthetic `pavedroad/gate/v1` reports with run records, for the metrics tests and benchmark.

Deterministic: the same arguments give the same documents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

RULES = (
    ("checkov", "CKV_K8S_16", "deploy/deployment.yaml", "high"),
    ("checkov", "CKV_AWS_20", "infra/main.tf", "critical"),
    ("checkov", "CKV2_GHA_1", ".github/workflows/ci.yml", "medium"),
    ("hadolint", "DL3007", "Dockerfile", "low"),
    ("secrets", "AWSKeyDetector", "config/settings.py", "critical"),
    ("checkov", "CKV_DOCKER_2", "Dockerfile", "medium"),
)
VERDICT_AT = {"pr": "critical", "main": "high", "release": "high"}
_RANK = ("info", "low", "medium", "high", "critical")


@dataclass(frozen=True)
class Spec:
    """One finding of a synthetic run: the rule (index into RULES) and a distinguishing key."""

    rule: int
    key: str
    excepted: str | None = None  # an exception "ID:YYYY-MM-DD" that applies to it
    inline: bool = False


def fingerprint(repository: str, spec: Spec) -> str:
    """Return a stable fingerprint for a finding of a repository."""
    return hashlib.sha256(f"{repository}|{spec.rule}|{spec.key}".encode()).hexdigest()


def finding(repository: str, spec: Spec, stage: str) -> dict[str, Any]:
    """Return one finding of a gate/v1 document."""
    scanner, rule_id, path, severity = RULES[spec.rule]
    verdict, reason = _verdict(severity, stage)
    if spec.excepted:
        exc_id, expires = spec.excepted.split(":")
        verdict = "excepted"
        reason = f"exception {exc_id} (owner @team, expires {expires}): accepted risk"
    fp = fingerprint(repository, spec)
    return {
        "scanner": scanner,
        "rule_id": rule_id,
        "title": f"{rule_id} title",
        "severity": severity,
        "path": path,
        "start_line": 1,
        "end_line": 1,
        "resource": spec.key,
        "message": "",
        "fix": "",
        "docs_url": "",
        "fingerprint": fp,
        "short_ref": fp[:12],
        "inline_suppressed": spec.inline,
        "verdict": verdict,
        "reason": reason,
        "held": None,
    }


def _verdict(severity: str, stage: str) -> tuple[str, str]:
    threshold = VERDICT_AT.get(stage)
    if threshold and _RANK.index(severity) >= _RANK.index(threshold):
        return "block", f"{severity} >= block threshold {threshold}"
    return "ticket", f"{severity} >= ticket threshold low"


def document(
    repository: str,
    stage: str,
    started: dt.datetime,
    specs: Sequence[Spec],
    *,
    ref: str = "main",
    commit: str | None = None,
    pull_request: int | None = None,
    duration_s: float = 10.0,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """Return a gate/v1 document with a run record."""
    found = [finding(repository, s, stage) for s in specs]
    scope = "full" if stage in ("nightly", "release") else "changed"
    pipeline = None
    if pull_request is not None:
        pipeline = {
            "provider": "github",
            "run_id": str(int(started.timestamp())),
            "event": "pull_request",
            "pull_request": pull_request,
        }
    return {
        "schema": "pavedroad/gate/v1",
        "stage": stage,
        "blocked": any(f["verdict"] == "block" for f in found),
        "files_scanned": 10,
        "scanners": ["checkov", "hadolint", "secrets"],
        "summary": {},
        "notes": list(notes),
        "findings": found,
        "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration_s": duration_s,
        "repository": repository,
        "commit": commit or hashlib.sha1(f"{repository}{started}".encode()).hexdigest(),
        "ref": ref,
        "scope": scope,
        "pipeline": pipeline,
        "tool_versions": {"checkov": "3.2.0", "pavedroad": "0.1.0"},
        "durations": {"checkov": duration_s * 0.8, "hadolint": 0.1, "secrets": 0.5},
    }


def fleet(
    repositories: int, *, nights: int = 3, prs: int = 2, seed: int = 7
) -> Iterator[dict[str, Any]]:
    """Yield several runs per repository: nightly full runs with findings being fixed, PR runs."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 1, 2, 0)
    for index in range(repositories):
        repo = f"acme/service-{index:05d}"
        specs = [Spec(rng.randrange(len(RULES)), f"r{k}") for k in range(rng.randrange(2, 9))]
        for night in range(nights):
            kept = [s for s in specs if rng.random() > 0.15 * night]
            when = start + dt.timedelta(days=night, minutes=index % 600)
            yield document(repo, "nightly", when, kept, duration_s=rng.uniform(20, 90))
            specs = kept
        for pr in range(prs):
            when = start + dt.timedelta(days=nights, hours=pr, minutes=index % 600)
            red = [s for s in specs if rng.random() < 0.3]
            ref = f"feature-{pr}"
            for attempt, found in enumerate((red, [])):
                yield document(
                    repo,
                    "pr",
                    when + dt.timedelta(minutes=30 * attempt),
                    found,
                    ref=ref,
                    pull_request=pr + 1,
                    duration_s=rng.uniform(2, 20),
                )


def dumps(doc: dict[str, Any]) -> str:
    """Return a document as `paved gate --format json` writes it."""
    return json.dumps(doc, indent=2, sort_keys=True)
