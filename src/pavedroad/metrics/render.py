"""The metrics report as text (a terminal or a CI log) and as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pavedroad.metrics.friction import Friction
from pavedroad.metrics.report import Figures, Report
from pavedroad.metrics.stats import Summary
from pavedroad.textsafe import one_line

TOP_REPOSITORIES = 20


def render_json(report: Report) -> str:
    """Return the report as indented JSON with sorted keys."""
    return json.dumps(report.document(), indent=2, sort_keys=True, ensure_ascii=False)


def render_text(report: Report) -> str:
    """Return the report as plain, line-oriented text."""
    overall = report.overall
    lines = [
        f"Paved Road metrics {_window(report)}: {overall.friction.runs} run(s), "
        f"{overall.repositories} repositories",
        "",
        "Security outcomes",
        *_outcome_lines(overall),
        "",
        "Friction per stage",
        *_friction_table([(stage, f) for stage, f in report.stages.items()], "STAGE"),
        "",
        "Per team",
        *_team_table(report.teams),
        "",
        f"Repositories (the {TOP_REPOSITORIES} with most open findings; all of them in "
        "--format json)",
        *_team_table(top(report.repositories)),
        "",
        f"Satisfaction: {_reactions(overall)}",
    ]
    return "\n".join(lines) + "\n"


def _window(report: Report) -> str:
    since = report.since[:10] if report.since else "the beginning"
    until = report.until[:10] if report.until else "now"
    return f"from {since} to {until}"


def _outcome_lines(fig: Figures) -> list[str]:
    out, exc = fig.outcomes, fig.exceptions
    return [
        "  open findings: " + _pairs(out.open_by_severity),
        "  by layer:      " + _pairs(out.open_by_layer),
        f"  introduced {out.introduced}, fixed {out.fixed}; time to fix: "
        f"{summary_text(out.time_to_fix_days, 'd')}",
        f"  exceptions: {exc.active} active, {exc.expired} expired, {exc.renewed} renewed; "
        f"age of active ones: {summary_text(exc.age_days, 'd')}",
    ]


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items())


def summary_text(summary: Summary, unit: str) -> str:
    if not summary.count:
        return "none"
    return f"mean {summary.mean} {unit}, p90 {summary.p90} {unit} (n={summary.count})"


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _friction_table(rows: Sequence[tuple[str, Friction]], title: str) -> list[str]:
    head = (
        f"  {title:<24} {'RUNS':>6} {'BLOCKED':>7} {'RATE':>6} {'P50 S':>7} {'P95 S':>7} "
        f"{'GREEN P50 H':>11} {'RERUNS/PR':>9} {'ATTEMPTS/BLOCK':>14}"
    )
    body = [
        f"  {one_line(name)[:24]:<24} {f.runs:>6} {f.blocked:>7} {number(f.block_rate):>6} "
        f"{number(f.duration_s.p50):>7} {number(f.duration_s.p95):>7} "
        f"{number(f.time_to_green_h.p50):>11} {number(f.reruns_per_pr):>9} "
        f"{number(f.attempts_per_block):>14}"
        for name, f in rows
    ]
    return [head, *body] if body else ["  (no runs)"]


def _team_table(groups: Sequence[Figures]) -> list[str]:
    head = (
        f"  {'NAME':<32} {'REPOS':>5} {'OPEN':>5} {'CRIT':>4} {'HIGH':>4} {'FIXED':>5} "
        f"{'TTF P90 D':>9} {'RUNS':>5} {'BLOCK RATE':>10} {'+1':>4} {'-1':>4}"
    )
    body = [
        f"  {one_line(g.name)[:32]:<32} {g.repositories:>5} {open_count(g):>5} "
        f"{g.outcomes.open_by_severity['critical']:>4} {g.outcomes.open_by_severity['high']:>4} "
        f"{g.outcomes.fixed:>5} {number(g.outcomes.time_to_fix_days.p90):>9} "
        f"{g.friction.runs:>5} {number(g.friction.block_rate):>10} "
        f"{g.satisfaction.up:>4} {g.satisfaction.down:>4}"
        for g in groups
    ]
    return [head, *body] if body else ["  (none)"]


def open_count(fig: Figures) -> int:
    return sum(fig.outcomes.open_by_severity.values())


def top(groups: Sequence[Figures]) -> list[Figures]:
    return sorted(groups, key=lambda g: (-open_count(g), g.name))[:TOP_REPOSITORIES]


def _reactions(fig: Figures) -> str:
    sat = fig.satisfaction
    if not sat.comments:
        return "no reactions recorded (paved metrics ingest --reactions)"
    return f"+1 {sat.up}, -1 {sat.down} on {sat.comments} comment(s)"
