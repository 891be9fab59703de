"""Who owns a file: the repository's CODEOWNERS, else the `owner` answer of the template.

CODEOWNERS is looked for where GitHub and GitLab look (.github/, the root, docs/, .gitlab/);
the last matching line wins, as on both platforms. Patterns follow gitignore rules (pathspec).
GitLab section headers (`[Section]`, `^[Optional]`) are skipped; their rules still count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pathspec
import yaml

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
ANSWERS = ".copier-answers.yml"
MAX_BYTES = 3 * 1024 * 1024  # GitHub ignores a CODEOWNERS file larger than 3 MB


@dataclass(frozen=True)
class Rule:
    """One CODEOWNERS line: a pattern and its owners."""

    pattern: str
    owners: tuple[str, ...]

    def matches(self, path: str) -> bool:
        """Return True when the path falls under this rule's pattern."""
        return pathspec.GitIgnoreSpec.from_lines([self.pattern]).match_file(path)


@dataclass(frozen=True)
class Owners:
    """The owner rules of one repository, and the fallback owner from the answers file."""

    rules: tuple[Rule, ...] = ()
    fallback: tuple[str, ...] = ()

    def of(self, path: str) -> tuple[str, ...]:
        """Return the owners of a repository-relative path (the last matching rule wins)."""
        for rule in reversed(self.rules):
            if rule.matches(path):
                return rule.owners
        return self.fallback


def load(root: Path) -> Owners:
    """Read the repository's CODEOWNERS and answers file; missing files mean no owners."""
    return Owners(_rules(root), _answer_owner(root))


def _rules(root: Path) -> tuple[Rule, ...]:
    for location in LOCATIONS:
        path = root / location
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_BYTES:
            return parse(path.read_text(encoding="utf-8", errors="replace"))
    return ()


def parse(text: str) -> tuple[Rule, ...]:
    """Parse CODEOWNERS text into rules, in file order."""
    rules = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "[", "^[")):
            continue
        pattern, *owners = line.split()
        rules.append(Rule(pattern, tuple(owners)))
    return tuple(rules)


def _answer_owner(root: Path) -> tuple[str, ...]:
    path = root / ANSWERS
    if not path.is_file() or path.is_symlink():
        return ()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return ()
    owner = data.get("owner") if isinstance(data, dict) else None
    return (owner,) if isinstance(owner, str) and owner.strip() else ()
