"""How far repositories are from the paved road: versions behind, guarded files, weaker gates."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from packaging.version import Version

from pavedroad.catalog import publish, store
from pavedroad.catalog.model import Catalog
from pavedroad.catalog.render import ANSWERS_FILE, Recorded, recorded, render_source
from pavedroad.catalog.scratch import scratch
from pavedroad.errors import PavedError, UserError
from pavedroad.exceptions import baseline as baseline_file
from pavedroad.policy import file as policy_file
from pavedroad.policy.compare import PolicyChange, compare_policies
from pavedroad.progress import Progress, Step, silent
from pavedroad.project import answers as answers_mod
from pavedroad.scanners import hadolint, secrets_baseline
from pavedroad.scanners.own_rules import Weakening
from pavedroad.textsafe import md_text, printable


@dataclass(frozen=True)
class GuardedFile:
    """A guarded file that is gone or differs from the template's render."""

    path: str
    status: Literal["missing", "changed"]


@dataclass(frozen=True)
class DriftReport:
    """Where one repository stands against the catalog."""

    path: str
    template_id: str | None = None
    version: str | None = None
    latest: str | None = None
    behind: int = 0
    guarded: tuple[GuardedFile, ...] = ()
    gate_changes: tuple[PolicyChange, ...] = ()
    error: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def missing(self) -> tuple[str, ...]:
        """Return the guarded files that are gone."""
        return tuple(g.path for g in self.guarded if g.status == "missing")

    @property
    def weakened(self) -> tuple[PolicyChange, ...]:
        """Return the gate changes that let more through than the template."""
        return tuple(c for c in self.gate_changes if c.weaker)

    @property
    def drifted(self) -> bool:
        """Return True when a guarded file is missing or the gate is weaker."""
        return bool(self.missing or self.weakened)


def check(
    paths: Iterable[Path],
    catalog: Catalog,
    st: store.Store,
    progress: Progress = silent,
    template: str | None = None,
) -> tuple[DriftReport, ...]:
    """Check every template of every repository (or only template); errors get their row."""
    versions: dict[str, tuple[str, ...]] = {}
    todo = [Path(p) for p in paths]
    reports: list[DriftReport] = []
    for done, path in enumerate(todo, start=1):
        reports.extend(_check_templates(path, catalog, st, versions, template))
        progress(Step(f"checked {path}", done=done, total=len(todo)))
    return tuple(reports)


def _check_templates(
    path: Path,
    catalog: Catalog,
    st: store.Store,
    versions: dict[str, tuple[str, ...]],
    template: str | None,
) -> tuple[DriftReport, ...]:
    """Check each template a repository carries (one answers file each), one row each."""
    try:
        names = _answers_files(path, template)
    except PavedError as exc:
        return (DriftReport(path=str(path), error=str(exc)),)
    # The baseline belongs to the repository, not to a template: report it on the first row.
    return tuple(
        _check_safely(path, catalog, st, versions, name, repository_row=i == 0)
        for i, name in enumerate(names)
    )


def _answers_files(path: Path, template: str | None) -> tuple[str, ...]:
    if template is not None:
        return tuple(c.answers_file for c in answers_mod.select(path, template))
    return (answers_mod.kept(path) if path.is_dir() else ()) or (ANSWERS_FILE,)


def _check_safely(
    path: Path,
    catalog: Catalog,
    st: store.Store,
    versions: dict[str, tuple[str, ...]],
    answers_file: str = ANSWERS_FILE,
    *,
    repository_row: bool = True,
) -> DriftReport:
    try:
        return check_one(path, catalog, st, versions, answers_file, repository_row=repository_row)
    except PavedError as exc:
        return DriftReport(path=str(path), error=str(exc))
    except (OSError, ValueError, RecursionError) as exc:  # keep the other repositories' rows
        return DriftReport(path=str(path), error=f"{path}: cannot be checked: {exc}")


def check_one(
    path: Path,
    catalog: Catalog,
    st: store.Store,
    versions: dict[str, tuple[str, ...]],
    answers_file: str = ANSWERS_FILE,
    *,
    repository_row: bool = True,
) -> DriftReport:
    """Check one repository against the store and the catalog's guarded files.

    repository_row: also report what belongs to the repository rather than to one template
    (its baseline); False for a repository's second and later templates.
    """
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise UserError(f"{path}: {what}; pass the folder of a repository made from the catalog")
    rec = recorded(path, answers_file)
    template = catalog.get(rec.template_id)
    if rec.template_id not in versions:
        if st.is_local:
            publish.publish_template(template, st)
        versions[rec.template_id] = store.published_versions(st, rec.template_id)
    published = versions[rec.template_id]
    newest = store.latest(published) or rec.version
    behind = sum(1 for v in published if Version(rec.version) < Version(v) <= Version(newest))
    src = store.source(st, rec.template_id, rec.version)
    with _fresh_render(src, rec) as fresh:
        guarded = tuple(_guarded(path, fresh, template.guarded))
        gate = (*_gate_changes(fresh, path), *_config_changes(fresh, path))
    if repository_row:
        gate = (*gate, *baseline_file.drift(path))  # expired, grown or extended
    return DriftReport(str(path), rec.template_id, rec.version, newest, behind, guarded, gate)


@contextmanager
def _fresh_render(src: store.Source, rec: Recorded) -> Iterator[Path]:
    """Render the recorded version with the recorded answers into a temporary folder."""
    with scratch(Path(tempfile.gettempdir()), "paved-drift-") as folder:
        render_source(src, dict(rec.answers), folder / "render")
        yield folder / "render"


def _guarded(repo: Path, fresh: Path, guarded: Sequence[str]) -> Iterable[GuardedFile]:
    for rel in guarded:
        expected = fresh / rel
        if not expected.is_file():
            continue  # the template does not render it for these answers
        actual = repo / rel
        if not actual.is_file():
            yield GuardedFile(rel, "missing")
        elif actual.read_bytes() != expected.read_bytes():
            yield GuardedFile(rel, "changed")


def _gate_changes(fresh: Path, repo: Path) -> tuple[PolicyChange, ...]:
    reference = policy_file.load(fresh)
    try:
        actual = policy_file.load(repo)
    except PavedError as exc:
        return (PolicyChange(policy_file.POLICY_PATH, "valid", f"invalid: {exc}", True),)
    return compare_policies(reference, actual)


# Scanner configuration a repository carries; each reader lists what would let findings through.
_CONFIG_READERS: tuple[tuple[str, Callable[[Path], tuple[Weakening, ...]]], ...] = (
    (secrets_baseline.BASELINE, secrets_baseline.baseline_weakenings),
    (hadolint.CONFIG_NAMES[0], hadolint.config_weakenings),
)


def _config_changes(fresh: Path, repo: Path) -> list[PolicyChange]:
    """List scanner settings in the repository that hide findings and the template lacks."""
    changes = []
    for name, read in _CONFIG_READERS:
        try:
            found = read(repo)
        except PavedError as exc:
            changes.append(PolicyChange(name, "valid", f"invalid: {exc}", True))
            continue
        known = set(read(fresh))
        changes += [
            PolicyChange(f"{w.file}: {w.field}", "not set", w.setting, True)
            for w in found
            if w not in known
        ]
    return changes


def exit_code(reports: Sequence[DriftReport]) -> int:
    """Return 2 when a repository could not be checked, 1 when one drifted, else 0."""
    if any(r.error for r in reports):
        return 2
    return 1 if any(r.drifted for r in reports) else 0


def to_json(reports: Sequence[DriftReport]) -> str:
    """Render the reports as JSON for machines."""
    rows = [
        {**asdict(r), "missing": list(r.missing), "weakened": bool(r.weakened)} for r in reports
    ]
    return json.dumps(rows, indent=2, sort_keys=True)


_COLUMNS = ("REPOSITORY", "TEMPLATE", "VERSION", "LATEST", "BEHIND", "GUARDED", "GATE")


def _row(r: DriftReport) -> tuple[str, ...]:
    if r.error:
        return (r.path, "-", "-", "-", "-", "error", "error")
    guarded = f"{len(r.missing)} missing" if r.missing else "ok"
    changed = len(r.guarded) - len(r.missing)
    guarded += f", {changed} changed" if changed else ""
    gate = f"weaker ({len(r.weakened)})" if r.weakened else "ok"
    versions = (r.template_id or "-", r.version or "-", r.latest or "-", str(r.behind))
    return (r.path, *versions, guarded, gate)


def _details(r: DriftReport) -> list[str]:
    if r.error:
        return [f"error: {r.error}"]
    lines = [
        f"guarded file {g.status}: {g.path}"
        + (" (restore it from git history or the template)" if g.status == "missing" else "")
        for g in r.guarded
    ]
    lines += [f"gate weaker: {c.field} {c.reference} -> {c.actual}" for c in r.weakened]
    return lines


def _heading(r: DriftReport) -> str:
    """Name a row's details: the repository, and the template when it carries one."""
    return f"{r.path} ({r.template_id})" if r.template_id else r.path


def to_table(reports: Sequence[DriftReport]) -> str:
    """Render a plain-text table, then the details of each repository that needs attention."""
    rows = [_COLUMNS, *(_row(r) for r in reports)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    for r in reports:
        details = _details(r)
        if details:
            lines += ["", f"{_heading(r)}:", *(f"  {line}" for line in details)]
    return "\n".join(printable(line) for line in lines)  # paths may hold control characters


def to_markdown(reports: Sequence[DriftReport]) -> str:
    """Render a Markdown table and a details list (for issues and PR comments)."""
    lines = ["| " + " | ".join(c.title() for c in _COLUMNS) + " |", "|" + " --- |" * len(_COLUMNS)]
    lines += ["| " + " | ".join(md_text(c) for c in _row(r)) + " |" for r in reports]
    for r in reports:
        details = _details(r)
        if details:
            lines += [
                "",
                f"**{md_text(_heading(r))}**",
                "",
                *(f"- {md_text(line)}" for line in details),
            ]
    return "\n".join(lines) + "\n"
