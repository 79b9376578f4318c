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
