"""Backup and restore of the app's database: what must never be lost (the index is rebuilt from it).

SQLite uses the online backup API, so a backup taken while the app serves is consistent. PostgreSQL uses
`pg_dump --format=custom` (compressed, restorable table by table) and `pg_restore`. A restore goes into a
fresh database only: merging a backup into live data would silently mix two histories.

Rasa's conversation trackers live in their own database (`rasa` in docker-compose); back it up the same
way with `pg_dump` if conversations in progress must survive a disaster.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

logger = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    dialect: str
    size_bytes: int


def backup(database_url: str, path: Path) -> BackupResult:
    """Write a consistent copy of the database at `database_url` to `path` (replaced if it exists)."""
    url = make_url(database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_file(url), path)
    elif url.get_backend_name() == "postgresql":
        _pg_dump(url, path)
    else:
        raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported; use SQLite or "
                          "PostgreSQL.")
    result = BackupResult(path=path, dialect=url.get_backend_name(), size_bytes=path.stat().st_size)
    logger.info("backup: %s database written to %s (%d bytes)", result.dialect, path, result.size_bytes)
    return result


def restore(database_url: str, path: Path) -> None:
    """Load the backup at `path` into the empty database at `database_url`."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    url = make_url(database_url)
    _require_empty(database_url)
    header = path.read_bytes()[:16]
    if url.get_backend_name() == "sqlite":
        if not header.startswith(SQLITE_HEADER):
            raise BackupError(f"{path} is not a SQLite backup; restore it into a PostgreSQL database instead.")
        _sqlite_backup(path, _sqlite_file(url))
    elif url.get_backend_name() == "postgresql":
        if not header.startswith(PG_CUSTOM_HEADER):
            raise BackupError(f"{path} is not a pg_dump custom-format backup; restore it into SQLite instead.")
        _pg_restore(url, path)
    else:
        raise BackupError(f"Restoring into {url.get_backend_name()} databases is not supported.")
    logger.info("restore: %s loaded into the %s database", path, url.get_backend_name())


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored; use a file.")
    return Path(url.database)


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source}.")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _require_empty(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return
    engine = create_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(f"The target database already has {len(tables)} tables ({', '.join(sorted(tables)[:3])}, "
                          "...); restore into a fresh, empty database.")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools "
                          "(e.g. apt-get install postgresql-client) in the same major version as the server.")
    return found


def _pg_args(url: URL) -> tuple[list[str], dict[str, str], str | None]:
    """Connection arguments for the PostgreSQL tools, the password as PGPASSWORD, and the search_path schema."""
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    schema = None
    options = url.query.get("options", ())
    for option in [options] if isinstance(options, str) else options:
        for part in option.split():
            if part.startswith("-csearch_path="):
                schema = part.split("=", 1)[1].split(",")[0]
    return args, env, schema


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    completed = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise BackupError(f"{what} failed (exit {completed.returncode}): {completed.stderr.strip()[:500]}")


def _pg_dump(url: URL, path: Path) -> None:
    args, env, schema = _pg_args(url)
    argv = [_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges", "--file", str(path)]
    if schema:
        argv += ["--schema", schema]
    _run([*argv, str(url.database)], env, "pg_dump")


def _pg_restore(url: URL, path: Path) -> None:
    args, env, _ = _pg_args(url)
    argv = [_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
            "--dbname", str(url.database), str(path)]
    _run(argv, env, "pg_restore")
