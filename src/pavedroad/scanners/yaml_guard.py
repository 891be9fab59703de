"""Refuse YAML that would exhaust a parser: alias bombs (billion laughs) and extreme nesting.

The check streams parser events (memory grows with the file, never with its expansion) and
counts how many nodes the document would have once every alias is expanded, and how deep it
nests. A file over either bound is reported as PAVED_PARSE_ERROR and kept away from the
parsers that would expand it: checkov and detect-secrets' YAML transformer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

YAML_SUFFIXES = (".yaml", ".yml", ".eyaml")  # what checkov and detect-secrets parse as YAML
# Nodes that aliases may add: legitimate anchors (CI job templates) add hundreds, a 457-byte
# billion-laughs file adds 10**9.
MAX_ALIAS_NODES = 100_000
# Parsers recurse per level (PyYAML's composer, checkov's line-number walk).
MAX_DEPTH = 200
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_START = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _Walk:
    """Running totals over one file's parser events."""

    def __init__(self) -> None:
        self.size = 0  # nodes of the fully expanded document(s) so far
        self.added = 0  # of which aliases added
        self.sizes: dict[str, int] = {}  # anchor -> expanded nodes under it
        self.open: list[tuple[str | None, int]] = []  # collections: anchor, size at start

    def step(self, event: yaml.Event) -> str | None:
        """Account for one event; return what is wrong once a bound is passed."""
        if isinstance(event, yaml.AliasEvent):
            extra = self.sizes.get(str(event.anchor), 1)
            self.size += extra
            self.added += extra
        elif isinstance(event, yaml.ScalarEvent):
            self.size += 1
            self._anchor(event.anchor, 1)
        elif isinstance(event, _START):
            self.open.append((event.anchor, self.size))
            self.size += 1
        elif isinstance(event, _END) and self.open:
            anchor, start = self.open.pop()
            self._anchor(anchor, self.size - start)
        return self._problem()

    def _anchor(self, anchor: str | None, size: int) -> None:
        if anchor is not None:
            self.sizes[anchor] = size

    def _problem(self) -> str | None:
        if self.added > MAX_ALIAS_NODES:
            return (
                f"its aliases expand it by more than {MAX_ALIAS_NODES:,} nodes (a YAML alias "
                "bomb), so it was not parsed"
            )
        if len(self.open) > MAX_DEPTH:
            return f"it nests deeper than {MAX_DEPTH} levels, so it was not parsed"
        return None


def problem(text: str) -> str | None:
    """Return why this YAML text must not be parsed, or None (syntax errors are not judged)."""
    walk = _Walk()
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            found = walk.step(event)
            if found is not None:
                return found
    except yaml.YAMLError:
        return None  # a syntax error: the parsers stop early and report it themselves
    return None


def file_problem(path: Path) -> str | None:
    """Return why a YAML file must not be parsed, or None (also for non-YAML names)."""
    if not path.name.endswith(YAML_SUFFIXES):
        return None
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
    return problem(text)
