"""The search index kept current: replicas on one index directory follow each other, and a staff edit
saved while a full rebuild runs is not lost when the rebuild swaps in."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant import search_service
from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory, session_scope
from assistant.search_service import SearchService, start_following
from index.build import load_index
from index.encoders import HashingEncoder
from index.searcher import HybridSearcher
from knowledge import crud
from knowledge.migrate import upgrade_database
from tests.factories import procedure_data

ALIAS = "lấy chồng ngoại quốc"


@pytest.fixture
def factory(tmp_settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = create_db_engine(tmp_settings.database_url)
    upgrade_database(engine)
    factory = create_session_factory(engine)
    with session_scope(factory) as session:
        crud.upsert_imported(session, data=procedure_data())
        crud.upsert_imported(session, data=procedure_data(
            code="1.000894", name="Thủ tục đăng ký kết hôn", result="Giấy chứng nhận kết hôn"))
    yield factory
    engine.dispose()


def test_follow_makes_an_alias_linked_on_another_replica_searchable(
    tmp_settings: Settings, factory: sessionmaker[Session]
) -> None:
    encoder = HashingEncoder()
    editor = SearchService(tmp_settings, factory, encoder=encoder)
    editor.rebuild(progress=False)
    follower = SearchService(tmp_settings, factory, encoder=encoder)
    follower.load()

    with session_scope(factory) as session:
        crud.add_aliases(session, code="1.000894", texts=[ALIAS], author="clerk")
    editor.reindex(["1.000894"])
    marriage = follower.searcher.get("1.000894")
    assert marriage is not None and ALIAS not in marriage.aliases

    assert follower.follow()
    marriage = follower.searcher.get("1.000894")
    assert marriage is not None and ALIAS in marriage.aliases
    assert follower.search(ALIAS, k=1).hits[0].code == "1.000894"
    assert not follower.follow()


def test_an_edit_saved_during_a_rebuild_survives_the_swap(
    tmp_settings: Settings, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder = HashingEncoder()
    service = SearchService(tmp_settings, factory, encoder=encoder)
    service.rebuild(progress=False)
    real_build = search_service.build_index

    def build_while_a_clerk_edits(*args: Any, **kwargs: Any) -> HybridSearcher:
        # The build has read the database; a clerk links an alias and adds a procedure, and their
        # re-index lands on the index that is still live, before the build saves over it.
        with session_scope(factory) as session:
            crud.add_aliases(session, code="1.000894", texts=[ALIAS], author="clerk")
            crud.upsert_imported(session, data=procedure_data(code="2.000986",
                                                              name="Thủ tục cấp phiếu lý lịch tư pháp"))
        service.reindex(["1.000894", "2.000986"])
        return real_build(*args, **kwargs)

    monkeypatch.setattr(search_service, "build_index", build_while_a_clerk_edits)
    stats = service.rebuild(progress=False)

    assert stats["caught_up"] == 2
    for searcher in (service.searcher, load_index(tmp_settings.index_dir, encoder)):  # memory and disk
        marriage = searcher.get("1.000894")
        assert marriage is not None and ALIAS in marriage.aliases
        assert searcher.get("2.000986") is not None
    assert service.search(ALIAS, k=1).hits[0].code == "1.000894"


def test_follow_before_the_index_is_loaded_does_nothing_and_zero_turns_following_off(
    tmp_settings: Settings, factory: sessionmaker[Session]
) -> None:
    service = SearchService(tmp_settings, factory, encoder=HashingEncoder())
    assert not service.follow()
    assert start_following(service, 0) is None


class _RecordingService:
    """Stands in for a SearchService: tells the test which thread a follow round ran on."""

    def __init__(self, loop: asyncio.AbstractEventLoop, done: asyncio.Event) -> None:
        self._loop = loop
        self._done = done
        self.threads: list[threading.Thread] = []

    def follow(self) -> bool:
        self.threads.append(threading.current_thread())
        self._loop.call_soon_threadsafe(self._done.set)
        return False


def test_following_runs_off_the_event_loop() -> None:
    async def scenario() -> list[threading.Thread]:
        done = asyncio.Event()
        service = _RecordingService(asyncio.get_running_loop(), done)
        task = start_following(service, 60)  # type: ignore[arg-type]
        assert task is not None
        await asyncio.wait_for(done.wait(), timeout=30)
        await task.stop(grace_s=5)
        return service.threads

    threads = asyncio.run(scenario())
    assert len(threads) == 1 and threads[0] is not threading.main_thread()
