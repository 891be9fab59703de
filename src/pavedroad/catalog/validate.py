"""`paved catalog validate`: every scenario of every template renders, passes and validates.

`paved catalog publish` runs the same checks on every template it is about to publish.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from pavedroad.catalog import schema_checks as schemas
from pavedroad.catalog import workflow_audit
from pavedroad.catalog.model import Catalog, Template
from pavedroad.catalog.questions import load_config, next_steps, resolve_answers
from pavedroad.catalog.render import render
from pavedroad.errors import PavedError
from pavedroad.gate.result import Verdict
from pavedroad.gate.run import gate_repository
from pavedroad.progress import Progress, Step, silent

STAGE = "release"


@dataclass(frozen=True)
class ScenarioResult:
    """The outcome of one scenario of one template."""

    template_id: str
    version: str
    scenario: str
    problems: tuple[str, ...]
    excepted: int

    @property
    def ok(self) -> bool:
        """Return True when the scenario has no problem."""
        return not self.problems


def validate(
    catalog: Catalog, only: Sequence[str] = (), workers: int = 2, progress: Progress = silent
) -> list[ScenarioResult]:
    """Validate the chosen templates (all by default), scenarios in parallel, in catalog order."""
    templates = [catalog.get(i) for i in only] if only else list(catalog.templates)
    jobs = [(t, name) for t in templates for name in t.scenarios]
    if not jobs:
        return []
    what = f"{_count(len(jobs), 'scenario')} of {_count(len(templates), 'template')}"
    progress(Step(f"validating {what}"))
    # Processes, not threads: a render sets process-wide state (tempfile.tempdir for copier's
    # clones, a SIGALRM time limit that only a main thread can arm).
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(validate_scenario, t, name): i for i, (t, name) in enumerate(jobs)}
        results: list[ScenarioResult | None] = [None] * len(jobs)
        for done, future in enumerate(as_completed(futures), start=1):
            r = results[futures[future]] = future.result()
            mark = "ok" if r.ok else "FAIL"
            progress(Step(f"{mark} {r.template_id} [{r.scenario}]", done=done, total=len(jobs)))
    return [r for r in results if r is not None]


def _count(n: int, noun: str) -> str:
    """Return '1 template' or '2 templates'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def validate_scenario(template: Template, scenario: str) -> ScenarioResult:
    """Render one scenario in a temp dir, gate it at release, check its schemas and workflows."""
    with tempfile.TemporaryDirectory(prefix="paved-validate-") as tmp:
        out = Path(tmp) / scenario
        try:
            answers = resolve_answers(load_config(template.directory), template.scenarios[scenario])
            next_steps(template.next_steps, answers)  # each renders with these answers
            render(template, answers, out)
        except PavedError as exc:
            return ScenarioResult(template.id, template.version, scenario, (str(exc),), 0)
        problems, excepted = _gate_problems(out)
        problems += _each(out, (schemas.validate, workflow_audit.audit))
    return ScenarioResult(template.id, template.version, scenario, problems, excepted)


def _each(out: Path, checks: Iterable[Callable[[Path], Sequence[str]]]) -> tuple[str, ...]:
    """Run each check on its own: one that cannot run is a problem, the others still report."""
    problems: list[str] = []
    for check in checks:
        try:
            problems += check(out)
        except PavedError as exc:
            problems.append(str(exc))
    return tuple(problems)


def _gate_problems(out: Path) -> tuple[tuple[str, ...], int]:
    """Return one line per finding not covered by a recorded exception, and the excepted count."""
    try:
        result = gate_repository(out, STAGE, remember=False)
    except PavedError as exc:
        return (str(exc),), 0
    problems = tuple(
        f"{g.verdict.value}: {g.finding.rule_id} {g.finding.path}:{g.finding.start_line} "
        f"{g.finding.title}"
        for g in result.findings
        if g.verdict is not Verdict.EXCEPTED
    )
    return problems, len(result.findings) - len(problems)


def render_text(results: Sequence[ScenarioResult]) -> str:
    """Render a per-template report for the terminal."""
    lines = []
    for r in results:
        mark = "ok  " if r.ok else "FAIL"
        extra = f" ({r.excepted} excepted by recorded exceptions)" if r.excepted else ""
        lines.append(f"{mark} {r.template_id} {r.version} [{r.scenario}]{extra}")
        lines += [f"       {p}" for p in r.problems]
    failed = sum(1 for r in results if not r.ok)
    templates = len({r.template_id for r in results})
    lines.append(
        f"{len(results) - failed}/{_count(len(results), 'scenario')} of "
        f"{_count(templates, 'template')} passed" + (f"; {failed} failed" if failed else "")
    )
    return "\n".join(lines)
