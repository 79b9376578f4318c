from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from assistant.main import create_app
from assistant.search_service import SearchService
from index.encoders import E5BundledEncoder
from knowledge.migrate import upgrade_database
from knowledge.portal_import import import_portal_file
from tests.kb_subset import SUBSET_CODES, seed_records, write_jsonl


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
    SearchService(settings, factory, encoder=e5_encoder).rebuild(progress=False)
    engine.dispose()
    return settings


@pytest.fixture
def client(kb_settings: Settings, e5_encoder: E5BundledEncoder) -> Iterator[TestClient]:
    engine = create_db_engine(kb_settings.database_url)
    service = SearchService(kb_settings, create_session_factory(engine), encoder=e5_encoder)
    service.load()
    with TestClient(create_app(kb_settings, search=service)) as test_client:
        yield test_client
    engine.dispose()


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", index_dir=tmp_path / "index")
