"""`paved threatmodel check`: find what the repository has and its threat model does not know.

A component the model does not list under any `covers` (see threatmodel_inventory) is a
PAVED_THREAT_MODEL finding: it needs a security design review by the model's
`security_reviewers`, whom CODEOWNERS makes the owners of docs/threat-model.*.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Literal

import pathspec
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pavedroad import confine
from pavedroad.edges import describe, load_yaml
from pavedroad.errors import ConfigError
from pavedroad.findings import Finding, fingerprint
from pavedroad.project.threatmodel_inventory import Component, inventory
from pavedroad.scan.workspace import collect
from pavedroad.scanners.own_rules import SCANNER, THREAT_MODEL, paved_finding
from pavedroad.textsafe import printable

MODEL_PATH = "docs/threat-model.yaml"
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
HANDLE = r"^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?$"


class _ModelComponent(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    id: Annotated[str, Field(min_length=1)]
    covers: list[str] = []


class _Model(BaseModel):
    # Only what the check reads is strict; threats, boundaries and flows are for people.
    model_config = ConfigDict(extra="ignore", strict=True)

    version: Literal[1]
    security_reviewers: Annotated[str, Field(pattern=HANDLE)]
    components: list[_ModelComponent]


@dataclass(frozen=True)
class ThreatModel:
    """What the check reads of a threat model: who reviews, and what it covers."""

    path: str
    reviewers: str
    components: int
    covers: frozenset[str]


@dataclass(frozen=True)
class CheckResult:
    """The components found, the ones the model does not know, and the findings for them."""

    model: ThreatModel
    found: tuple[Component, ...]
    findings: tuple[Finding, ...]

    @property
    def exit_code(self) -> int:
        """Return 1 when something needs a security design review, else 0."""
        return 1 if self.findings else 0


def load_model(root: Path, rel: str = MODEL_PATH) -> ThreatModel:
    """Read and validate the threat model; ConfigError naming the field and the fix."""
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise ConfigError(f"{rel}: the threat model must be a path inside the repository")
    confine.require_inside(root, rel)
    raw = load_yaml(root / rel, rel)
    try:
        model = _Model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe(rel, exc)) from None
    covers = frozenset(key for c in model.components for key in c.covers)
    return ThreatModel(rel, model.security_reviewers, len(model.components), covers)


def check(root: Path, model_path: str = MODEL_PATH) -> CheckResult:
    """Compare the repository at root with its threat model."""
    model = load_model(root, model_path)
    found = inventory(root, collect(root).files)
    findings = [_finding(c, model) for c in found if c.key not in model.covers]
    routing = _routing_finding(root, model)
    if routing is not None:
        findings.append(routing)
    return CheckResult(model, found, tuple(findings))


def _finding(component: Component, model: ThreatModel) -> Finding:
    message = (
        f"{component.what} is not in {model.path}: needs security design review by "
        f"{model.reviewers}. After the review, list {json.dumps(component.key)} under the "
        "`covers` of the component that describes it."
    )
    base = paved_finding(THREAT_MODEL, component.path, message, line=component.line)
    return replace(
        base,
        resource=component.key,
        fingerprint=fingerprint(SCANNER, THREAT_MODEL.rule_id, component.path, component.key),
    )


def _routing_finding(root: Path, model: ThreatModel) -> Finding | None:
    """Return a finding when CODEOWNERS does not send changes of the model to its reviewers."""
    rel = next((p for p in CODEOWNERS_PATHS if (root / p).is_file()), None)
    if rel is None:
        return None  # no CODEOWNERS at all: nothing routes anything, the gate's concern
    owners = codeowners_for(model.path, (root / rel).read_text(encoding="utf-8", errors="replace"))
    if model.reviewers in owners:
        return None
    message = (
        f"{rel} does not make {model.reviewers} (security_reviewers in {model.path}) an owner "
        f"of {model.path}, so design reviews are not routed to them. Add the line "
        f"`/docs/threat-model.* {model.reviewers}`."
    )
    return paved_finding(THREAT_MODEL, rel, message)


def codeowners_for(path: str, text: str) -> tuple[str, ...]:
    """Return the owners CODEOWNERS gives a path: the last matching line wins."""
    owners: tuple[str, ...] = ()
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if fields and pathspec.GitIgnoreSpec.from_lines([fields[0]]).match_file(path):
            owners = tuple(fields[1:])
    return owners


def render_text(result: CheckResult) -> str:
    """Render the result for a terminal or a log, one finding per line plus its identifier."""
    model = result.model
    lines = [
        f"Threat model {model.path}: {model.components} components, "
        f"security reviewers {printable(model.reviewers)}.",
        f"Found {_count(len(result.found), 'reviewable component')} in the repository.",
    ]
    lines.extend(
        f"{printable(f.path)}:{f.start_line}: {f.rule_id} {printable(f.message)}"
        for f in result.findings
    )
    if result.findings:
        verb = "needs" if len(result.findings) == 1 else "need"
        lines.append(
            f"{_count(len(result.findings), 'finding')} {verb} a security design review by "
            f"{printable(model.reviewers)}."
        )
    else:
        lines.append("The threat model knows every component: no design review needed.")
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    """Return '1 finding' or '2 findings'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def render_json(result: CheckResult) -> str:
    """Render the result as JSON (schema `pavedroad/threatmodel/v1`)."""
    model = result.model
    doc = {
        "schema": "pavedroad/threatmodel/v1",
        "model": model.path,
        "security_reviewers": model.reviewers,
        "components": [
            {
                "id": c.key,
                "what": c.what,
                "path": c.path,
                "line": c.line,
                "known": c.key in model.covers,
            }
            for c in result.found
        ],
        "findings": [
            {
                "rule_id": f.rule_id,
                "severity": f.severity.label,
                "title": f.title,
                "path": f.path,
                "line": f.start_line,
                "component": f.resource,
                "message": f.message,
                "fix": f.fix,
                "fingerprint": f.fingerprint,
            }
            for f in result.findings
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=False)
