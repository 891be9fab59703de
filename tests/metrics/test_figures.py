"""Time to fix, time to green and the other figures, on synthetic histories with fixed times."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench import metrics_synth as synth
from bench.metrics_synth import Spec
from tests.metrics.histories import NOW, at, load, nightly_history, pr_history, report

from pavedroad.metrics.owners import UNOWNED
from pavedroad.metrics.stats import percentile, summarise


def test_time_to_fix_on_full_scope_runs(db_url: str) -> None:
    engine = load(db_url, nightly_history() + pr_history())
    out = report(engine).overall.outcomes
    assert (out.introduced, out.fixed) == (1, 3)  # the first night is the baseline
    ttf = out.time_to_fix_days
    assert ttf.count == 3
    assert ttf.mean == pytest.approx((3 + 4 + 4) / 3, abs=0.01)
    assert ttf.p90 == 4.0
    assert sum(out.open_by_severity.values()) == 0  # the last night found nothing
    engine.dispose()


def test_window_counts_fixes_inside_it_but_measures_from_first_seen(tmp_path: Path) -> None:
    engine = load(f"sqlite:///{tmp_path / 'm.db'}", nightly_history())
    early = report(engine, until=4).overall.outcomes  # nights 1, 2 and 4
    assert (early.introduced, early.fixed) == (1, 1)
    assert early.time_to_fix_days.mean == 3.0  # f1: night 1 -> night 4
    assert early.open_by_severity == {"critical": 1, "high": 1, "medium": 0, "low": 0, "info": 0}
    assert early.open_by_layer["Kubernetes"] == 1 and early.open_by_layer["secrets"] == 1
    late = report(engine, since=5).overall.outcomes
    assert (late.introduced, late.fixed) == (0, 2)
    assert late.time_to_fix_days.mean == 4.0  # f2 and f3 both took four days
    engine.dispose()


def test_time_to_green_reruns_and_attempts_per_stage(db_url: str) -> None:
    engine = load(db_url, nightly_history() + pr_history())
    result = report(engine)
    pr = result.stages["pr"]
    assert (pr.runs, pr.blocked, pr.block_rate) == (6, 4, 0.667)  # the skip comment blocks too
    assert pr.time_to_green_h.count == 2
    assert pr.time_to_green_h.mean == pytest.approx((2.0 + 0.25) / 2, abs=0.01)
    assert pr.still_red == 1
    assert (pr.pull_requests, pr.reruns_per_pr) == (2, 0.5)
    assert pr.attempts_per_block == 0.5  # one skip comment, one excepted finding; 4 blocks
    assert pr.duration_s.p50 == 12.5  # 10..15 s
    assert result.stages["nightly"].block_rate == 0
    engine.dispose()


def test_blocked_then_green_on_another_branch_is_not_green(tmp_path: Path) -> None:
    docs = [
        synth.document("acme/b", "pr", at(1, 9), [Spec(1, "x")], ref="one", pull_request=1),
        synth.document("acme/b", "pr", at(1, 10), [], ref="two", pull_request=2),
    ]
    engine = load(f"sqlite:///{tmp_path / 'm.db'}", docs)
    pr = report(engine).stages["pr"]
    assert (pr.time_to_green_h.count, pr.still_red) == (0, 1)
    engine.dispose()


def test_exceptions_active_expired_renewed_and_age(tmp_path: Path) -> None:
    expired_note = (
        "expired: exception EXC-2 (owner @ops) expired on 2026-03-02; its findings are "
        "gated again. Renew it or fix them"
    )
    docs = [
        synth.document("acme/c", "nightly", at(1), [Spec(3, "a", excepted="EXC-1:2026-03-10")]),
        synth.document(
            "acme/c",
            "nightly",
            at(5),
            [Spec(3, "a", excepted="EXC-1:2026-04-10")],
            notes=[expired_note],
        ),
    ]
    engine = load(f"sqlite:///{tmp_path / 'm.db'}", docs)
    exc = report(engine).overall.exceptions
    assert (exc.active, exc.expired, exc.renewed) == (1, 1, 1)
    assert exc.age_days.mean == pytest.approx((NOW - at(1)).total_seconds() / 86400, abs=0.01)
    engine.dispose()


def test_teams_and_repositories_are_grouped_by_the_owner_map(tmp_path: Path) -> None:
    docs = nightly_history("acme/a") + nightly_history("acme/z")
    engine = load(f"sqlite:///{tmp_path / 'm.db'}", docs)
    result = report(engine)
    assert [t.name for t in result.teams] == [UNOWNED, "payments"]
    assert [r.name for r in result.repositories] == ["acme/a", "acme/z"]
    assert result.teams[1].outcomes.fixed == 3 and result.overall.outcomes.fixed == 6
    assert dict(result.fix_histogram)["3-7 d"] == 6
    assert [d.fixed for d in result.trend if d.fixed] == [2, 2, 2]
    engine.dispose()


def test_percentiles_interpolate() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0], 90) == 5.0
    assert summarise([]).mean is None
    assert summarise([1, 2, 3, 4, 100]).p90 == pytest.approx(61.6)
