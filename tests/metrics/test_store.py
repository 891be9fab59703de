"""The store on SQLite and a real PostgreSQL: migrations, idempotent ingest, bad input."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from bench import metrics_synth as synth

from pavedroad.errors import ConfigError
from pavedroad.metrics import ingest, schema, store

T0 = dt.datetime(2026, 3, 1, 2, 0)


def write_reports(folder: Path, docs: list[dict[str, object]]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, doc in enumerate(docs):
        path = folder / f"{index:05d}.json"
        path.write_text(synth.dumps(doc), encoding="utf-8")
        paths.append(path)
    return paths


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_ingest_is_idempotent_on_both_backends(db_url: str, tmp_path: Path) -> None:
    docs = list(synth.fleet(5, nights=2, prs=1))
    paths = write_reports(tmp_path / "r", docs)
    engine = store.open_store(db_url)
    first = ingest.store(engine, ingest.read_reports(paths))
    assert (first.added, first.already, first.problems) == (len(docs), 0, ())
    findings = count(engine, schema.findings)
    assert findings == sum(len(d["findings"]) for d in docs)
    # The same reports again, one re-indented (same content, other bytes): nothing is added.
    paths[0].write_text(json.dumps(json.loads(paths[0].read_text()), indent=4), encoding="utf-8")
    again = ingest.store(engine, ingest.read_reports(paths))
    assert (again.added, again.already) == (0, len(docs))
    assert count(engine, schema.runs) == len(docs)
    assert count(engine, schema.findings) == findings
    engine.dispose()


def test_a_batch_holding_one_report_twice_stores_it_once(db_url: str, tmp_path: Path) -> None:
    doc = synth.document("acme/a", "pr", T0, [synth.Spec(0, "x")])
    paths = write_reports(tmp_path / "a", [doc]) + write_reports(tmp_path / "b", [doc])
    engine = store.open_store(db_url)
    done = ingest.store(engine, ingest.read_reports(paths))
    assert (done.added, done.already) == (1, 1)
    assert count(engine, schema.findings) == 1
    engine.dispose()


def test_migrations_upgrade_an_older_store_and_keep_its_rows(db_url: str, tmp_path: Path) -> None:
    engine = store.open_store(db_url, upgrade=False)
    assert store.version(engine) == 0
    assert store.migrate(engine, target=1) == 1
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {"runs", "findings"} <= tables and "reactions" not in tables
    # A version-1 store only has runs and findings: ingest what it can hold by hand.
    batch = ingest.Batch()
    ingest.add_report(batch, synth.dumps(synth.document("acme/old", "nightly", T0, [])), "old")
    with engine.begin() as conn:
        conn.execute(schema.runs.insert(), batch.runs)
    assert store.migrate(engine) == schema.LATEST
    assert store.version(engine) == schema.LATEST
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        kept = conn.execute(sa.select(schema.runs.c.repository)).scalars().all()
    assert {"exceptions", "reactions", "schema_version"} <= tables
    assert kept == ["acme/old"]
    assert store.migrate(engine) == schema.LATEST  # nothing left to do
    engine.dispose()


def test_a_store_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    engine = store.open_store(url)
    with engine.begin() as conn:
        conn.execute(schema.schema_version.update().values(version=schema.LATEST + 1))
    with pytest.raises(ConfigError, match="newer than this Paved Road knows"):
        store.migrate(engine)
    engine.dispose()


def test_reports_that_are_not_records_are_problems_and_the_rest_loads(tmp_path: Path) -> None:
    good = write_reports(tmp_path / "r", [synth.document("acme/a", "pr", T0, [])])
    bare = tmp_path / "bare.json"
    doc = synth.document("acme/a", "pr", T0, [])
    del doc["started_at"]
    bare.write_text(json.dumps(doc), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    batch = ingest.read_reports([*good, bare, broken])
    assert len(batch.runs) == 1
    assert any("bare.json: started_at: missing" in p for p in batch.problems)
    assert any("broken.json: not JSON" in p for p in batch.problems)


@pytest.mark.parametrize(
    ("scanner", "path", "layer"),
    [
        ("hadolint", "svc/Dockerfile", "Dockerfile"),
        ("checkov", "images/api.Dockerfile", "Dockerfile"),
        ("checkov", "infra/main.tf", "Terraform"),
        ("checkov", "deploy/k8s/deployment.yaml", "Kubernetes"),
        ("checkov", ".github/workflows/ci.yml", "pipeline"),
        ("checkov", ".gitlab-ci.yml", "pipeline"),
        ("secrets", "config.py", "secrets"),
        ("paved", "README.md", "other"),
    ],
)
def test_layer_comes_from_scanner_and_path(scanner: str, path: str, layer: str) -> None:
    assert ingest.layer(scanner, path) == layer


def test_default_store_is_a_sqlite_file_in_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(store.DB_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert store.default_url() == f"sqlite:///{tmp_path / 'data' / 'pavedroad' / 'metrics.db'}"
    monkeypatch.setenv(store.DB_ENV, "postgresql://u@db/metrics")
    assert store.resolve(None) == "postgresql://u@db/metrics"
    assert store.resolve("x.db").endswith("/x.db")


def test_unsupported_database_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="'mysql' is not supported"):
        store.open_store("mysql://u@h/db")


def test_ingest_takes_thousands_of_reports_per_second(tmp_path: Path) -> None:
    """A loose floor (bench/metrics_bench.py measures it properly): 1,500 reports, one batch."""
    batch = ingest.Batch()
    for doc in synth.fleet(500, nights=3, prs=0):
        ingest.add_report(batch, synth.dumps(doc), "synthetic")
    engine = store.open_store(f"sqlite:///{tmp_path / 'fast.db'}")
    started = time.perf_counter()
    done = ingest.store(engine, batch)
    elapsed = time.perf_counter() - started
    assert done.added == 1500
    # ~4,500/s measured on 2 busy cores; row-by-row writes would be far below this floor
    assert done.added / elapsed > 500, f"{done.added / elapsed:.0f} reports/s"
    engine.dispose()
