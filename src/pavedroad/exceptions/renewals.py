"""Renewals: the same rule and path excepted again after a term ran out, from git history.

Each version of `.pavedroad/exceptions.yaml` in the repository's history (the newest
HISTORY_LIMIT commits that changed it) and the file in the working tree are read; every distinct
expiry date a rule and path (and resource) was excepted until is one term, and every term after
the first is one renewal, whether a new record replaced an expired one or the old record's
`expires` was moved. A version that does not parse is skipped: history is evidence, not input.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from pavedroad import proc
from pavedroad.errors import ToolError
from pavedroad.exceptions.records import EXCEPTIONS_PATH

HISTORY_LIMIT = 200  # commits read per repository: a few years of monthly renewals
Key = tuple[str, str, str]  # rule, path, resource ('' when the record names none)


@dataclass(frozen=True)
class Renewal:
    """A rule and path excepted for more than one term."""

    repo: str
    rule: str
    path: str
    resource: str
    expiries: tuple[dt.date, ...]  # every term's end, oldest first

    @property
    def count(self) -> int:
        """Return how many times the exception was renewed (terms after the first)."""
        return len(self.expiries) - 1


def renewals(repo: str, root: Path) -> tuple[Renewal, ...]:
    """Return the renewed exceptions of one repository, most renewed first."""
    terms: dict[Key, set[dt.date]] = defaultdict(set)
    for text in versions(root):
        for key, expires in _terms(text):
            terms[key].add(expires)
    found = [
        Renewal(repo, rule, path, resource, tuple(sorted(ends)))
        for (rule, path, resource), ends in terms.items()
        if len(ends) > 1
    ]
    return tuple(sorted(found, key=lambda r: (-r.count, r.rule, r.path, r.resource)))


def versions(root: Path) -> Iterator[str]:
    """Yield the exceptions file as committed (newest first), then as in the working tree."""
    # One `git show` per version: a batch read would count bytes, which text mode cannot keep.
    for commit in _commits(root):
        shown = _git(root, "show", f"{commit}:./{EXCEPTIONS_PATH}")  # ./: root may be a subfolder
        if shown is not None:
            yield shown
    current = root / EXCEPTIONS_PATH
    if current.is_file() and not current.is_symlink():
        yield current.read_text(encoding="utf-8", errors="replace")


def _commits(root: Path) -> list[str]:
    listed = _git(root, "log", f"-n{HISTORY_LIMIT}", "--format=%H", "--", EXCEPTIONS_PATH)
    return [] if listed is None else listed.split()


def _git(root: Path, *args: str) -> str | None:
    """Return git's output, or None outside a repository or when the path is not there."""
    try:
        done = proc.git(list(args), cwd=root, timeout=60)
    except ToolError:
        return None
    return done.stdout if done.returncode == 0 else None


def _terms(text: str) -> Iterator[tuple[Key, dt.date]]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return
    items = doc.get("exceptions") if isinstance(doc, dict) else None
    for item in items if isinstance(items, list) else ():
        yield from _item_terms(item)


def _item_terms(item: object) -> Iterator[tuple[Key, dt.date]]:
    if not isinstance(item, dict):
        return
    expires = _date(item.get("expires"))
    rule, paths = item.get("rule"), item.get("paths")
    if expires is None or not isinstance(rule, str) or not isinstance(paths, list):
        return
    resource = str(item.get("resource") or "")
    for path in _strings(paths):
        yield (rule, path, resource), expires


def _strings(values: Iterable[object]) -> Sequence[str]:
    return [v for v in values if isinstance(v, str)]


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
