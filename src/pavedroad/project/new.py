"""`paved new`: render a catalog template into a new folder, verified by its release gate."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pavedroad.catalog import publish, store
from pavedroad.catalog.model import Template
from pavedroad.catalog.model import load as load_catalog
from pavedroad.catalog.questions import Prompt, ShownStep, load_config, next_steps, resolve_answers
from pavedroad.catalog.render import Rendered, check_destination, render
from pavedroad.edges import load_yaml
from pavedroad.errors import GateFailedError, UserError
from pavedroad.gate.result import GateResult
from pavedroad.gate.run import gate_repository
from pavedroad.progress import Progress, Step, silent

VERIFY_STAGE = "release"
Gate = Callable[..., GateResult]


@dataclass(frozen=True)
class NewRequest:
    """What to create, from which template, and where its answers come from."""

    template_id: str
    dest: Path
    data: Mapping[str, Any] = field(default_factory=dict)  # wins over data_file
    data_file: Path | None = None
    version: str | None = None  # None: the catalog's version
    prompt: Prompt | None = None  # None: unanswered questions take their default
    on_invalid: Callable[[str], None] = lambda message: None
    catalog: Path | None = None
    store: str | None = None


@dataclass(frozen=True)
class NewResult:
    """The project put in place, and the verdict of its release gate."""

    rendered: Rendered
    gate: GateResult
    next_steps: tuple[ShownStep, ...] = ()  # the template's, rendered with the answers


class RenderBlockedError(GateFailedError):
    """The rendered project does not pass its own release gate; nothing was written."""

    def __init__(self, result: GateResult) -> None:
        super().__init__(
            f"the rendered project does not pass its {VERIFY_STAGE} gate; nothing was written. "
            "This is a bug in the template: report it to the catalog owners"
        )
        self.result = result


def create(request: NewRequest, gate: Gate | None = None, progress: Progress = silent) -> NewResult:
    """Render the template into a new folder; only a project that passes its gate is kept."""
    template = load_catalog(request.catalog).get(request.template_id)
    st = store.resolve(request.store)
    earlier = _earlier_version(template, request.version, st)
    check_destination(request.dest)
    given = {**read_data_file(request.data_file), **request.data}
    with _questions_of(template, earlier) as directory:
        answers = resolve_answers(
            load_config(directory), given, request.prompt, on_invalid=request.on_invalid
        )
    # Published lazily, once the answers are valid: `paved update` later reads the recorded
    # version back from the store, so the project must be rendered from it.
    version = earlier.version if earlier else template.version
    progress(Step(f"rendering {template.id} {version}"))  # after the prompts: none is pending
    source = earlier or publish.ensure_published(template, st)
    verdict: list[GateResult] = []
    gate = gate or functools.partial(gate_repository, progress=progress)
    verify = _verifier(gate, verdict, progress)
    rendered = render(template, answers, request.dest, verify=verify, source=source)
    return NewResult(rendered, verdict[0], next_steps(template.next_steps, answers))


def _earlier_version(
    template: Template, version: str | None, st: store.Store
) -> store.Source | None:
    """Return the published source of an explicitly requested earlier version."""
    if version is None or version == template.version:
        return None
    if version not in store.published_versions(st, template.id):
        raise UserError(
            f"--version {version}: {template.id} {version} is not published in {st.location} "
            f"(this catalog has {template.version}); publish that version with "
            "`paved catalog publish`, or drop --version"
        )
    return store.source(st, template.id, version)


@contextmanager
def _questions_of(template: Template, earlier: store.Source | None) -> Iterator[Path]:
    """Yield the folder whose copier.yml asks the questions of the version to render."""
    if earlier is None:
        yield template.directory
        return
    with store.checkout(earlier) as folder:
        yield folder


def read_data_file(path: Path | None) -> dict[str, Any]:
    """Return the answers of a --data-file ({} without one)."""
    if path is None:
        return {}
    raw = load_yaml(path, str(path))
    if not isinstance(raw, dict):
        raise UserError(f"{path}: expected a mapping of question: answer")
    return {str(k): v for k, v in raw.items()}


def _verifier(
    gate: Gate, verdict: list[GateResult], progress: Progress = silent
) -> Callable[[Path], None]:
    """Return the check render runs on the scratch render before moving it into place."""

    def verify(out: Path) -> None:
        progress(Step(f"running the {VERIFY_STAGE} gate on the render"))
        result = gate(out, VERIFY_STAGE, remember=False)
        verdict.append(result)
        if result.blocked:
            raise RenderBlockedError(result)

    return verify
