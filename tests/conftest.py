"""Shared fixtures: real databases (SQLite always, PostgreSQL when the server is there)."""

from __future__ import annotations

import importlib.util
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from assistant.search_service import SearchService
from index.encoders import E5BundledEncoder
from knowledge.migrate import upgrade_database
from knowledge.portal_import import import_aliases, import_portal_file
from tests.kb_subset import SUBSET_CODES, seed_records, write_jsonl

# The action tests need rasa-sdk, which lives in the Rasa environment: `make test-rasa` runs them there.
collect_ignore = [] if importlib.util.find_spec("rasa_sdk") else ["actions"]

POSTGRES_URL = os.environ.get(
    "ASSISTANT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REPO_ROOT = Path(__file__).resolve().parent.parent


def _postgres_reason() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # the reason is shown in the skip message
        return f"PostgreSQL not reachable at {POSTGRES_URL} ({type(exc).__name__}); set ASSISTANT_TEST_POSTGRES_URL"
    return None


_PG_SKIP_REASON = _postgres_reason()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database URL of each kind: a temporary SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    if _PG_SKIP_REASON:
        pytest.skip(_PG_SKIP_REASON)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(db_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return create_session_factory(engine)


@pytest.fixture(scope="session")
def e5_encoder() -> E5BundledEncoder:
    return E5BundledEncoder(num_threads=2)


@pytest.fixture(scope="session")
def kb_settings(tmp_path_factory: pytest.TempPathFactory, e5_encoder: E5BundledEncoder) -> Settings:
    """Settings of a real small knowledge base (SQLite) with a built index, shared by the API tests."""
    root = tmp_path_factory.mktemp("kb")
    settings = Settings(database_url=f"sqlite:///{root / 'kb.db'}", index_dir=root / "index",
                        rasa_url="http://127.0.0.1:9", action_server_url="http://127.0.0.1:9")
    engine = create_db_engine(settings.database_url)
    upgrade_database(engine)
    factory = create_session_factory(engine)
    import_portal_file(factory, write_jsonl(root / "subset.jsonl", seed_records(SUBSET_CODES)))
    import_aliases(factory, settings.aliases_file)  # as `assistant kb seed` does; unknown codes are skipped
    SearchService(settings, factory, encoder=e5_encoder).rebuild(progress=False)
    engine.dispose()
    return settings
