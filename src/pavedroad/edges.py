"""Helpers for strict schemas at the edges: readable pydantic errors and safe YAML loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from pavedroad.errors import ConfigError

Model = TypeVar("Model", bound=BaseModel)

_FIXES = {
    "missing": "add it",
    "extra_forbidden": "remove it (unknown field) or check its spelling",
}


def location(loc: tuple[str | int, ...]) -> str:
    """Render a pydantic error location as `templates[0].version`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def describe(display: str, exc: ValidationError) -> str:
    """Turn a ValidationError into `file: field: what is wrong; how to fix it` lines."""
    lines = []
    for err in exc.errors():
        fix = _FIXES.get(err["type"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        suffix = f"; {fix}" if fix else ""
        lines.append(f"{display}: {location(tuple(err['loc']))}: {msg}{suffix}")
    return "\n".join(lines)


class SafeLoader(yaml.SafeLoader):
    """yaml's safe loader, except that a date that does not exist stays text.

    `created: 2026-02-30` then reaches the schema, which names the field, instead of
    crashing the YAML reader with a bare ValueError.
    """

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """Return the date or time, or the scalar's text when it is no real date."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeLoader.construct_yaml_timestamp)


def safe_load(text: str) -> Any:
    """Parse YAML like yaml.safe_load, keeping impossible dates as text."""
    return yaml.load(text, Loader=SafeLoader)


def load_yaml(path: Path, display: str) -> Any:
    """Load one YAML document, raising ConfigError naming the file and the position."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{display}: file not found; create it or point at the right path"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{display}: cannot read: {exc}") from None
    try:
        return safe_load(text)
    except RecursionError:
        raise ConfigError(
            f"{display}: nested too deeply to read (hundreds of levels of lists or mappings); "
            "flatten it"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{display}: {where}invalid YAML: {problem}; fix the syntax") from None


def validate_json(text: str, model: type[Model], display: str, fix: str) -> Model:
    """Parse JSON text into a strict model; ConfigError naming the file (with `fix`) or field."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{display}: not JSON ({exc}); {fix}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe(display, exc)) from None
