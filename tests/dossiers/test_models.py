from __future__ import annotations

from sqlalchemy import Engine, inspect


def test_migration_0003_creates_the_dossier_tables(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"dossiers", "dossier_status_events", "dossier_verifiers", "dossier_subscriptions",
            "dossier_notifications"} <= tables
    columns = {c["name"] for c in inspect(engine).get_columns("dossier_verifiers")}
    assert columns == {"id", "dossier_id", "digest"}  # digests only: no phone or ID column exists
