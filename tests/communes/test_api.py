"""`GET /api/communes/resolve` (contract #7) and `GET /api/service-centers` over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory, session_scope
from assistant.main import create_app
from assistant.search_service import SearchService
from communes.directory import seed_sample_centers
from communes.resolver import AdminUnitsResolver
from knowledge.crud import upsert_imported
from knowledge.migrate import upgrade_database
from knowledge.schemas import ChannelKind, SubmissionChannel
from tests.factories import procedure_data

COMMUNE_LEVEL = "1.001193"
PROVINCE_LEVEL = "2.000001"


@pytest.fixture
def client(db_url: str, tmp_path: Path, resolver: AdminUnitsResolver) -> Iterator[TestClient]:
    settings = Settings(database_url=db_url, index_dir=tmp_path / "index", rasa_url="http://127.0.0.1:9")
    engine = create_db_engine(db_url)
    upgrade_database(engine)
    with session_scope(create_session_factory(engine)) as session:
        upsert_imported(session, data=procedure_data(COMMUNE_LEVEL))
        upsert_imported(session, data=procedure_data(
            PROVINCE_LEVEL, name="Cấp giấy phép kinh doanh karaoke", levels=["Cấp tỉnh"],
            channels=[SubmissionChannel(kind=ChannelKind.IN_PERSON), SubmissionChannel(kind=ChannelKind.POST)]))
        seed_sample_centers(session, resolver)
    engine.dispose()
    with TestClient(create_app(settings, search=SearchService(settings, sessionmaker()))) as test_client:
        yield test_client


def _resolve(client: TestClient, **params: str) -> dict:
    response = client.get("/api/communes/resolve", params=params)
    assert response.status_code == 200, response.text
    body: dict = response.json()
    assert set(body) == {"status", "query", "candidates", "filing", "text", "choices"}
    return body


def test_resolved_old_address_with_center_and_sample_notice(client: TestClient) -> None:
    body = _resolve(client, address="tôi ở xã Yên Thịnh, huyện Yên Mô cũ thì giờ nộp hồ sơ ở đâu?")
    assert body["status"] == "resolved" and body["choices"] == [] and body["filing"] is None
    (candidate,) = body["candidates"]
    assert (candidate["id"], candidate["name"], candidate["province"]) == ("14701", "Xã Yên Mô", "Tỉnh Ninh Bình")
    assert "Thị trấn Yên Thịnh, Huyện Yên Mô, Tỉnh Ninh Bình" in candidate["old_units"]
    center = candidate["service_center"]
    assert center["sample_data"] is True and center["commune_code"] == "14701"
    text = body["text"]
    assert "Xã Yên Mô, Tỉnh Ninh Bình" in text and "Thị trấn Yên Thịnh" in text
    assert "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00; Thứ Bảy: 07:30–11:30" in text
    assert "DỮ LIỆU MẪU" in text


def test_filing_commune_level_procedure_at_the_commune_center(client: TestClient) -> None:
    body = _resolve(client, address="xa tung ba huyen vi xuyen ha giang", procedure=COMMUNE_LEVEL)
    filing = body["filing"]
    assert (filing["level"], filing["where"], filing["at_commune_center"], filing["online"]) == (
        "commune", "commune_center", True, True)
    assert filing["service_center"]["commune_code"] == "00925"
    assert "dichvucong.gov.vn" in body["text"] and "VNeID" in body["text"]
    assert "Trung tâm Phục vụ hành chính công Xã Tùng Bá" in body["text"]


def test_filing_province_level_procedure_at_the_province_center(client: TestClient) -> None:
    body = _resolve(client, address="xã Tùng Bá, Tuyên Quang", procedure=PROVINCE_LEVEL)
    filing = body["filing"]
    assert (filing["level"], filing["where"], filing["at_commune_center"], filing["online"]) == (
        "province", "province_center", False, False)
    assert filing["service_center"]["level"] == "province"
    assert "Trung tâm Phục vụ hành chính công Tỉnh Tuyên Quang" in body["text"]
    assert "chưa nộp trực tuyến" in body["text"]


def test_unknown_procedure_code_is_said(client: TestClient) -> None:
    body = _resolve(client, address="xã Tùng Bá, Tuyên Quang", procedure="9.999999")
    assert body["filing"]["where"] == "unknown_procedure" and "9.999999" in body["text"]


def test_ambiguous_gives_choices_that_resolve(client: TestClient) -> None:
    body = _resolve(client, address="Yên Thịnh")
    assert body["status"] == "ambiguous" and len(body["choices"]) == len(body["candidates"]) >= 3
    for choice in body["choices"]:
        assert choice["title"] in body["text"]
        again = _resolve(client, address=choice["address"])
        assert again["status"] == "resolved"


def test_unknown_gives_an_example(client: TestClient) -> None:
    body = _resolve(client, address="làm sao để đăng ký khai sinh")
    assert body["status"] == "unknown" and body["candidates"] == [] and "Ví dụ" in body["text"]


@pytest.mark.parametrize("address", ["", "   ", "x" * 301])
def test_empty_or_too_long_address_is_422(client: TestClient, address: str) -> None:
    response = client.get("/api/communes/resolve", params={"address": address})
    assert response.status_code == 422
    assert "Ví dụ" in response.json()["detail"]["message"]


def test_service_centers_list_and_filters(client: TestClient) -> None:
    everything = client.get("/api/service-centers").json()
    assert len(everything) > 100
    ninh_binh = client.get("/api/service-centers", params={"province": "37"}).json()
    assert {c["level"] for c in ninh_binh} == {"commune", "province"}
    (tung_ba,) = client.get("/api/service-centers", params={"commune": "00925"}).json()
    assert tung_ba["opening_hours_text"].startswith("Thứ Hai – Thứ Sáu")
    provinces = client.get("/api/service-centers", params={"level": "province"}).json()
    assert {c["province_code"] for c in provinces} == {"08", "37"}
