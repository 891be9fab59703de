"""Load and strictly validate a catalog: catalog.yaml plus its templates/ folder."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pavedroad.edges import describe, load_yaml
from pavedroad.errors import ConfigError, UserError

CATALOG_ENV = "PAVED_CATALOG"
CATALOG_FILE = "catalog.yaml"
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")
TEMPLATE_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
ANSWER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
Kind = Literal["service", "dockerfile", "terraform", "kubernetes", "pipeline"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MigrationModel(_Strict):
    version: str
    rename_answers: dict[str, str] = {}
    move_files: dict[str, str] = {}

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        return TemplateModel._version(value)

    @field_validator("rename_answers")
    @classmethod
    def _answers(cls, value: dict[str, str]) -> dict[str, str]:
        for name in (*value, *value.values()):
            if not ANSWER_NAME.match(name):
                raise ValueError(f"{name!r} is not a question name; use names like service_name")
        return value

    @field_validator("move_files")
    @classmethod
    def _paths(cls, value: dict[str, str]) -> dict[str, str]:
        for path in (*value, *value.values()):
            parts = path.split("/")
            if not path or path.startswith("/") or "\\" in path or {"", ".", ".."} & set(parts):
                raise ValueError(
                    f"{path!r} is not a project-relative path; use forward slashes, "
                    "e.g. config/app.toml, without '..' or a leading '/'"
                )
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> MigrationModel:
        if not self.rename_answers and not self.move_files:
            raise ValueError("declares nothing; add rename_answers or move_files, or remove it")
        return self


class TemplateModel(_Strict):
    id: str
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    kind: Kind
    version: str
    path: str
    tags: list[str] = []
    owners: list[str] = Field(min_length=1)
    guarded: list[str] = []
    scenarios: dict[str, dict[str, Any]] = Field(min_length=1)
    migrations: list[MigrationModel] = []

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not TEMPLATE_ID.match(value):
            raise ValueError(f"{value!r} is not a valid id; use lowercase words joined by hyphens")
        return value

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not SEMVER.match(value):
            raise ValueError(
                f"{value!r} is not a semantic version; use MAJOR.MINOR.PATCH, e.g. 1.2.0"
            )
        return value

    @model_validator(mode="after")
    def _migrations(self) -> TemplateModel:
        seen: set[str] = set()
        for migration in self.migrations:
            if migration.version in seen:
                raise ValueError(
                    f"migrations: version {migration.version} is listed twice; merge the entries"
                )
            seen.add(migration.version)
            if _semver_key(migration.version) > _semver_key(self.version):
                raise ValueError(
                    f"migrations: version {migration.version} is above the template's version "
                    f"{self.version}; a migration belongs to the version that introduces it"
                )
        return self


def _semver_key(version: str) -> tuple[int, int, int, int]:
    """Order MAJOR.MINOR.PATCH; a pre-release sorts before its release."""
    match = SEMVER.match(version)
    if match is None:
        return (0, 0, 0, 0)
    major, minor, patch, pre = match.groups()
    return (int(major), int(minor), int(patch), 0 if pre else 1)


class CatalogModel(_Strict):
    version: str
    templates: list[TemplateModel] = Field(min_length=1)

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        return TemplateModel._version(value)


@dataclass(frozen=True)
class Migration:
    """A declarative change that comes with a template version (no shell, no trust)."""

    version: str
    rename_answers: Mapping[str, str]
    move_files: Mapping[str, str]


@dataclass(frozen=True)
class Template:
    """One template of the catalog, with its folder resolved."""

    id: str
    title: str
    description: str
    kind: Kind
    version: str
    directory: Path
    tags: tuple[str, ...]
    owners: tuple[str, ...]
    guarded: tuple[str, ...]
    scenarios: Mapping[str, Mapping[str, Any]]
    migrations: tuple[Migration, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """A validated catalog."""

    root: Path
    version: str
    templates: tuple[Template, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """Return the template ids in catalog order."""
        return tuple(t.id for t in self.templates)

    def get(self, template_id: str) -> Template:
        """Return a template by id, or raise a UserError listing the known ids."""
        for template in self.templates:
            if template.id == template_id:
                return template
        known = ", ".join(self.ids)
        raise UserError(f"unknown template {template_id!r}; known templates: {known}")


def bundled_root() -> Path:
    """Return the folder of the catalog that ships with Paved Road."""
    from importlib import resources  # deferred: ~25 ms that most commands never need

    packaged = Path(str(resources.files("pavedroad"))) / "_catalog"
    if (packaged / CATALOG_FILE).is_file():
        return packaged
    source_tree = Path(__file__).resolve().parents[3]
    if (source_tree / CATALOG_FILE).is_file():
        return source_tree
    raise ConfigError("the bundled catalog is missing from this installation; reinstall pavedroad")


def resolve_root(option: Path | None) -> Path:
    """Pick the catalog folder: --catalog, then $PAVED_CATALOG, then the bundled one."""
    if option is not None:
        return option
    env = os.environ.get(CATALOG_ENV)
    return Path(env) if env else bundled_root()


def load(root: Path | None = None) -> Catalog:
    """Load and validate the catalog in root (default: see resolve_root)."""
    root = resolve_root(root)
    path = root / CATALOG_FILE if root.is_dir() else root
    display = CATALOG_FILE if path.name == CATALOG_FILE else str(path)
    if not path.is_file():
        raise ConfigError(f"{path}: catalog not found; pass --catalog DIR with a {CATALOG_FILE}")
    raw = load_yaml(path, display)
    try:
        model = CatalogModel.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        raise ConfigError(describe(display, exc)) from None
    _check_unique(model, display)
    templates = tuple(_resolve(path.parent, i, t, display) for i, t in enumerate(model.templates))
    return Catalog(root=path.parent, version=model.version, templates=templates)


def _check_unique(model: CatalogModel, display: str) -> None:
    seen: dict[str, int] = {}
    for index, template in enumerate(model.templates):
        if template.id in seen:
            first = seen[template.id]
            raise ConfigError(
                f"{display}: templates[{index}].id: duplicate id {template.id!r} "
                f"(also templates[{first}]); give each template its own id"
            )
        seen[template.id] = index


def _resolve(base: Path, index: int, model: TemplateModel, display: str) -> Template:
    directory = (base / model.path).resolve()
    if not directory.is_relative_to(base.resolve()):
        raise ConfigError(
            f"{display}: templates[{index}].path: {model.path!r} leaves the catalog folder; "
            "use a path under templates/"
        )
    if not any((directory / name).is_file() for name in ("copier.yml", "copier.yaml")):
        raise ConfigError(
            f"{display}: templates[{index}].path: no copier.yml in {model.path!r}; "
            "point it at a copier template folder"
        )
    return Template(
        id=model.id,
        title=model.title,
        description=model.description,
        kind=model.kind,
        version=model.version,
        directory=directory,
        tags=tuple(model.tags),
        owners=tuple(model.owners),
        guarded=tuple(model.guarded),
        scenarios={name: dict(answers) for name, answers in model.scenarios.items()},
        migrations=tuple(
            Migration(m.version, dict(m.rename_answers), dict(m.move_files))
            for m in model.migrations
        ),
    )
