"""Render a catalog template with copier into a temp dir, verify it, then move it into place."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateError

from pavedroad.catalog.jinja_guard import run_copier, time_limit
from pavedroad.catalog.model import SEMVER, TEMPLATE_ID, Template, default_pinned_data
from pavedroad.catalog.scratch import copier_temp, scratch
from pavedroad.catalog.store import Source
from pavedroad.edges import load_yaml, safe_load
from pavedroad.errors import ConfigError, RenderError, UserError

ANSWERS_FILE = ".copier-answers.yml"
_PAVED_KEYS = ("_paved_template:", "_paved_version:")
Verify = Callable[[Path], None]
# Scratch beside DEST: `.NAME.paved-XXXX` with an owner marker (pavedroad.catalog.scratch).
SCRATCH_MARK, SCRATCH_TAIL, SCRATCH_GLOB = ".", ".paved-", ".*.paved-*"
MAX_TEMPLATE_DEPTH = 64  # copier renders each level's name again: 1,100 levels took minutes


@dataclass(frozen=True)
class Rendered:
    """What `render` put in place."""

    dest: Path
    template_id: str
    version: str
    files: tuple[str, ...]


def check_destination(dest: Path) -> None:
    """Refuse a destination that exists and is not an empty folder."""
    if dest.is_symlink() or dest.exists() and not dest.is_dir():
        raise UserError(f"{dest}: exists and is not a folder; choose a new destination")
    if dest.is_dir() and any(dest.iterdir()):
        raise UserError(
            f"{dest}: exists and is not empty; choose a new folder "
            "(Paved Road never overwrites existing files)"
        )


def render(
    template: Template,
    answers: dict[str, Any],
    dest: Path,
    verify: Verify | None = None,
    *,
    source: Source | None = None,
) -> Rendered:
    """Render template (from its published source when given) into dest, atomically.

    On any failure or interrupt dest is left as it was.
    """
    dest = dest.absolute()
    check_destination(dest)
    _check_depth(template)
    version = source.version if source is not None else template.version
    with _created_parents(dest.parent), _scratch(dest.parent, dest.name) as folder:
        out = folder / "render"
        try:
            _copy(source or str(template.directory), {**answers, **template.pinned}, out)
        except RenderError as exc:
            raise RenderError(
                f"template {template.id} {version} failed to render: {exc}; nothing was "
                f"written. Fix the template in {template.directory} or report it to its "
                f"owners ({', '.join(template.owners)})"
            ) from None
        record_template(out, template.id, version)
        if verify is not None:
            verify(out)
        files = _list_files(out)
        _move_into_place(out, dest)
    return Rendered(dest=dest, template_id=template.id, version=version, files=files)


def _check_depth(template: Template) -> None:
    """Refuse a template nested so deep that copier would take minutes or crash on it."""
    stack = [(template.directory, 0)]
    while stack:
        here, depth = stack.pop()
        if depth > MAX_TEMPLATE_DEPTH:
            shown = "/".join(here.relative_to(template.directory).parts[:4])
            raise RenderError(
                f"template {template.id}: {template.directory}/{shown}/...: folders nested "
                f"more than {MAX_TEMPLATE_DEPTH} levels deep; flatten the template"
            )
        try:
            with os.scandir(here) as listing:
                folders = [Path(e.path) for e in listing if e.is_dir(follow_symlinks=False)]
        except OSError as exc:
            raise RenderError(f"template {template.id}: {here}: cannot read: {exc}") from None
        stack.extend((folder, depth + 1) for folder in folders)


def render_source(
    src: Source, answers: dict[str, Any], out: Path, answers_file: str = ANSWERS_FILE
) -> None:
    """Render one published version with the given answers into out (a scratch folder)."""
    try:
        # The catalog's pinned Paved Road commit wins over an old project's recorded answers.
        _copy(src, {**answers, **default_pinned_data()}, out, answers_file)
    except RenderError as exc:
        message = f"template {src.template_id} {src.version} failed to render: {exc}"
        raise RenderError(message) from None


def _copy(
    src: Source | str, answers: dict[str, Any], out: Path, answers_file: str = ANSWERS_FILE
) -> None:
    from copier.errors import CopierError  # deferred: copier costs ~0.3 s to import

    url, ref = (src.url, src.tag) if isinstance(src, Source) else (src, None)
    try:
        with warnings.catch_warnings(), time_limit(), copier_temp(out.parent):
            warnings.simplefilter("ignore")
            run_copier(
                "copy",
                src_path=url,
                dst_path=out,
                answers_file=answers_file,
                data=answers,
                vcs_ref=ref,
                defaults=True,
                unsafe=False,
                skip_tasks=True,
                quiet=True,
                cleanup_on_error=True,
            )
    except (CopierError, TemplateError, ValueError, OSError, OverflowError) as exc:
        raise RenderError(str(exc) or "copier stopped without a message") from None
    except RecursionError:
        raise RenderError("the template nests too deeply to render") from None


def record_template(
    out: Path, template_id: str, version: str, answers_file: str = ANSWERS_FILE
) -> None:
    """Add the catalog id and version to copier's answers file (copier ignores `_paved_*`)."""
    path = out / answers_file
    if not path.is_file():
        raise RenderError(
            f"template {template_id}: renders no {answers_file}; add "
            "'{{_copier_conf.answers_file}}.jinja' to the template so the project can be updated"
        )
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = "".join(line for line in lines if not line.startswith(_PAVED_KEYS))
    kept = kept if kept.endswith("\n") or not kept else kept + "\n"
    extra = {"_paved_template": template_id, "_paved_version": version}
    path.write_text(kept + yaml.safe_dump(extra, sort_keys=True), encoding="utf-8")


@dataclass(frozen=True)
class Recorded:
    """What a project's answers file says it was rendered from."""

    template_id: str
    version: str
    answers: dict[str, Any]


ADOPT_HINT = (
    "To adopt it: run `paved adopt TEMPLATE .` in it (adds the template's files it lacks and "
    f"records the answers), or write {ANSWERS_FILE} by hand and commit it, e.g.\n"
    "  _paved_template: python-service   # the template id (`paved catalog list`)\n"
    "  _paved_version: 1.0.0             # the version the repository matches\n"
    "  service_name: orders              # one line per question (`paved catalog show ID`)"
)


def recorded(project: Path, answers_file: str = ANSWERS_FILE) -> Recorded:
    """Return the template, version and answers a project records; UserError when it cannot."""
    path = project / answers_file
    if not path.is_file():
        raise UserError(
            f"{project}: no {answers_file}, so this repository was not created from the "
            f"catalog. {ADOPT_HINT}"
        )
    data = load_yaml(path, str(path))
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of answers. {ADOPT_HINT}")
    template_id = data.get("_paved_template")
    version = data.get("_paved_version") or str(data.get("_commit", "")).removeprefix("v")
    for field, value, pattern in (
        ("_paved_template", template_id, TEMPLATE_ID),
        ("_paved_version", version, SEMVER),
    ):
        if not isinstance(value, str) or not pattern.match(value):
            raise ConfigError(f"{path}: {field}: missing or invalid ({value!r}). {ADOPT_HINT}")
    answers = {str(k): v for k, v in data.items() if not str(k).startswith("_")}
    return Recorded(str(template_id), str(version), answers)


def read_answers(project: Path) -> dict[str, Any]:
    """Return the answers file of a rendered project ({} when absent)."""
    path = project / ANSWERS_FILE
    if not path.is_file():
        return {}
    data = safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _list_files(root: Path) -> tuple[str, ...]:
    return tuple(sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()))


def _move_into_place(out: Path, dest: Path) -> None:
    check_destination(dest)
    if dest.is_dir():
        dest.rmdir()
    out.replace(dest)


def _scratch(parent: Path, name: str) -> AbstractContextManager[Path]:
    """Return a marked temp dir beside dest (same filesystem, so the final move is atomic)."""
    return scratch(parent, f"{SCRATCH_MARK}{name}{SCRATCH_TAIL}", stale=SCRATCH_GLOB)


@contextmanager
def _created_parents(parent: Path) -> Iterator[None]:
    """Create missing parent folders; remove the ones created here if rendering fails."""
    missing = [p for p in (parent, *parent.parents) if not p.exists()]
    parent.mkdir(parents=True, exist_ok=True)
    try:
        yield
    except BaseException:
        for folder in missing:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise
