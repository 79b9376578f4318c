"""Database engine and sessions, built from settings and handed down (never created at import time)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Row ids are `integer` columns (32-bit on PostgreSQL): ids taken from a URL are bounded by this, so a
# larger one is a validation error rather than an overflow inside the query.
MAX_ROW_ID = 2**31 - 1


def create_db_engine(database_url: str, *, busy_timeout_s: float = 30.0) -> Engine:
    """An engine for SQLite (the embedded default) or PostgreSQL.

    SQLite gets WAL and a busy timeout so that the CLI importing while the app serves does not fail with
    "database is locked", and foreign keys on so revisions cannot point at nothing. The app passes a
    shorter `busy_timeout_s` than the CLI: a web request had better fail clearly than hang.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_s})
        busy_ms = int(busy_timeout_s * 1000)
        event.listen(engine, "connect", lambda connection, record: _sqlite_pragmas(connection, record, busy_ms))
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_ms: int = 30000) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cursor.close()


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed whole or rolled back whole, so nothing is half-written."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def rows_changed(result: Any) -> int:
    """Rows an UPDATE matched: how a guarded update (compare-and-set on a row) tells whether it won."""
    return int(getattr(result, "rowcount", 0) or 0)
