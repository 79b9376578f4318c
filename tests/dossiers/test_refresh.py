from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from dossiers import notify
from dossiers.domain import DossierRecord, DossierStatus
from dossiers.models import DossierNotification
from dossiers.refresh import refresh_watched
from dossiers.sources.http import HttpDossierSource
from dossiers.store import apply_record, get_dossier
from tests.dossiers.conftest import CODE, PEPPER
from tests.fakes.dossier_system import FakeDossierSystem, wire_dossier
from tests.fakes.local_server import LocalServer


class FakeOutbox:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.fail = fail

    async def send(self, conversation_id: str, channel: str, text: str) -> None:
        if self.fail:
            raise ConnectionError("channel down")
        self.sent.append((conversation_id, channel, text))


def test_refresh_records_a_change_and_the_outbox_delivers_it(session_factory: sessionmaker[Session]) -> None:
    system = FakeDossierSystem(dossiers={CODE: wire_dossier(CODE)})
    with LocalServer(system.app()) as server:
        async def run() -> tuple[int, int]:
            async with httpx.AsyncClient() as client:
                source = HttpDossierSource(client, server.url, pepper=PEPPER, retries=0)
                record = await source.get(CODE)
                assert record is not None
                with session_scope(session_factory) as session:
                    apply_record(session, record)
                    row = get_dossier(session, CODE)
                    assert row is not None
                    notify.subscribe(session, row, sender_id="zalo:99", channel="zalo")
                unchanged = await refresh_watched(session_factory, source)
                system.dossiers[CODE] = wire_dossier(CODE, status="ready_for_pickup")
                changed = await refresh_watched(session_factory, source)
                return unchanged.changed, changed.notifications
        assert asyncio.run(run()) == (0, 1)

    failing = FakeOutbox(fail=True)
    assert asyncio.run(notify.deliver_queued(session_factory, failing)) == 0
    outbox = FakeOutbox()
    assert asyncio.run(notify.deliver_queued(session_factory, outbox)) == 1
    assert asyncio.run(notify.deliver_queued(session_factory, outbox)) == 0
    assert outbox.sent[0][:2] == ("zalo:99", "zalo") and "chờ nhận" in outbox.sent[0][2]
    with session_factory() as session:
        item = session.scalars(select(DossierNotification)).one()
        assert (item.state, item.attempts) == ("sent", 2)


def test_the_delivery_loop_sends_and_stops(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        apply_record(session, _record("in_process"))
        row = get_dossier(session, CODE)
        assert row is not None
        notify.subscribe(session, row, sender_id="web-5", channel="web")
        apply_record(session, _record("returned"))

    async def run() -> list[tuple[str, str, str]]:
        outbox = FakeOutbox()
        task = notify.start_delivery(session_factory, outbox, interval_s=0.01)
        for _ in range(200):
            if outbox.sent:
                break
            await asyncio.sleep(0.01)
        await notify.stop_delivery(task)
        return outbox.sent

    sent = asyncio.run(run())
    assert [s[:2] for s in sent] == [("web-5", "web")] and "Đã trả kết quả" in sent[0][2]


def _record(status: str) -> DossierRecord:
    return DossierRecord(code=CODE, procedure_code="1.001193", agency="UBND", status=DossierStatus(status),
                         received_at=datetime(2026, 2, 13, 2, 0, tzinfo=UTC), verifier_digests=frozenset({"ab"}))
