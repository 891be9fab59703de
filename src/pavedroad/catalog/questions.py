"""Read a template's copier.yml questions and validate answers before anything is written."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from jinja2 import TemplateError

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

from pavedroad.catalog.jinja_guard import harden, time_limit
from pavedroad.catalog.model import NextStep
from pavedroad.edges import load_yaml
from pavedroad.errors import ConfigError, UserError

# copier runs these only with --trust; Paved Road never grants it.
TRUST_KEYS = {
    "_tasks": "runs shell commands after rendering",
    "_migrations": "runs shell commands during updates",
    "_jinja_extensions": "loads arbitrary Python code into the renderer",
}
TYPES = ("str", "int", "float", "bool", "yaml", "json")
_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}
Prompt = Callable[["Question", Any], str]


@dataclass(frozen=True)
class Question:
    """One copier question."""

    name: str
    type: str
    help: str
    default: Any
    choices: tuple[tuple[str, Any], ...]
    validator: str | None
    when: Any
    secret: bool

    @property
    def computed(self) -> bool:
        """Return True for a value the template computes (`when: false`): never asked."""
        return self.when is False


@dataclass(frozen=True)
class TemplateConfig:
    """The parts of a copier.yml Paved Road needs."""

    path: Path
    questions: tuple[Question, ...]


def load_config(directory: Path) -> TemplateConfig:
    """Load a template's copier.yml, refusing features that need trust."""
    path = next(p for p in (directory / "copier.yml", directory / "copier.yaml") if p.is_file())
    raw = load_yaml(path, str(path))
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings and questions")
    for key, why in TRUST_KEYS.items():
        if key in raw:
            raise ConfigError(
                f"{path}: {key}: refused: it {why} and needs copier's trust, which Paved Road "
                "never grants; express the change declaratively in the catalog instead"
            )
    questions = tuple(_question(path, k, v) for k, v in raw.items() if not str(k).startswith("_"))
    return TemplateConfig(path=path, questions=questions)


def _question(path: Path, name: str, spec: Any) -> Question:
    if not isinstance(spec, dict):
        spec = {"default": spec, "type": _infer_type(spec)}
    qtype = str(spec.get("type", _infer_type(spec.get("default", ""))))
    if qtype not in TYPES:
        raise ConfigError(f"{path}: {name}.type: unknown type {qtype!r}; use one of {TYPES}")
    return Question(
        name=name,
        type=qtype,
        help=str(spec.get("help", name)),
        default=spec.get("default"),
        choices=_choices(spec.get("choices")),
        validator=spec.get("validator"),
        when=spec.get("when", True),
        secret=bool(spec.get("secret", False)),
    )


def _infer_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str" if isinstance(value, str) or value is None else "yaml"


def _choices(raw: Any) -> tuple[tuple[str, Any], ...]:
    if isinstance(raw, dict):
        return tuple((str(label), value) for label, value in raw.items())
    if isinstance(raw, list):
        return tuple(
            (str(c[0]), c[1]) if isinstance(c, list) and len(c) == 2 else (str(c), c) for c in raw
        )
    return ()


# The same default filters copier offers to templates (regex_search, to_nice_yaml, ...),
# minus the ones that read this machine (jinja_guard).
@functools.cache
def _env() -> SandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        undefined=StrictUndefined, extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]
    )
    return harden(env)


def render_text(text: str, context: Mapping[str, Any]) -> str:
    """Render a Jinja expression from copier.yml in a sandbox, bounded in time."""
    with time_limit():
        return _env().from_string(text).render(**context)


def cast(question: Question, value: Any) -> Any:
    """Cast a raw answer to the question's type or raise UserError naming the question."""
    try:
        return _CASTS[question.type](value)
    except (ValueError, TypeError, RecursionError, yaml.YAMLError, json.JSONDecodeError) as exc:
        raise UserError(
            f"answer {question.name}: {value!r} is not a valid {question.type} ({exc}); "
            f"pass --data {question.name}=<{question.type}>"
        ) from None


def _to_str(value: Any) -> str:
    if isinstance(value, dict | list | bool):
        raise TypeError("expected text")
    return "" if value is None else str(value)


def _to_int(value: Any) -> int:
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise TypeError("expected a whole number")
    return int(value)


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError("expected a number")
    return float(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError("expected true or false")


def _to_yaml(value: Any) -> Any:
    return yaml.safe_load(value) if isinstance(value, str) else value


def _to_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


_CASTS: dict[str, Callable[[Any], Any]] = {
    "str": _to_str,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "yaml": _to_yaml,
    "json": _to_json,
}


def resolve_answers(
    config: TemplateConfig,
    given: Mapping[str, Any],
    prompt: Prompt | None = None,
    on_invalid: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Return validated answers for every asked question; prompt for the rest when allowed."""
    names = {q.name for q in config.questions if not q.computed}
    _refuse_computed(config, given)
    unknown = sorted(set(given) - names)
    if unknown:
        known = ", ".join(sorted(names))
        raise UserError(f"unknown question {unknown[0]!r}; this template asks: {known}")
    answers: dict[str, Any] = {}
    for question in config.questions:
        if not _asked(question, answers):
            continue
        answers[question.name] = _answer(question, given, answers, prompt, on_invalid)
    return answers


def _refuse_computed(config: TemplateConfig, given: Mapping[str, Any]) -> None:
    """Refuse an answer to a value the template computes, naming what it is computed from."""
    for question in config.questions:
        if question.computed and question.name in given:
            sources = computed_from(question)
            why, fix = (
                (f"it is computed from {', '.join(sources)}", f" and set {' or '.join(sources)}")
                if sources
                else (f"the template fixes it to {question.default!r}", "")
            )
            raise UserError(
                f"answer {question.name}: cannot be given: {why}; drop --data {question.name}{fix}"
            )


def computed_from(question: Question) -> tuple[str, ...]:
    """Return the answers a computed default reads, e.g. ('service_name',)."""
    if not isinstance(question.default, str) or "{" not in question.default:
        return ()
    from jinja2 import meta

    try:
        parsed = _env().parse(question.default)
    except TemplateError:
        return ()
    return tuple(sorted(meta.find_undeclared_variables(parsed)))


@dataclass(frozen=True)
class ShownStep:
    """A next step rendered with the answers; `missing` says how to get an absent tool."""

    run: str
    why: str
    missing: str | None


def next_steps(steps: tuple[NextStep, ...], answers: Mapping[str, Any]) -> tuple[ShownStep, ...]:
    """Render a template's next steps with the answers and check each needed tool is here."""
    shown = []
    for step in steps:
        run, why, get = (_step_text(text, answers) for text in (step.run, step.why, step.get))
        absent = step.needs is not None and shutil.which(step.needs) is None
        missing = f"{step.needs} is not installed here; {get}" if absent else None
        shown.append(ShownStep(run, why, missing))
    return tuple(shown)


def _step_text(text: str | None, answers: Mapping[str, Any]) -> str:
    """Render one text of a next step with the answers."""
    if not text:
        return ""
    try:
        return render_text(text, answers)
    except (TemplateError, OverflowError, RecursionError) as exc:
        raise ConfigError(
            f"catalog.yaml: next_steps: {text!r}: cannot render: {exc}; fix the template entry"
        ) from None


def _asked(question: Question, answers: Mapping[str, Any]) -> bool:
    when = question.when
    if isinstance(when, str):
        text = _render_safely(question, "when", when, answers).strip().lower()
        return text not in _FALSE | {""}
    return bool(when)


def _answer(
    question: Question,
    given: Mapping[str, Any],
    answers: Mapping[str, Any],
    prompt: Prompt | None,
    on_invalid: Callable[[str], None],
) -> Any:
    default = _default(question, answers)
    if question.name in given:
        return check(question, cast(question, given[question.name]), answers)
    if prompt is None:
        if default is None:
            raise UserError(
                f"answer {question.name}: required and has no default; "
                f"pass --data {question.name}=VALUE"
            )
        return check(question, cast(question, default), answers)
    while True:
        try:
            return check(question, cast(question, prompt(question, default)), answers)
        except UserError as exc:
            on_invalid(str(exc))


def _default(question: Question, answers: Mapping[str, Any]) -> Any:
    default = question.default
    if isinstance(default, str) and "{" in default:
        return _render_safely(question, "default", default, answers)
    return default


def check(question: Question, value: Any, answers: Mapping[str, Any]) -> Any:
    """Check choices and the copier validator; return the value or raise UserError."""
    values = [v for _, v in question.choices]
    if values and value not in values:
        allowed = ", ".join(repr(v) for v in values)
        raise UserError(f"answer {question.name}: {value!r} is not one of the choices: {allowed}")
    if question.validator:
        context = {**answers, question.name: value}
        problem = _render_safely(question, "validator", question.validator, context).strip()
        if problem:
            raise UserError(f"answer {question.name}: {value!r} rejected: {problem}")
    return value


def _render_safely(question: Question, field: str, text: str, context: Mapping[str, Any]) -> str:
    try:
        return render_text(text, context)
    except (TemplateError, OverflowError, RecursionError) as exc:
        raise ConfigError(
            f"copier.yml: {question.name}.{field}: cannot render: {exc}; fix the template"
        ) from None
