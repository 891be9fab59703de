"""The metrics report as one self-contained HTML page with inline SVG charts (works offline).

No script, no external URL: a Content-Security-Policy forbids loading anything, the charts are
SVG generated here, and every text from the store is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from pavedroad.metrics import svg
from pavedroad.metrics.render import TOP_REPOSITORIES, number, open_count, summary_text, top
from pavedroad.metrics.report import Figures, Report

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24;max-width:72rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem}
th,td{padding:.25rem .6rem;border-bottom:1px solid #d0d7de;text-align:right}
th:first-child,td:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}
figure{margin:0}figcaption{font-size:.85rem;color:#57606a}
svg text{font-size:11px;fill:#1b1f24}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(report: Report) -> str:
    """Return the report as a complete HTML document."""
    since = report.since[:10] if report.since else "the beginning"
    until = report.until[:10] if report.until else "now"
    title = f"Paved Road metrics from {since} to {until}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>{report.overall.friction.runs} run(s) over {report.overall.repositories} "
        "repositories.</p>",
        '<section class="charts">',
        _charts(report),
        "</section>",
        "<h2>Security outcomes</h2>",
        _outcomes(report.overall),
        "<h2>Friction per stage</h2>",
        _stages(report),
        "<h2>Per team</h2>",
        _groups(report.teams),
        f"<h2>Repositories (the {TOP_REPOSITORIES} with most open findings)</h2>",
        _groups(top(report.repositories)),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _charts(report: Report) -> str:
    days = [d.date for d in report.trend]
    trend = svg.lines(
        "Runs, blocks, fixes per day",
        days,
        {
            "runs": [d.runs for d in report.trend],
            "blocked": [d.blocked for d in report.trend],
            "introduced": [d.introduced for d in report.trend],
            "fixed": [d.fixed for d in report.trend],
        },
    )
    rates = svg.bars(
        "Block rate per stage (%)",
        [(stage, round((f.block_rate or 0) * 100, 1)) for stage, f in report.stages.items()],
    )
    fixes = svg.bars("Time to fix (fixed findings)", list(report.fix_histogram))
    return "\n".join(_figure(chart) for chart in (trend, rates, fixes))


def _figure(chart: tuple[str, str]) -> str:
    caption, body = chart
    return f"<figure>{body}<figcaption>{escape(caption)}</figcaption></figure>"


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _outcomes(fig: Figures) -> str:
    out, exc = fig.outcomes, fig.exceptions
    rows: list[Sequence[object]] = [
        *[(f"open: {k}", v) for k, v in out.open_by_severity.items()],
        *[(f"open in {k}", v) for k, v in out.open_by_layer.items()],
        ("introduced", out.introduced),
        ("fixed", out.fixed),
        ("time to fix", summary_text(out.time_to_fix_days, "d")),
        ("exceptions active / expired / renewed", f"{exc.active} / {exc.expired} / {exc.renewed}"),
        ("age of active exceptions", summary_text(exc.age_days, "d")),
        ("reactions +1 / -1 (comments)", _reactions(fig)),
    ]
    return _table(("measure", "value"), rows)


def _reactions(fig: Figures) -> str:
    sat = fig.satisfaction
    return f"{sat.up} / {sat.down} ({sat.comments})"


def _stages(report: Report) -> str:
    head = (
        "stage",
        "runs",
        "blocked",
        "block rate",
        "p50 s",
        "p95 s",
        "to green p50 h",
        "still red",
        "reruns/PR",
        "attempts/block",
    )
    rows = [
        (
            stage,
            f.runs,
            f.blocked,
            number(f.block_rate),
            number(f.duration_s.p50),
            number(f.duration_s.p95),
            number(f.time_to_green_h.p50),
            f.still_red,
            number(f.reruns_per_pr),
            number(f.attempts_per_block),
        )
        for stage, f in report.stages.items()
    ]
    return _table(head, rows)


def _groups(groups: Sequence[Figures]) -> str:
    head = (
        "name",
        "repos",
        "open",
        "critical",
        "high",
        "fixed",
        "ttf p90 d",
        "runs",
        "block rate",
        "+1",
        "-1",
    )
    rows = [
        (
            g.name,
            g.repositories,
            open_count(g),
            g.outcomes.open_by_severity["critical"],
            g.outcomes.open_by_severity["high"],
            g.outcomes.fixed,
            number(g.outcomes.time_to_fix_days.p90),
            g.friction.runs,
            number(g.friction.block_rate),
            g.satisfaction.up,
            g.satisfaction.down,
        )
        for g in groups
    ]
    return _table(head, rows)
