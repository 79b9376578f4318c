from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from assistant.main import create_app
from assistant.search_service import SearchService
from index.encoders import E5BundledEncoder


def test_health_is_503_until_the_index_is_loaded(tmp_settings: Settings, e5_encoder: E5BundledEncoder) -> None:
    engine = create_db_engine(tmp_settings.database_url)
    service = SearchService(tmp_settings, create_session_factory(engine), encoder=e5_encoder)
    with TestClient(create_app(tmp_settings, search=service)) as client:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["checks"]["database"] == "ok"
        assert response.json()["checks"]["index"] == "not loaded"
        search = client.get("/api/procedures/search", params={"q": "khai sinh"})
        assert search.status_code == 503
        assert "not ready" in search.json()["detail"]
    engine.dispose()
