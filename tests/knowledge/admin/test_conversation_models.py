from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from knowledge.admin import conversation_models
from knowledge.models import Base

TABLES = {"conversations", "conversation_messages", "question_log", "handover_threads", "handover_messages",
          "feedback_ratings", "outbox_messages"}


def test_migration_0006_creates_exactly_the_models_tables(engine: Engine) -> None:
    assert conversation_models.Conversation.__table__.metadata is Base.metadata
    assert TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": _ours})
        assert compare_metadata(context, Base.metadata) == []


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Compare only this migration's tables: other packages' branches are tested by their owners."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name in TABLES
