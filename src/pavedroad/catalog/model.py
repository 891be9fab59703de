"""Load and strictly validate a catalog: catalog.yaml plus its templates/ folder."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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
GITHUB_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
GITLAB_PROJECT = re.compile(r"^[a-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._-]+){2,20}$")
COMMIT_SHA = re.compile(r"^[0-9a-f]{40}$")
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


class NextStepModel(_Strict):
    run: str = Field(min_length=1)
    why: str = ""
    needs: str | None = None
    get: str | None = None

    @field_validator("run")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value.strip():
            raise ValueError("must be one command line; join commands with &&")
        return value.strip()

    @model_validator(mode="after")
    def _how_to_get(self) -> NextStepModel:
        if self.needs is not None and not self.get:
            raise ValueError(f"needs {self.needs!r} but says no `get`; say how to install it")
        if self.get and self.needs is None:
            raise ValueError("has `get` but no `needs`; name the program it installs")
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
    next_steps: list[NextStepModel] = []

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


class PavedRoadModel(_Strict):
    """Where rendered pipelines get Paved Road itself: one repository, one pinned commit."""

    github: str
    gitlab: str
    ref: str

    @field_validator("github")
    @classmethod
    def _github(cls, value: str) -> str:
        if not GITHUB_REPO.match(value):
            raise ValueError(
                f"{value!r} is not a GitHub repository; use OWNER/NAME, e.g. acme/pavedroad"
            )
        return value

    @field_validator("gitlab")
    @classmethod
    def _gitlab(cls, value: str) -> str:
        if not GITLAB_PROJECT.match(value):
            raise ValueError(
                f"{value!r} is not a GitLab project; use HOST/GROUP/PROJECT without a scheme, "
                "e.g. gitlab.com/acme/pavedroad"
            )
        return value

    @field_validator("ref")
    @classmethod
    def _ref(cls, value: str) -> str:
        if not COMMIT_SHA.match(value):
            raise ValueError(
                f"{value!r} is not a commit SHA; use the full 40-hex commit of Paved Road that "
                "pipelines run (a tag can be moved, a commit cannot)"
            )
        return value


class CatalogModel(_Strict):
    version: str
    pavedroad: PavedRoadModel | None = None
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
class NextStep:
    """A command to run after `paved new`, as Jinja over the answers, and the tool it needs."""

    run: str
    why: str = ""
    needs: str | None = None  # a program looked up on PATH
    get: str | None = None  # how to install it when it is missing


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
    next_steps: tuple[NextStep, ...] = ()
    # The catalog's `pavedroad` setting as render data (`pinned_data`): never asked nor recorded.
    pinned: Mapping[str, str] = field(default_factory=dict)


def pinned_data(setting: PavedRoadModel | None) -> Mapping[str, str]:
    """Return the render data of the catalog's `pavedroad` setting (empty when unset)."""
    if setting is None:
        return {}
    return {
        "pavedroad_github": setting.github,
        "pavedroad_gitlab": setting.gitlab,
        "pavedroad_commit": setting.ref,
    }


def default_pinned_data() -> Mapping[str, str]:
    """Return the pinned render data of the default catalog (empty when it cannot be read)."""
    try:
        catalog = load()
    except (ConfigError, UserError):
        return {}
    return catalog.templates[0].pinned


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
    pinned = pinned_data(model.pavedroad)
    templates = tuple(
        _resolve(path.parent, i, t, display, pinned) for i, t in enumerate(model.templates)
    )
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


def _resolve(
    base: Path, index: int, model: TemplateModel, display: str, pinned: Mapping[str, str]
) -> Template:
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
        next_steps=tuple(NextStep(s.run, s.why, s.needs, s.get) for s in model.next_steps),
        pinned=pinned,
    )
