from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from index.documents import IndexDocument
from index.encoders import E5BundledEncoder
from index.evaluate import load_questions
from index.searcher import Calibration, HybridSearcher, SearchError
from index.store import IndexStore, StoredIndex

CALIBRATION = Path(__file__).parent / "data" / "calibration_questions.jsonl"


def _top(searcher: HybridSearcher, query: str, backend: str = "hybrid") -> str:
    return searcher.search(query, k=3, backend=backend).hits[0].code


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("dang ky khai sinh cho be", "1.001193"),
        ("lấy chồng cần giấy tờ gì", "1.000894"),
        ("photo công chứng bằng tốt nghiệp", "2.000815"),
        ("xin giay doc than", "1.004873"),
        ("nhập hộ khẩu", "1.004222"),
        ("làm sổ đỏ lần đầu", "1.013978"),
    ],
)
def test_hybrid_finds_colloquial_questions(e5_searcher: HybridSearcher, query: str, code: str) -> None:
    assert _top(e5_searcher, query) == code


@pytest.mark.parametrize("backend", ["hybrid", "bm25", "dense"])
def test_every_backend_answers_a_plain_question(e5_searcher: HybridSearcher, backend: str) -> None:
    result = e5_searcher.search("đăng ký kết hôn", k=3, backend=backend)
    assert result.backend == backend and len(result.hits) == 3
    assert result.hits[0].code == "1.000894"
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)


def test_commune_variant_wins_unless_the_province_is_asked_for(e5_searcher: HybridSearcher) -> None:
    assert _top(e5_searcher, "cấp lại thẻ căn cước") == "1.014064"
    assert _top(e5_searcher, "cap doi the can cuoc") == "1.014063"
    assert _top(e5_searcher, "cấp lại thẻ căn cước thực hiện tại cấp tỉnh") == "2.001194"


def test_confidence_is_high_for_clear_questions_and_low_off_topic(e5_searcher: HybridSearcher) -> None:
    clear = e5_searcher.search("đăng ký khai tử cho người thân")
    off_topic = e5_searcher.search("công thức nấu phở bò ngon")
    assert 0.0 <= off_topic.confidence < clear.confidence
    assert 0.8 < clear.confidence <= 1.0
    assert all(0.0 <= hit.confidence <= clear.confidence for hit in clear.hits)


def test_calibration_rises_with_every_feature() -> None:
    calibration = Calibration()
    base = calibration.confidence(0.85, 0.5, 0.0)
    assert calibration.confidence(0.90, 0.5, 0.0) > base
    assert calibration.confidence(0.85, 0.9, 0.0) > base
    assert calibration.confidence(0.85, 0.5, 1.0) > base
    assert calibration.confidence(0.80, 0.0, 0.0) < 0.25 < 0.9 < calibration.confidence(0.92, 1.0, 1.0)


def _mean_confidence(searcher: HybridSearcher, questions: list[dict[str, object]]) -> float:
    return sum(searcher.search(str(q["question"])).confidence for q in questions) / len(questions)


def test_confidence_separates_answerable_from_off_topic_questions(
    e5_searcher: HybridSearcher, sample_documents: tuple[IndexDocument, ...]
) -> None:
    known = {d.code for d in sample_documents}
    questions = load_questions(CALIBRATION)
    answerable = [q for q in questions if set(q["expected"]) & known]
    off_topic = [q for q in questions if not q["expected"]]
    assert len(answerable) >= 10 and len(off_topic) >= 5
    assert _mean_confidence(e5_searcher, answerable) > _mean_confidence(e5_searcher, off_topic) + 0.3


def test_upsert_adds_replaces_and_is_searchable(e5_searcher: HybridSearcher) -> None:
    before = e5_searcher.documents
    new = IndexDocument(
        code="2.001019",
        name="Chứng thực di chúc",
        field="Chứng thực",
        levels=("Cấp xã",),
        aliases=("lập di chúc ở xã",),
    )
    started = time.perf_counter()
    e5_searcher.upsert(new)
    assert time.perf_counter() - started < 2.0
    assert e5_searcher.documents == before + 1
    assert _top(e5_searcher, "lam di chuc") == "2.001019"

    renamed = replace(new, name="Chứng thực văn bản từ chối nhận di sản", aliases=())
    e5_searcher.upsert(renamed)
    assert e5_searcher.documents == before + 1
    assert e5_searcher.get("2.001019") == renamed
    assert _top(e5_searcher, "từ chối nhận di sản") == "2.001019"


def test_remove_drops_a_document_and_keeps_the_others_aligned(e5_searcher: HybridSearcher) -> None:
    assert e5_searcher.remove("1.000894")
    assert not e5_searcher.remove("1.000894")
    result = e5_searcher.search("đăng ký kết hôn", k=5, backend="dense")
    assert "1.000894" not in [h.code for h in result.hits]
    assert _top(e5_searcher, "khai báo tạm vắng", backend="dense") == "1.003677"
    stored = e5_searcher.snapshot.stored
    assert int(stored.owners.max()) == len(stored.documents) - 1


def test_a_search_in_flight_keeps_its_snapshot(e5_searcher: HybridSearcher) -> None:
    old = e5_searcher.snapshot
    e5_searcher.remove("1.004194")
    assert e5_searcher.snapshot is not old
    assert "1.004194" in old.positions and "1.004194" not in e5_searcher.snapshot.positions


def test_upsert_persists_when_the_searcher_has_a_store(
    tmp_path: Path, e5_encoder: E5BundledEncoder, e5_stored: StoredIndex
) -> None:
    store = IndexStore(tmp_path)
    store.save(e5_stored)
    searcher = HybridSearcher(e5_encoder, e5_stored, store=store)
    searcher.upsert(IndexDocument(code="9.999999", name="Đăng ký giám hộ", field="Hộ tịch"))
    manifest = store.manifest()
    assert manifest["documents"] == len(e5_stored.documents) + 1
    reloaded = store.load()
    assert reloaded is not None and reloaded.documents[-1].code == "9.999999"


def test_bad_arguments(e5_searcher: HybridSearcher) -> None:
    with pytest.raises(SearchError, match="Unknown search backend 'fuzzy'"):
        e5_searcher.search("khai sinh", backend="fuzzy")
    assert e5_searcher.search("   ").hits == []
    assert e5_searcher.search("khai sinh", k=0).hits == []
    assert json.dumps(e5_searcher.search("khai sinh", k=1).hits[0].confidence)
