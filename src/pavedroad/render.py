"""Render a catalog template with copier into a temp dir, verify it, then move it into place."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copier
import yaml
from copier.errors import CopierError
from jinja2 import TemplateError

from pavedroad.catalog import Template
from pavedroad.errors import RenderError, UserError

ANSWERS_FILE = ".copier-answers.yml"
Verify = Callable[[Path], None]


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
    template: Template, answers: dict[str, Any], dest: Path, verify: Verify | None = None
) -> Rendered:
    """Render template into dest; on any failure or interrupt dest is left as it was."""
    dest = dest.absolute()
    check_destination(dest)
    with _created_parents(dest.parent), _scratch(dest.parent, dest.name) as scratch:
        out = scratch / "render"
        _copy(template, answers, out)
        _record_template(out, template)
        if verify is not None:
            verify(out)
        files = _list_files(out)
        _move_into_place(out, dest)
    return Rendered(dest=dest, template_id=template.id, version=template.version, files=files)


def _copy(template: Template, answers: dict[str, Any], out: Path) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            copier.run_copy(
                str(template.directory),
                out,
                data=answers,
                defaults=True,
                unsafe=False,
                skip_tasks=True,
                quiet=True,
                cleanup_on_error=True,
            )
    except (CopierError, TemplateError, ValueError, OSError) as exc:
        raise RenderError(
            f"template {template.id} {template.version} failed to render: "
            f"{type(exc).__name__}: {exc}; nothing was written. Fix the template "
            f"in {template.directory} or report it to its owners ({', '.join(template.owners)})"
        ) from None


def _record_template(out: Path, template: Template) -> None:
    """Add the catalog id and version to copier's answers file (copier ignores `_paved_*`)."""
    path = out / ANSWERS_FILE
    if not path.is_file():
        raise RenderError(
            f"template {template.id}: renders no {ANSWERS_FILE}; add "
            "'{{_copier_conf.answers_file}}.jinja' to the template so the project can be updated"
        )
    extra = {"_paved_template": template.id, "_paved_version": template.version}
    text = path.read_text(encoding="utf-8")
    text = text if text.endswith("\n") else text + "\n"
    path.write_text(text + yaml.safe_dump(extra, sort_keys=True), encoding="utf-8")


def read_answers(project: Path) -> dict[str, Any]:
    """Return the answers file of a rendered project ({} when absent)."""
    path = project / ANSWERS_FILE
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _list_files(root: Path) -> tuple[str, ...]:
    return tuple(sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()))


def _move_into_place(out: Path, dest: Path) -> None:
    check_destination(dest)
    if dest.is_dir():
        dest.rmdir()
    out.replace(dest)


@contextmanager
def _scratch(parent: Path, name: str) -> Iterator[Path]:
    """Yield a temp dir beside dest (same filesystem, so the final move is atomic)."""
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}.paved-", dir=parent))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


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
