"""What the knowledge base knows about one rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snippet:
    """Lines of a catalog template that show a rule's compliant form."""

    file: str  # repository-relative: templates/<id>/template/...
    start: int
    end: int
    text: str = ""  # the lines themselves, as the template has them

    @property
    def label(self) -> str:
        """Return file:start-end."""
        lines = str(self.start) if self.start == self.end else f"{self.start}-{self.end}"
        return f"{self.file}:{lines}"


@dataclass(frozen=True)
class Entry:
    """One rule: title, why it matters, its vulnerability class, the fix and where to read more."""

    rule_id: str
    source: str  # checkov | hadolint | shellcheck | detect-secrets | pavedroad
    title: str | None
    why: str
    cwe: tuple[int, ...]
    owasp: str | None
    fix: str | None  # authored fix; None: the scanner's own wording applies
    docs_url: str
    vulnerability_class: str
    framework: str | None = None
    snippet: Snippet | None = None
    inferred: bool = False  # the class was inferred from the title, not authored

    @property
    def tags(self) -> tuple[str, ...]:
        """Return SARIF rule tags: security plus one external/cwe/cwe-N per CWE."""
        return ("security", *(f"external/cwe/cwe-{n}" for n in self.cwe))

    @property
    def cwe_labels(self) -> tuple[str, ...]:
        """Return the CWE ids as CWE-N."""
        return tuple(f"CWE-{n}" for n in self.cwe)

    def cwe_urls(self) -> tuple[str, ...]:
        """Return MITRE's page of each CWE."""
        return tuple(f"https://cwe.mitre.org/data/definitions/{n}.html" for n in self.cwe)
