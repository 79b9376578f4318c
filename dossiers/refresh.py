"""Ask the provincial system again about every dossier someone is waiting on, and record what changed.

Run by `assistant dossiers refresh` (e.g. from cron every 15 minutes). Only open dossiers with an
active subscription are asked about: the provincial system is not ours to crawl.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from dossiers.models import Dossier, DossierSubscription
from dossiers.sources import DossierSource, DossierSourceUnavailable
from dossiers.store import apply_record

logger = logging.getLogger(__name__)

FINAL_STATUSES = ("rejected", "returned")


@dataclass
class RefreshReport:
    checked: int = 0
    changed: int = 0
    notifications: int = 0
    unavailable: int = 0
    gone: int = 0


def watched_codes(session: Session) -> list[str]:
    return list(session.scalars(
        select(Dossier.code).join(DossierSubscription, DossierSubscription.dossier_id == Dossier.id)
        .where(DossierSubscription.active.is_(True), Dossier.status.not_in(FINAL_STATUSES))
        .distinct().order_by(Dossier.code)))


async def refresh_watched(factory: sessionmaker[Session], source: DossierSource) -> RefreshReport:
    report = RefreshReport()
    with factory() as session:
        codes = watched_codes(session)
    for code in codes:
        report.checked += 1
        try:
            record = await source.get(code)
        except DossierSourceUnavailable:
            report.unavailable += 1
            continue
        if record is None:
            report.gone += 1
            logger.warning("dossier %s: the source no longer knows it", code)
            continue
        with session_scope(factory) as session:
            result = apply_record(session, record)
        report.changed += result.status_changed
        report.notifications += result.notifications
    return report
