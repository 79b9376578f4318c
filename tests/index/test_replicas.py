"""Several searchers (app replicas) on one index directory: no edit is lost and followers catch up."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from index.build import build_index, load_index
from index.documents import IndexDocument
from index.encoders import HashingEncoder
from index.searcher import HybridSearcher
from index.store import CURRENT_FILE, IndexStore

WILL = IndexDocument(code="2.001019", name="Chứng thực di chúc", field="Chứng thực", levels=("Cấp xã",),
                     aliases=("lập di chúc ở xã",))
GUARDIAN = IndexDocument(code="1.000110", name="Thủ tục đăng ký giám hộ", field="Hộ tịch", levels=("Cấp xã",),
                         aliases=("nhận nuôi cháu mồ côi",))


@pytest.fixture
def index_dir(tmp_path: Path, hashing_encoder: HashingEncoder,
              sample_documents: tuple[IndexDocument, ...]) -> Path:
    build_index(sample_documents, hashing_encoder, tmp_path, progress=False)
    return tmp_path


def _live_codes(index_dir: Path) -> set[str]:
    stored = IndexStore(index_dir).load()
    assert stored is not None
    return {doc.code for doc in stored.documents}


def _top(searcher: HybridSearcher, query: str) -> str:
    return searcher.search(query, k=3).hits[0].code


def test_upserts_from_two_replicas_both_reach_the_live_version(index_dir: Path,
                                                                hashing_encoder: HashingEncoder) -> None:
    a = load_index(index_dir, hashing_encoder)
    b = load_index(index_dir, hashing_encoder)
    a.upsert(WILL)
    b.upsert(GUARDIAN)  # b's memory copy predates a's edit
    assert {WILL.code, GUARDIAN.code} <= _live_codes(index_dir)
    assert b.get(WILL.code) == WILL and b.get(GUARDIAN.code) == GUARDIAN
    assert b.snapshot.version == IndexStore(index_dir).current_version()

    assert not b.refresh_from_store()  # its own save is what it already serves
    assert a.get(GUARDIAN.code) is None
    assert a.refresh_from_store()
    assert a.get(GUARDIAN.code) == GUARDIAN and a.get(WILL.code) == WILL
    assert _top(a, "nhận nuôi cháu mồ côi") == GUARDIAN.code
    assert not a.refresh_from_store()


def test_remove_on_a_stale_replica_keeps_the_other_replicas_edit(index_dir: Path,
                                                                 hashing_encoder: HashingEncoder) -> None:
    a = load_index(index_dir, hashing_encoder)
    b = load_index(index_dir, hashing_encoder)
    a.upsert(WILL)
    assert b.remove("1.000894")
    live = _live_codes(index_dir)
    assert WILL.code in live and "1.000894" not in live
    assert not b.remove("1.000894")


def test_refresh_without_a_new_version_keeps_the_snapshot(index_dir: Path,
                                                          hashing_encoder: HashingEncoder) -> None:
    searcher = load_index(index_dir, hashing_encoder)
    before = searcher.snapshot
    assert not searcher.refresh_from_store()
    assert searcher.snapshot is before


def test_an_unreadable_new_version_is_logged_and_the_old_snapshot_keeps_serving(
    index_dir: Path, hashing_encoder: HashingEncoder, caplog: pytest.LogCaptureFixture
) -> None:
    searcher = load_index(index_dir, hashing_encoder)
    before = searcher.snapshot
    (index_dir / CURRENT_FILE).write_text("v-cleaned-up-meanwhile", encoding="utf-8")
    caplog.set_level("WARNING", logger="index.searcher")
    assert not searcher.refresh_from_store()
    assert searcher.snapshot is before
    assert "v-cleaned-up-meanwhile" in caplog.text and str(index_dir) in caplog.text
    assert _top(searcher, "đăng ký kết hôn") == "1.000894"
    caplog.clear()
    assert not searcher.refresh_from_store()  # tried again, but the same version is not warned about again
    assert caplog.text == ""
    (index_dir / CURRENT_FILE).write_text("v-another-broken-one", encoding="utf-8")
    assert not searcher.refresh_from_store()
    assert "v-another-broken-one" in caplog.text


def test_a_search_in_flight_keeps_its_snapshot_across_a_refresh(index_dir: Path,
                                                                hashing_encoder: HashingEncoder) -> None:
    follower = load_index(index_dir, hashing_encoder)
    load_index(index_dir, hashing_encoder).upsert(WILL)
    old = follower.snapshot
    assert follower.refresh_from_store()
    assert WILL.code not in old.positions and WILL.code in follower.snapshot.positions


def _upsert_many(index_dir: str, prefix: str, count: int, start: Barrier) -> None:
    """One replica process: load the index, then publish `count` procedures as fast as it can."""
    searcher = load_index(index_dir, HashingEncoder())
    start.wait(timeout=120)  # both processes hold the same, soon stale, snapshot before either writes
    for number in range(count):
        searcher.upsert(IndexDocument(code=f"{prefix}.{number:03d}", name=f"Thủ tục thử {prefix} số {number}",
                                      field="Thử nghiệm"))


def test_concurrent_upserts_from_two_processes_lose_nothing(index_dir: Path,
                                                            sample_documents: tuple[IndexDocument, ...]) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    count = 8
    workers = [context.Process(target=_upsert_many, args=(str(index_dir), prefix, count, start))
               for prefix in ("9.100", "9.200")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=180)
    assert [worker.exitcode for worker in workers] == [0, 0]
    expected = {d.code for d in sample_documents}
    expected |= {f"{prefix}.{n:03d}" for prefix in ("9.100", "9.200") for n in range(count)}
    assert _live_codes(index_dir) == expected
