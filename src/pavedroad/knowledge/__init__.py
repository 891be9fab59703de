"""The offline rule knowledge base: what each rule means, why it matters and how to fix it.

Data files (package data) hold the knowledge; this module only loads it. Severities are not
here: each scanner adapter grades its own rules (Scanner.rule_severity), so the knowledge base
sits below the scanners and never imports them.

- classes.yaml: vulnerability classes (CWE, OWASP Top 10 2021, why it matters)
- checkov.yaml, hadolint.yaml, secrets.yaml, paved.yaml: authored entries per rule
- checkov_index.yaml: every check of the installed checkov (generated: title, source page)
- snippets.yaml: where a template shows the compliant form (generated from `compliant`)
"""

from __future__ import annotations

import difflib
import functools

from pavedroad.knowledge.entries import Entry, Snippet
from pavedroad.knowledge.loading import README_URL, authored, authored_ids, checkov_index, entry_for

__all__ = [
    "README_URL",
    "Entry",
    "Snippet",
    "authored_ids",
    "canonical",
    "close_matches",
    "docs_url",
    "fix",
    "known_ids",
    "lookup",
]


def lookup(rule_id: str) -> Entry | None:
    """Return the knowledge entry of a rule id, or None when the base does not know it."""
    return _lookup(rule_id.strip())


@functools.cache
def _lookup(rule_id: str) -> Entry | None:
    return entry_for(rule_id)


def fix(rule_id: str) -> str | None:
    """Return the authored fix of a rule, or None when none is authored."""
    entry = lookup(rule_id)
    return entry.fix if entry is not None else None


def docs_url(rule_id: str) -> str | None:
    """Return the rule's documentation page, or None for an unknown rule."""
    entry = lookup(rule_id)
    return entry.docs_url if entry is not None else None


@functools.cache
def known_ids() -> tuple[str, ...]:
    """Return every rule id with an entry (ShellCheck codes excepted: they are open-ended)."""
    ids = set(checkov_index()) | {i for source in _SOURCES for i in authored(source)}
    return tuple(sorted(ids))


def canonical(rule_id: str) -> str:
    """Return the known spelling of a rule id typed in another case (else it unchanged)."""
    wanted = rule_id.strip()
    if lookup(wanted) is not None:
        return wanted
    by_upper = {known.upper(): known for known in known_ids()}
    return by_upper.get(
        wanted.upper(), wanted.upper() if wanted.upper().startswith("SC") else wanted
    )


def close_matches(rule_id: str, limit: int = 5) -> list[str]:
    """Return known rule ids that look like a mistyped one, closest first."""
    wanted = rule_id.strip().upper()
    by_upper = {known.upper(): known for known in known_ids()}
    found = difflib.get_close_matches(wanted, list(by_upper), n=limit, cutoff=0.75)
    return [by_upper[f] for f in found]


_SOURCES = ("checkov", "hadolint", "secrets", "paved")
