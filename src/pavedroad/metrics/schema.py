"""The metrics store's tables and their ordered migrations (SQLAlchemy Core).

Why not alembic: the store has a handful of tables that only grow; alembic would add a
migration-script folder, an env.py and an ini file to the package, and it would still have to be
driven programmatically on every `paved metrics` command. An ordered list of Python steps and a
`schema_version` table does the same in one module that ships with the code, and a test upgrades
an old store step by step. Each step runs in its own transaction (PostgreSQL's DDL is
transactional), under an advisory lock on PostgreSQL so two concurrent ingests migrate once.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

# One gate result. `id` is the SHA-256 of the report's canonical JSON: the same report twice is
# one row. Times are naive UTC.
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("repository", sa.String(300), nullable=False),
    sa.Column("commit", sa.String(64)),
    sa.Column("ref", sa.String(300)),
    sa.Column("stage", sa.String(100), nullable=False),
    sa.Column("scope", sa.String(20)),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("duration_s", sa.Float, nullable=False),
    sa.Column("blocked", sa.Boolean, nullable=False),
    sa.Column("provider", sa.String(20)),
    sa.Column("pipeline_run", sa.String(100)),
    sa.Column("event", sa.String(100)),
    sa.Column("pull_request", sa.Integer),
    sa.Column("files_scanned", sa.Integer, nullable=False),
    sa.Column("excepted", sa.Integer, nullable=False),
    sa.Column("inline_suppressed", sa.Integer, nullable=False),
    sa.Column("tool_versions", sa.Text, nullable=False),  # JSON object
    sa.Column("durations", sa.Text, nullable=False),  # JSON object: scanner -> seconds
    sa.Index("runs_repository_started", "repository", "started_at"),
    sa.Index("runs_started", "started_at"),
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("scanner", sa.String(50), nullable=False),
    sa.Column("rule_id", sa.String(200), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("layer", sa.String(20), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("verdict", sa.String(10), nullable=False),
    sa.Column("inline_suppressed", sa.Boolean, nullable=False),
)

# Added in version 2: the exceptions a run applied (active) or reported expired.
exceptions = sa.Table(
    "exceptions",
    metadata,
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("exception_id", sa.String(200), nullable=False),
    sa.Column("owner", sa.String(200)),
    sa.Column("state", sa.String(10), nullable=False),  # active | expired
    sa.Column("expires", sa.Date),
)

# Added in version 3: 👍/👎 on Paved Road's PR/MR comments, one row per comment (upserted).
reactions = sa.Table(
    "reactions",
    metadata,
    sa.Column("platform", sa.String(20), primary_key=True),
    sa.Column("repository", sa.String(300), primary_key=True),
    sa.Column("comment_id", sa.String(100), primary_key=True),
    sa.Column("pull_request", sa.Integer),
    sa.Column("created_at", sa.DateTime),
    sa.Column("up", sa.Integer, nullable=False),
    sa.Column("down", sa.Integer, nullable=False),
)


def _v1(conn: sa.Connection) -> None:
    for table in (runs, findings):
        table.create(conn)


def _v2(conn: sa.Connection) -> None:
    exceptions.create(conn)


def _v3(conn: sa.Connection) -> None:
    reactions.create(conn)


# Append only: a released step never changes (a store out there already ran it). Steps create
# tables from the definitions above, so a later step that adds a column to an existing table must
# ALTER it (and the earlier step must keep creating the earlier shape).
MIGRATIONS: tuple[Callable[[sa.Connection], None], ...] = (_v1, _v2, _v3)
LATEST = len(MIGRATIONS)
