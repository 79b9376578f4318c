from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from assistant.main import create_app
from assistant.search_service import SearchService
from index.encoders import E5BundledEncoder
from tests import chat_ids


def _samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {tuple(sorted(s.labels.items())): s.value for family in text_string_to_metric_families(text)
            for s in family.samples if s.name == name}


def test_requests_latency_search_confidence_and_rasa_errors_are_exposed(client: TestClient) -> None:
    client.get("/api/procedures/search", params={"q": "đăng ký khai sinh"})
    client.post("/api/chat", json={"sender_id": chat_ids.signed("metrics-1"), "text": "khai sinh"})  # Rasa is down here
    client.get("/api/procedures/search", params={"q": "khai sinh"}, headers={"X-Assistant-Caller": "actions"})
    body = client.get("/metrics").text
    requests = _samples(body, "assistant_http_requests_total")
    search_key = (("channel", "none"), ("method", "GET"), ("route", "/api/procedures/search"), ("status", "200"))
    assert requests[search_key] >= 2
    chat_key = (("channel", "api"), ("method", "POST"), ("route", "/api/chat"), ("status", "503"))
    assert requests[chat_key] >= 1
    assert not any(dict(k).get("route") == "/metrics" for k in requests)
    assert _samples(body, "assistant_search_confidence_count")[()] >= 2
    rasa = _samples(body, "assistant_rasa_roundtrip_seconds_count")
    assert rasa[(("channel", "api"), ("outcome", "unavailable"))] >= 1
    assert _samples(body, "assistant_errors_total")[(("kind", "rasa_unavailable"),)] >= 1
    assert _samples(body, "assistant_action_api_seconds_count")[(("route", "/api/procedures/search"),)] >= 1
    latency = _samples(body, "assistant_http_request_seconds_bucket")
    assert any(dict(k).get("route") == "/api/chat" for k in latency)


def test_unknown_paths_get_one_label_not_one_per_path(client: TestClient) -> None:
    client.get("/no/such/page/123")
    client.get("/no/such/page/456")
    requests = _samples(client.get("/metrics").text, "assistant_http_requests_total")
    assert not any("123" in dict(k)["route"] for k in requests)
    assert any(dict(k)["route"] == "unmatched" for k in requests)


@pytest.fixture
def token_client(kb_settings: Settings, e5_encoder: E5BundledEncoder) -> Iterator[TestClient]:
    settings = kb_settings.model_copy(update={"metrics_token": SecretStr("s3cret-scrape")})
    engine = create_db_engine(settings.database_url)
    service = SearchService(settings, create_session_factory(engine), encoder=e5_encoder)
    with TestClient(create_app(settings, search=service)) as test_client:
        yield test_client
    engine.dispose()


def test_metrics_token_is_required_when_set(token_client: TestClient) -> None:
    assert token_client.get("/metrics").status_code == 401
    assert token_client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = token_client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
    assert ok.status_code == 200 and "assistant_http_requests_total" in ok.text
