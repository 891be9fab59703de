"""Paved Road's own rules (parse errors, unscanned files) and helpers the scanner adapters share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from pavedroad.findings import Finding, Severity, fingerprint

# Until the project has a docs site, rule docs are the README's "Paved Road's own rules".
DOCS_BASE = "https://github.com/pavedroad/pavedroad/blob/main/README.md"
SCANNER = "pavedroad"


@dataclass(frozen=True)
class Rule:
    """One rule Paved Road itself emits: id, title, severity, docs and fix in one place."""

    rule_id: str
    title: str
    severity: Severity
    fix: str

    @property
    def docs_url(self) -> str:
        """Return the rule's documentation link."""
        return f"{DOCS_BASE}#{self.rule_id.lower()}"  # GitHub's anchor of its heading


PARSE_ERROR = Rule(
    "PAVED_PARSE_ERROR",
    "File could not be parsed",
    Severity.HIGH,
    "Fix the syntax error so the file can be parsed and checked; an unparsable file is never "
    "treated as clean.",
)
NOT_SCANNED = Rule(
    "PAVED_NOT_SCANNED",
    "File was not scanned",
    Severity.INFO,
    "Keep binary and very large files out of the repository (use an artifact store or Git LFS), "
    "or split the file, so it can be scanned.",
)
SYMLINK_OUTSIDE = Rule(
    "PAVED_SYMLINK_OUTSIDE",
    "Symlink points outside the repository",
    Severity.INFO,
    "Replace the symlink with the file itself; Paved Road never follows links out of the "
    "repository, so the target was not scanned.",
)
NOT_FULLY_SCANNED = Rule(
    "PAVED_NOT_FULLY_SCANNED",
    "File was only partly scanned",
    Severity.LOW,
    "Wrap very long lines (minified or generated content) or keep generated files out of the "
    "repository, so every line can be checked in full.",
)
RULES = {r.rule_id: r for r in (PARSE_ERROR, NOT_SCANNED, SYMLINK_OUTSIDE, NOT_FULLY_SCANNED)}

_DOCKERFILE = re.compile(r"^(?:.+\.)?(?:[Dd]ockerfile|Containerfile)(?:\..+)?$")
# Ignore files, and templates (Dockerfile.jinja) that only become Dockerfiles once rendered.
_NOT_DOCKERFILE = (".dockerignore", ".containerignore", ".jinja", ".jinja2", ".j2", ".tmpl", ".tpl")


def is_dockerfile(path: str) -> bool:
    """Return True for Dockerfile, Dockerfile.*, *.Dockerfile and Containerfile names."""
    name = PurePosixPath(path).name
    return _DOCKERFILE.match(name) is not None and not name.endswith(_NOT_DOCKERFILE)


def paved_finding(
    rule: Rule, path: str, message: str, *, line: int = 1, scanner: str = SCANNER
) -> Finding:
    """Return a finding for one of Paved Road's own rules, anchored on the file itself."""
    return Finding(
        scanner=scanner,
        rule_id=rule.rule_id,
        title=rule.title,
        severity=rule.severity,
        path=path,
        start_line=max(line, 1),
        end_line=max(line, 1),
        resource=path,
        message=message,
        fix=rule.fix,
        docs_url=rule.docs_url,
        fingerprint=fingerprint(scanner, rule.rule_id, path, path),
    )


def excerpt(text: str, limit: int = 600) -> str:
    """Return the last part of a tool's output, where the error usually is, on one line."""
    flat = " | ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return flat if len(flat) <= limit else "..." + flat[-limit:]
