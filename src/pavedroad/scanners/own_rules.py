"""Paved Road's own rules (parse errors, unscanned files) and helpers the scanner adapters share."""

from __future__ import annotations

import re
from collections.abc import Iterable
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
SCANNER_CONFIG = Rule(
    "PAVED_SCANNER_CONFIG",
    "Scanner configuration would weaken the gate",
    Severity.HIGH,
    "Remove the setting (or replace the symlink with the file itself): Paved Road decides which "
    "detectors, filters and rules run, and ignored the setting. Audit false positives into "
    ".secrets.baseline as is_secret: false, or request an exception with "
    "`paved exceptions request`.",
)
CONFLICT_MARKER = Rule(
    "PAVED_CONFLICT_MARKER",
    "Unresolved merge conflict",
    Severity.HIGH,
    "Resolve the merge conflict: keep the right side, delete the <<<<<<<, ======= and >>>>>>> "
    "lines, and commit the result. A file with conflict markers does not mean what it says.",
)
REMOTE_ADD = Rule(
    "PAVED_REMOTE_ADD",
    "Remote file added to the image without a checksum",
    Severity.HIGH,
    "Pin the download: `ADD --checksum=sha256:<digest> <url> <dest>`, or download it in a RUN "
    "step and verify it (`echo '<digest>  file' | sha256sum -c`). Without a checksum, whoever "
    "controls the server or the connection decides what ships in the image.",
)
THREAT_MODEL = Rule(
    "PAVED_THREAT_MODEL",
    "Needs security design review: component missing from the threat model",
    Severity.MEDIUM,
    "Ask the security reviewers named in docs/threat-model.yaml for a design review: describe "
    "the component there (its threats and the guardrail that mitigates each) and list the "
    "identifier `paved threatmodel check` printed under the component's `covers`. CODEOWNERS "
    "routes that change to them.",
)
RULES = {
    r.rule_id: r
    for r in (
        REMOTE_ADD,
        PARSE_ERROR,
        NOT_SCANNED,
        SYMLINK_OUTSIDE,
        NOT_FULLY_SCANNED,
        SCANNER_CONFIG,
        CONFLICT_MARKER,
        THREAT_MODEL,
    )
}


@dataclass(frozen=True)
class Weakening:
    """One setting in a scanner's configuration file that would let findings through."""

    file: str
    field: str
    setting: str

    def text(self) -> str:
        """Return `field: setting` for messages."""
        return f"{self.field}: {self.setting}"


def config_finding(weakenings: tuple[Weakening, ...], *, scanner: str = SCANNER) -> Finding | None:
    """Return one finding for the weakening settings of one configuration file, if any."""
    if not weakenings:
        return None
    file = weakenings[0].file
    listed = "; ".join(w.text() for w in weakenings)
    message = (
        f"{file} tries to weaken scanning ({listed}). These settings were ignored; "
        "the scan ran with Paved Road's own settings."
    )
    return paved_finding(SCANNER_CONFIG, file, message, scanner=scanner)


def config_link_finding(path: str) -> Finding:
    """Return the finding for a configuration file that is a symlink out of the repository."""
    message = (
        f"{path} is a symlink that leads outside the repository, so it was not read; "
        "the scan ran with Paved Road's own settings."
    )
    return paved_finding(SCANNER_CONFIG, path, message)


def conflict_start(lines: Iterable[str]) -> int | None:
    """Return the 1-based line of the first conflict in git's shape: <<<<<<<, =======, >>>>>>>.

    A lone ======= is a reStructuredText or Markdown underline, so all three must appear in order.
    """
    start = None
    middle = False
    for number, line in enumerate(lines, start=1):
        if start is None and _is_marker(line, "<<<<<<<"):
            start = number
        elif start is not None and line.rstrip("\r") == "=======":
            middle = True
        elif middle and _is_marker(line, ">>>>>>>"):
            return start
    return None


def _is_marker(line: str, marker: str) -> bool:
    line = line.rstrip("\r")
    return line == marker or line.startswith(f"{marker} ")


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
