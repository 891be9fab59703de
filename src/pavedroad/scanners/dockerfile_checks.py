"""Paved Road's own Dockerfile checks, run by the hadolint adapter over the lines it reads.

hadolint's DL3020 only covers local files and checkov's CKV_DOCKER_4 flags every ADD alike
(medium); remote content without a checksum is what lets a server change the image, so it has
its own high rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence

from pavedroad.findings import Finding, fingerprint
from pavedroad.scanners.own_rules import REMOTE_ADD

_ADD = re.compile(r"^\s*ADD\s+(.*)$", re.IGNORECASE | re.DOTALL)
_REMOTE = re.compile(r"^https?://", re.IGNORECASE)


def remote_adds(scanner: str, path: str, lines: Sequence[str]) -> list[Finding]:
    """Return a PAVED_REMOTE_ADD finding for each ADD of an http(s) URL without --checksum."""
    found = []
    for line, text in instructions(lines):
        match = _ADD.match(text)
        if match and _unpinned_url(match.group(1)):
            found.append(_finding(scanner, path, line, " ".join(text.split())))
    return found


def instructions(lines: Sequence[str]) -> Iterator[tuple[int, str]]:
    """Yield (first line, text) of each instruction, joining `\\` continuation lines."""
    start, parts = 0, list[str]()
    for number, raw in enumerate(lines, start=1):
        if not parts and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        start = start or number
        if raw.rstrip().endswith("\\"):
            parts.append(raw.rstrip()[:-1])
            continue
        yield start, " ".join([*parts, raw])
        start, parts = 0, []
    if parts:
        yield start, " ".join(parts)


def _unpinned_url(arguments: str) -> bool:
    """Return True when ADD's sources include an http(s) URL and no --checksum is given."""
    words = _words(arguments)
    if any(w.lower().startswith("--checksum=") for w in words):
        return False
    sources = [w for w in words if not w.startswith("--")][:-1]
    return any(_REMOTE.match(s) for s in sources)


def _words(arguments: str) -> list[str]:
    """Split ADD's arguments, in JSON (exec) form or shell form."""
    text = arguments.strip()
    flags: list[str] = []
    while text.startswith("--"):
        flag, _, text = text.partition(" ")
        flags.append(flag)
        text = text.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            items = None
        if isinstance(items, list):
            return [*flags, *(str(i) for i in items)]
    return [*flags, *text.split()]


def _finding(scanner: str, path: str, line: int, text: str) -> Finding:
    rule = REMOTE_ADD
    return Finding(
        scanner=scanner,
        rule_id=rule.rule_id,
        title=rule.title,
        severity=rule.severity,
        path=path,
        start_line=line,
        end_line=line,
        resource=text,
        message=f"{rule.title}: {text}",
        fix=rule.fix,
        docs_url=rule.docs_url,
        fingerprint=fingerprint(scanner, rule.rule_id, path, text),
    )
