from __future__ import annotations

from sqlalchemy import Engine, inspect


def test_migration_0005_creates_the_console_tables(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"staff_accounts", "staff_sessions", "procedure_drafts"} <= tables
    columns = {c["name"] for c in inspect(engine).get_columns("staff_sessions")}
    assert {"token_hash", "csrf_token", "last_seen_at", "expires_at"} <= columns
