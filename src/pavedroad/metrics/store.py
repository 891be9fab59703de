"""Open the metrics store (SQLite by default, PostgreSQL for an organisation), migrated."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs
import sqlalchemy as sa

from pavedroad.errors import ConfigError, ServiceError
from pavedroad.metrics.schema import LATEST, MIGRATIONS, schema_version

DB_ENV = "PAVED_METRICS_DB"
_LOCK_KEY = 0x70617665  # PostgreSQL advisory lock: one migrating ingest at a time
_SCHEMES = ("sqlite", "postgresql")


def default_url() -> str:
    """Return the store named by PAVED_METRICS_DB, else a SQLite file in the user data folder."""
    named = os.environ.get(DB_ENV, "").strip()
    if named:
        return named
    folder = Path(platformdirs.user_data_dir("pavedroad"))
    return f"sqlite:///{(folder / 'metrics.db').as_posix()}"


def resolve(db: str | None) -> str:
    """Turn --db (a URL or a file path; None: the default) into a SQLAlchemy URL."""
    if not db:
        return default_url()
    if "://" not in db:
        return f"sqlite:///{Path(db).expanduser().resolve().as_posix()}"
    return db


def open_store(db: str | None = None, *, upgrade: bool = True) -> sa.Engine:
    """Return an engine on the store, created and migrated to the latest schema."""
    url = _checked(resolve(db))
    if url.drivername == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, future=True)
    if upgrade:
        migrate(engine)
    return engine


def _checked(text: str) -> sa.URL:
    try:
        url = sa.make_url(text)
    except sa.exc.ArgumentError:
        raise ConfigError(
            f"--db / {DB_ENV}: not a database URL; use a file path, sqlite:///FILE or "
            "postgresql://USER@HOST/DB"
        ) from None
    if url.get_backend_name() not in _SCHEMES:
        raise ConfigError(
            f"--db / {DB_ENV}: {url.get_backend_name()!r} is not supported; "
            "use sqlite:///FILE or postgresql://USER@HOST/DB"
        )
    if url.drivername == "postgresql":  # psycopg 3, the driver Paved Road installs
        url = url.set(drivername="postgresql+psycopg")
    return url


@contextmanager
def guarded() -> Iterator[None]:
    """Turn a database failure while reading or writing the store into a ServiceError (exit 3)."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        raise ServiceError(
            f"metrics store: {_reason(exc)}; nothing was written by this command, run it again"
        ) from None


def version(engine: sa.Engine) -> int:
    """Return the store's schema version (0: empty)."""
    with engine.connect() as conn:
        return _version(conn)


def migrate(engine: sa.Engine, target: int = LATEST) -> int:
    """Apply every migration step above the store's version up to target; return the version."""
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
            return _upgrade(conn, target)
    except sa.exc.OperationalError as exc:
        raise ServiceError(
            f"metrics store {_safe(engine)}: cannot open it: {_reason(exc)}"
        ) from None


def _upgrade(conn: sa.Connection, target: int) -> int:
    if not sa.inspect(conn).has_table(schema_version.name):
        schema_version.create(conn)
        conn.execute(schema_version.insert().values(version=0))
    current = _version(conn)
    if current > LATEST:
        raise ConfigError(
            f"metrics store: schema version {current} is newer than this Paved Road knows "
            f"({LATEST}); upgrade Paved Road"
        )
    for step in range(current, min(target, LATEST)):
        MIGRATIONS[step](conn)
        conn.execute(schema_version.update().values(version=step + 1))
    return max(current, min(target, LATEST))


def _version(conn: sa.Connection) -> int:
    if not sa.inspect(conn).has_table(schema_version.name):
        return 0
    found = conn.execute(sa.select(schema_version.c.version)).scalar()
    return int(found or 0)


def _safe(engine: sa.Engine) -> str:
    """Name the store without its password."""
    return engine.url.render_as_string(hide_password=True)


def _reason(exc: sa.exc.DBAPIError) -> str:
    lines = str(exc.orig).strip().splitlines()
    return lines[0] if lines else "unknown error"
