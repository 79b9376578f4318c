"""Alembic environment: the URL comes from the caller (`assistant db upgrade`), never from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

import channels.models  # noqa: F401  (registers the channel tables on the shared metadata)
import communes.models  # noqa: F401  (service-center directory)
import dossiers.models  # noqa: F401  (dossier status, history, verifiers, subscriptions, notifications)
import knowledge.admin.conversation_models  # noqa: F401  (conversations, questions, handover)
import knowledge.admin.models  # noqa: F401  (staff accounts, sessions, drafts)
from knowledge.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection: Connection) -> None:
    # Batch mode lets later migrations alter tables on SQLite, which has no ALTER COLUMN.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
