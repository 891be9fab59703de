"""Synthetic gate histories with fixed times, shared by the metrics tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from bench import metrics_synth as synth
from bench.metrics_synth import Spec

from pavedroad.metrics import ingest, store
from pavedroad.metrics.owners import Owners
from pavedroad.metrics.report import Report, build

DAY = dt.datetime(2026, 3, 1)
NOW = dt.datetime(2026, 3, 21)
F1, F2, F3 = Spec(1, "f1"), Spec(0, "f2"), Spec(4, "f3")  # critical Terraform, high K8s, secret


def at(day: int, hour: float = 2.0) -> dt.datetime:
    return DAY + dt.timedelta(days=day - 1, hours=hour)


def nightly_history(repo: str = "acme/a") -> list[dict[str, Any]]:
    """f1, f2 from the first night (baseline); f3 introduced on day 2; fixed on days 4, 5, 6."""
    nights = {1: [F1, F2], 2: [F1, F2, F3], 4: [F2, F3], 5: [F3], 6: []}
    return [synth.document(repo, "nightly", at(d), specs) for d, specs in nights.items()]


def pr_history(repo: str = "acme/a") -> list[dict[str, Any]]:
    """Two red streaks on `feat` (2 h and 15 min to green), one still red on `other`."""
    red = [Spec(1, "pr-red")]  # critical: blocks at the pr stage
    tried = [Spec(1, "pr-red", inline=True), Spec(3, "ok", excepted="EXC-9:2026-12-31")]
    runs = [
        ("feat", 7, "c1", at(3, 10), red),
        ("feat", 7, "c1", at(3, 10.5), tried),  # a rerun of c1, with a skip comment
        ("feat", 7, "c2", at(3, 12), []),
        ("other", 8, "c9", at(3, 9), red),
        ("feat", 7, "c3", at(3, 13), red),
        ("feat", 7, "c4", at(3, 13.25), []),
    ]
    return [
        synth.document(
            repo,
            "pr",
            when,
            specs,
            ref=ref,
            pull_request=pr,
            commit=commit,
            duration_s=10.0 + index,
        )
        for index, (ref, pr, commit, when, specs) in enumerate(runs)
    ]


def load(url: str, docs: list[dict[str, Any]]) -> sa.Engine:
    engine = store.open_store(url)
    batch = ingest.Batch()
    for doc in docs:
        ingest.add_report(batch, synth.dumps(doc), "synthetic")
    ingest.store(engine, batch)
    return engine


def report(engine: sa.Engine, since: int | None = None, until: int | None = None) -> Report:
    return build(
        engine,
        since=at(since, 0) if since else None,
        until=at(until + 1, 0) if until else None,
        owners=Owners((("payments", ("acme/a",)),)),
        now=NOW,
    )
