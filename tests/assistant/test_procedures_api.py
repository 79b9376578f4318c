from __future__ import annotations

from fastapi.testclient import TestClient


def test_search_finds_birth_registration_typed_without_diacritics(client: TestClient) -> None:
    response = client.get("/api/procedures/search", params={"q": "lam giay khai sinh cho con", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["hits"][0]["code"] == "1.001193"
    assert len(body["hits"]) == 3
    assert 0.0 <= body["confidence"] <= 1.0
    assert body["hits"][0]["levels"] == ["Cấp xã"]
    scores = [hit["score"] for hit in body["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_search_backends_can_be_chosen(client: TestClient) -> None:
    for backend in ("bm25", "dense", "hybrid"):
        body = client.get("/api/procedures/search", params={"q": "đăng ký kết hôn", "backend": backend}).json()
        assert body["backend"] == backend
        assert body["hits"][0]["code"] == "1.000894"


def test_empty_query_is_a_clear_422(client: TestClient) -> None:
    for params in ({"q": ""}, {"q": "   "}, {}):
        response = client.get("/api/procedures/search", params=params)
        assert response.status_code == 422
        assert "empty" in response.json()["detail"]


def test_overlong_query_is_refused_with_the_limit(client: TestClient) -> None:
    response = client.get("/api/procedures/search", params={"q": "khai sinh " * 200})
    assert response.status_code == 422
    assert "at most 500" in response.json()["detail"]


def test_k_out_of_range_is_refused(client: TestClient) -> None:
    assert client.get("/api/procedures/search", params={"q": "khai sinh", "k": 0}).status_code == 422
    response = client.get("/api/procedures/search", params={"q": "khai sinh", "k": 500})
    assert response.status_code == 422
    assert "at most 20" in response.json()["detail"]


def test_procedure_record_is_structured_and_citizen_facing(client: TestClient) -> None:
    response = client.get("/api/procedures/1.001193")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Thủ tục đăng ký khai sinh"
    kinds = {channel["kind"] for channel in body["channels"]}
    assert kinds == {"online", "post", "in_person"}
    assert all(channel["free"] for channel in body["channels"])
    assert body["documents"] and body["source_url"].startswith("https://dichvucong.gov.vn/")
    assert "raw" not in body and "raw_text" not in str(body)


def test_unknown_and_malformed_codes_are_404_and_422(client: TestClient) -> None:
    missing = client.get("/api/procedures/9.999999")
    assert missing.status_code == 404
    assert "9.999999" in missing.json()["detail"]
    assert client.get("/api/procedures/" + "1" * 40).status_code == 422
    assert client.get("/api/procedures/abc%20def").status_code == 422


def test_answer_endpoint_renders_the_fee_of_the_procedure(client: TestClient) -> None:
    response = client.get("/api/procedures/1.001193/answer", params={"topic": "fee"})
    assert response.status_code == 200
    text = " ".join(message["text"] for message in response.json()["messages"])
    assert "Miễn phí" in text or "miễn phí" in text
    assert client.get("/api/procedures/1.001193/answer", params={"topic": "weather"}).status_code == 422
    assert client.get("/api/procedures/9.999999/answer").status_code == 404


def test_health_is_ready_with_database_and_index_and_reports_rasa(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == "ok" and checks["index"] == "ok"
    assert checks["rasa"].startswith("down")
