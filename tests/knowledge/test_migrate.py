from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from knowledge.migrate import upgrade_database
from knowledge.models import Base


def test_migrations_build_exactly_the_models_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_is_safe_to_run_twice(engine: Engine) -> None:
    upgrade_database(engine)
    assert {"procedures", "procedure_aliases", "procedure_revisions"} <= set(inspect(engine).get_table_names())
