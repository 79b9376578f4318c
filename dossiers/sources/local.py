"""The database as a source: dossiers loaded by `assistant dossiers import` (or the demo set)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from dossiers.domain import DossierRecord
from dossiers.store import get_dossier, to_record


class LocalDossierSource:
    mirrors = False

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory

    def get_sync(self, code: str) -> DossierRecord | None:
        with self._factory() as session:
            row = get_dossier(session, code)
            return to_record(row) if row is not None else None

    async def get(self, code: str) -> DossierRecord | None:
        # Blocking database work runs off the event loop, as FastAPI does for plain `def` routes.
        return await run_in_threadpool(self.get_sync, code)
