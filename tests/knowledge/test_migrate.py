from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, Table, insert, inspect, select, text

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory, session_scope
from channels.models import ChannelDelivery
from knowledge import crud
from knowledge.migrate import alembic_config, upgrade_database
from knowledge.models import Base
from knowledge.portal_import import import_aliases, import_portal_file
from tests.kb_subset import seed_records, write_jsonl


def test_migrations_build_exactly_the_models_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_is_safe_to_run_twice(engine: Engine) -> None:
    upgrade_database(engine)
    assert {"procedures", "procedure_aliases", "procedure_revisions"} <= set(inspect(engine).get_table_names())


# --- upgrades of an existing database: from nothing, and from the previous release ("0002") ---

PREVIOUS_RELEASE = "0002"
# Tables and columns as the previous release created them; later revisions may add, never lose, data.
PREVIOUS_COLUMNS = {
    "procedures": ["id", "code", "name", "field", "levels", "ministry", "content", "raw", "review_flags",
                   "source_hash", "version", "created_at", "updated_at"],
    "procedure_aliases": ["id", "procedure_id", "text", "kind", "author", "created_at"],
    "procedure_revisions": ["id", "procedure_id", "number", "author", "reason", "changed_fields", "snapshot",
                            "created_at"],
    "channel_deliveries": ["id", "channel", "message_id", "conversation_id", "kind", "status", "attempts",
                           "last_error", "replies", "created_at", "updated_at"],
}


def _heads(engine: Engine) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def _current(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


@pytest.fixture(scope="module")
def real_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """Rows of real procedures (with their staff aliases and revisions) and a delivery, as the importer writes."""
    root = tmp_path_factory.mktemp("real-rows")
    engine = create_db_engine(f"sqlite:///{root / 'source.db'}")
    upgrade_database(engine)
    factory = create_session_factory(engine)
    import_portal_file(factory, write_jsonl(root / "p.jsonl", seed_records(["1.001193", "1.000894", "1.000656"])))
    import_aliases(factory, Settings().aliases_file)
    now = datetime.now(UTC)
    with session_scope(factory) as session:
        session.add(ChannelDelivery(channel="zalo", message_id="msg-1", conversation_id="zalo:77", kind="text",
                                    status="done", attempts=1, last_error="", replies=[{"text": "Chào bạn"}],
                                    created_at=now, updated_at=now))
    with engine.connect() as connection:
        rows = _read_previous_columns(connection)
    engine.dispose()
    assert rows["procedure_aliases"] and rows["procedure_revisions"]
    return rows


def _read_previous_columns(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """The previous release's columns of each table, typed by reflection (JSON comes back as JSON)."""
    metadata = MetaData()
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, columns in PREVIOUS_COLUMNS.items():
        reflected = Table(name, metadata, autoload_with=connection)
        result = connection.execute(select(*(reflected.c[c] for c in columns)).order_by(reflected.c.id))
        rows[name] = _comparable([dict(r._mapping) for r in result])
    return rows


def _insert_previous_release_rows(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    metadata = MetaData()
    with engine.begin() as connection:
        for table in PREVIOUS_COLUMNS:  # parents first
            reflected = Table(table, metadata, autoload_with=connection)
            connection.execute(insert(reflected), rows[table])


def test_upgrade_from_an_empty_database_reaches_every_head(db_url: str) -> None:
    engine = create_db_engine(db_url)
    assert _current(engine) == set()
    upgrade_database(engine)
    assert _current(engine) == _heads(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_upgrade_from_the_previous_release_keeps_its_data(
    db_url: str, real_rows: dict[str, list[dict[str, Any]]]
) -> None:
    engine = create_db_engine(db_url)
    try:
        upgrade_database(engine, PREVIOUS_RELEASE)
        assert _current(engine) == {PREVIOUS_RELEASE}
        _insert_previous_release_rows(engine, real_rows)

        upgrade_database(engine)

        assert _current(engine) == _heads(engine)
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            after = _read_previous_columns(connection)
        for table in PREVIOUS_COLUMNS:
            assert after[table] == real_rows[table], table
        with create_session_factory(engine)() as session:
            birth = crud.get_procedure(session, code="1.001193")
            assert birth.aliases and "khai sinh" in birth.name.lower()
            assert crud.count_procedures(session) == 3
    finally:
        engine.dispose()


def _comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Timestamps compared in UTC: SQLite hands them back naive, PostgreSQL aware."""
    def fix(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
        return value

    return sorted(({k: fix(v) for k, v in row.items()} for row in rows), key=lambda r: r["id"])


def test_the_history_has_one_head(engine: Engine) -> None:
    # Package branches off 0002 are merged by a merge revision; a second head means a branch was added after it.
    assert len(_heads(engine)) == 1, sorted(_heads(engine))


def test_deliveries_from_before_0008_keep_nothing_to_answer_again_and_0008_downgrades_cleanly(db_url: str) -> None:
    """A row left `received` by the release before 0008 has no kept message (NULL, not JSON null)."""
    engine = create_db_engine(db_url)
    try:
        upgrade_database(engine, "0007_merge")
        now = datetime.now(UTC)
        row = {"channel": "telegram", "message_id": "41", "conversation_id": "telegram:77", "kind": "text",
               "status": "received", "attempts": 0, "last_error": "", "replies": [], "created_at": now,
               "updated_at": now}
        with engine.begin() as connection:
            connection.execute(insert(Table("channel_deliveries", MetaData(), autoload_with=connection)), [row])
        upgrade_database(engine)
        with create_session_factory(engine)() as session:
            stored = session.scalar(select(ChannelDelivery))
            assert stored is not None and (stored.status, stored.pending) == ("received", None)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM channel_deliveries WHERE pending IS NULL")
                                      ).scalar() == 1
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0007_merge")
        assert "pending" not in {c["name"] for c in inspect(engine).get_columns("channel_deliveries")}
        with engine.connect() as connection:
            assert connection.execute(text("SELECT message_id FROM channel_deliveries")).scalars().all() == ["41"]
    finally:
        engine.dispose()
