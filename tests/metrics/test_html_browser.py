"""The HTML report in a real headless Chromium: it renders, has its charts, logs no errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.metrics.histories import load, nightly_history, pr_history, report

from pavedroad.metrics.html import render_html

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_html_report_renders_offline_in_chromium(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (.ci/run installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    engine = load(f"sqlite:///{tmp_path / 'm.db'}", nightly_history() + pr_history())
    page_file = tmp_path / "metrics.html"
    page_file.write_text(render_html(report(engine)), encoding="utf-8")
    engine.dispose()
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri(), wait_until="load")
            title = page.title()
            charts = page.locator("svg")
            chart_count = charts.count()
            sizes = [charts.nth(i).bounding_box() for i in range(chart_count)]
            marks = page.locator("svg polyline, svg rect").count()
            heading = page.locator("h1").inner_text()
        finally:
            browser.close()
    assert title.startswith("Paved Road metrics")
    assert heading == title
    assert chart_count == 3
    assert all(box is not None and box["width"] > 100 and box["height"] > 100 for box in sizes)
    assert marks >= 4 + 2  # four trend lines, bars for the stages and the fix buckets
    assert errors == []
    assert requests == [page_file.as_uri()]  # nothing loaded besides the page itself
