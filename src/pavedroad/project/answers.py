"""Which catalog templates a repository carries: one copier answers file per template.

`paved new` writes copier's classic `.copier-answers.yml`; `paved adopt` writes
`.copier-answers.<template-id>.yml` (copier's `answers_file` setting), so one repository can
carry several templates and each keeps its own answers, version and update history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pavedroad.catalog.model import TEMPLATE_ID
from pavedroad.catalog.render import ADOPT_HINT, ANSWERS_FILE, Recorded, recorded
from pavedroad.catalog.store import Source, git_ok
from pavedroad.edges import load_yaml, safe_load
from pavedroad.errors import PavedError, UserError

CLASSIC = ANSWERS_FILE
PREFIX, SUFFIX = ".copier-answers.", ".yml"


@dataclass(frozen=True)
class Carried:
    """One template a repository records, and the answers file that records it."""

    answers_file: str
    recorded: Recorded

    @property
    def template_id(self) -> str:
        """Return the catalog id of the template."""
        return self.recorded.template_id


def file_for(template_id: str) -> str:
    """Return the answers file a template adopted into a repository records itself in."""
    return f"{PREFIX}{template_id}{SUFFIX}"


def find(root: Path) -> tuple[str, ...]:
    """Return the answers files in root: the classic one first, then one per template id."""
    named = sorted(
        p.name
        for p in root.glob(f"{PREFIX}*{SUFFIX}")
        if p.is_file() and TEMPLATE_ID.match(p.name[len(PREFIX) : -len(SUFFIX)])
    )
    classic = (CLASSIC,) if (root / CLASSIC).is_file() else ()
    return classic + tuple(named)


def carried(root: Path) -> tuple[Carried, ...]:
    """Return every template root records; UserError when it records none."""
    files = kept(root)
    if not files:
        raise UserError(
            f"{root}: no {CLASSIC} (nor {file_for('TEMPLATE')}), so this repository was not "
            f"created from the catalog. {ADOPT_HINT}"
        )
    return tuple(Carried(name, recorded(root, name)) for name in files)


def kept(root: Path) -> tuple[str, ...]:
    """Return the answers files of catalog templates in root (see find).

    A classic `.copier-answers.yml` that Paved Road did not write (a copier template from
    outside the catalog) is left out when adopted templates keep their own files beside it.
    """
    files = find(root)
    if len(files) > 1 and files[0] == CLASSIC and not _ours(root / CLASSIC):
        return files[1:]
    return files


def _ours(path: Path) -> bool:
    """Return False for an answers file Paved Road did not write (no `_paved_template`)."""
    data = load_yaml(path, str(path))  # unreadable: ConfigError naming the file
    return not isinstance(data, dict) or "_paved_template" in data


def select(root: Path, template_id: str | None) -> tuple[Carried, ...]:
    """Return every template root records, or only template_id (UserError when absent)."""
    found = carried(root)
    if template_id is None:
        return found
    chosen = tuple(c for c in found if c.template_id == template_id)
    if not chosen:
        has = ", ".join(c.template_id for c in found)
        raise UserError(
            f"--template {template_id}: {root} does not carry it (it carries: {has}); "
            "pass one of those, or adopt it with `paved adopt`"
        )
    return chosen


def readable(root: Path) -> tuple[Carried, ...]:
    """Return the templates root records, skipping answers files Paved Road did not write."""
    kept = []
    for name in find(root):
        try:
            kept.append(Carried(name, recorded(root, name)))
        except PavedError:
            continue  # e.g. a classic answers file of a copier template outside the catalog
    return tuple(kept)


def point_at_store(project: Path, answers_file: str, old: Source) -> None:
    """Record this machine's store in a scratch clone, so copier finds the old version here.

    Also rewrites an answer like `created: 2026-02-30` as quoted text: copier's own reader
    would crash on a date that does not exist. Commits in the clone: copier needs it clean.
    """
    path = project / answers_file
    text = path.read_text(encoding="utf-8")
    data = safe_load(text)
    pointed = data.get("_src_path") == old.url and data.get("_commit") == old.tag
    if pointed and data == _strict_yaml(text):
        return
    data.update({"_src_path": old.url, "_commit": old.tag})
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    git_ok(["commit", "--quiet", "-am", "Point at the store"], cwd=project, doing="committing")


def _strict_yaml(text: str) -> Any:
    """Return text as yaml.safe_load reads it (None when it cannot: an impossible date)."""
    try:
        return yaml.safe_load(text)
    except ValueError:
        return None
