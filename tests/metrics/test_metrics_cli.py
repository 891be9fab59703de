"""`paved metrics ingest` and `paved metrics report` through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bench import metrics_synth as synth
from tests.metrics.histories import nightly_history, pr_history
from typer.testing import CliRunner

from pavedroad.cli import app

RUNNER = CliRunner()
ENV = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1", "PAVED_NOW": "2026-03-21T00:00:00Z"}


def run(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args), env=ENV)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "results" / "acme-a"
    folder.mkdir(parents=True)
    for index, doc in enumerate(nightly_history() + pr_history()):
        (folder / f"gate-{index}.json").write_text(synth.dumps(doc), encoding="utf-8")
    return tmp_path / "results"


def test_ingest_a_folder_twice_counts_once(reports: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    code, out, _ = run("metrics", "ingest", str(reports), "--db", db)
    assert (code, out) == (0, "ingested 11 report(s); 0 already in the store\n")
    code, out, _ = run("metrics", "ingest", str(reports), "--db", db)
    assert (code, out) == (0, "ingested 0 report(s); 11 already in the store\n")


def test_ingest_reports_bad_files_loads_the_rest_and_exits_2(reports: Path, tmp_path: Path) -> None:
    bad = tmp_path / "old.json"
    doc = synth.document("acme/a", "pr", synth.dt.datetime(2026, 1, 1), [])
    del doc["started_at"]
    bad.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = run("metrics", "ingest", str(reports), str(bad), "--db", str(tmp_path / "m"))
    assert code == 2
    assert out.startswith("ingested 11 report(s)")
    assert f"error: {bad}: started_at: missing" in err
    assert "Traceback" not in err


def test_ingest_without_input_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("metrics", "ingest", "--db", str(tmp_path / "m.db"))
    assert code == 2
    assert "nothing to ingest" in err


def test_report_text_json_and_html(reports: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    owners = tmp_path / "owners.yaml"
    owners.write_text("teams:\n  payments: ['acme/*']\n", encoding="utf-8")
    assert run("metrics", "ingest", str(reports), "--db", db)[0] == 0
    code, out, _ = run("metrics", "report", "--db", db, "--owner-map", str(owners))
    assert code == 0
    assert out.startswith("Paved Road metrics from the beginning to now: 11 run(s), 1 repositories")
    assert "introduced 1, fixed 3; time to fix: mean 3.67 d, p90 4.0 d (n=3)" in out
    assert re.search(r"^  pr\s+6\s+4\s+0.667\s", out, re.M)
    assert re.search(r"^  payments\s+1\s+0\s", out, re.M)
    code, out, _ = run("metrics", "report", "--db", db, "--format", "json", "--since", "2026-03-03")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == "pavedroad/metrics/v1"
    assert (data["since"], data["until"]) == ("2026-03-03", None)
    assert data["overall"]["outcomes"]["fixed"] == 3
    assert data["stages"]["pr"]["time_to_green_h"]["count"] == 2
    page = tmp_path / "out" / "metrics.html"
    code, _, err = run("metrics", "report", "--db", db, "-f", "html", "-o", str(page))
    assert code == 0 and f"wrote {page}" in err
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 3
    assert "http://" not in html and "https://" not in html and "<script" not in html


def test_report_until_before_since_and_bad_dates_are_usage_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    code, _, err = run(
        "metrics", "report", "--db", db, "--since", "2026-02-01", "--until", "2026-01-01"
    )
    assert code == 2 and "before --since" in err
    code, _, err = run("metrics", "report", "--db", db, "--since", "yesterday")
    assert code == 2 and "--since 'yesterday': not a date; use YYYY-MM-DD" in err
    code, _, err = run("metrics", "report", "--db", db, "--format", "pdf")
    assert code == 2 and "--format pdf: unknown" in err


def test_bad_owner_map_names_file_and_field(tmp_path: Path) -> None:
    owners = tmp_path / "owners.yaml"
    owners.write_text("teams:\n  payments: acme/a\n", encoding="utf-8")
    code, _, err = run(
        "metrics", "report", "--db", str(tmp_path / "m.db"), "--owner-map", str(owners)
    )
    assert code == 2
    assert f"{owners}: teams.payments" in err


def test_unreachable_postgresql_is_exit_3_without_password(tmp_path: Path) -> None:
    url = "postgresql://paved:s3cret-pass@127.0.0.1:1/metrics"
    code, _, err = run("metrics", "report", "--db", url)
    assert code == 3
    assert "cannot open it" in err
    assert "s3cret-pass" not in err


def test_a_file_that_is_not_a_database_is_exit_3(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    db.write_bytes(b"not a database, just text " * 100)
    code, _, err = run("metrics", "report", "--db", str(db))
    assert code == 3
    assert err.startswith("error: metrics store: file is not a database")
    assert "Traceback" not in err


def test_window_is_whole_days_with_until_included(reports: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    assert run("metrics", "ingest", str(reports), "--db", db)[0] == 0
    code, out, _ = run(
        "metrics", "report", "--db", db, "--since", "2026-03-03", "--until", "2026-03-03"
    )
    assert code == 0
    assert out.startswith("Paved Road metrics from 2026-03-03 to 2026-03-03: 6 run(s)")  # the PRs
