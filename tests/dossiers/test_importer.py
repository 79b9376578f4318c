from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from dossiers import notify
from dossiers.calendar import HolidayCalendar
from dossiers.importer import import_file
from dossiers.models import Dossier, DossierNotification, DossierStatusEvent, DossierVerifier
from dossiers.store import get_dossier
from tests.dossiers.conftest import CODE, ID_NUMBER, PEPPER, PHONE

FIELDS = ["code", "procedure_code", "agency", "received_at", "processing_days", "status", "status_at",
          "missing_documents", "phone", "id_number"]


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _row(**overrides: str) -> dict[str, str]:
    row = {"code": CODE, "procedure_code": "1.001193", "agency": "UBND xã Yên Thịnh",
           "received_at": "2026-02-13T09:00:00+07:00", "processing_days": "1", "status": "in_process",
           "status_at": "", "missing_documents": "", "phone": PHONE, "id_number": ID_NUMBER}
    return {**row, **overrides}


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_reports_rejected_rows_and_is_idempotent(
    tmp_path: Path, session_factory: sessionmaker[Session], calendar: HolidayCalendar
) -> None:
    path = _csv(tmp_path / "dossiers.csv", [
        _row(),
        _row(code="not a code 0912345678"),
        _row(code="000.00.15.H29-260213-0002", status="lost"),
        _row(code="000.00.15.H29-260213-0003", phone="", id_number="12"),
        _row(code="000.00.15.H29-260213-0004", received_at="31/02/2026"),
        _row(code=" ０００.００.１５.h29 – 260213 – 0001 "),  # the first code again, typed differently
    ])
    first = import_file(session_factory, path, pepper=PEPPER, calendar=calendar)
    assert (first.created, first.updated, first.unchanged) == (1, 0, 0)
    assert [(r.row, r.code) for r in first.rejected] == [
        (3, ""), (4, "000.00.15.H29-260213-0002"), (5, "000.00.15.H29-260213-0003"),
        (6, "000.00.15.H29-260213-0004"), (7, CODE)]
    assert "status must be one of" in first.rejected[1].reason_en and "status phải" in first.rejected[1].reason_vi
    assert all(PHONE not in json.dumps(r.__dict__) for r in first.rejected)

    again = import_file(session_factory, path, pepper=PEPPER, calendar=calendar)
    assert (again.created, again.updated, again.unchanged, again.status_changes) == (0, 0, 1, 0)
    with session_factory() as session:
        assert _count(session, Dossier) == 1 and _count(session, DossierStatusEvent) == 2
        row = get_dossier(session, CODE)
        assert row is not None
        assert row.due_date == date(2026, 2, 23)  # one working day after Friday 13/2, across Tết
        stored = " ".join(v.digest for v in row.verifiers) + json.dumps(row.missing_documents)
        assert "5678" not in stored and PHONE not in stored and _count(session, DossierVerifier) == 2


def test_a_changed_status_appends_history_and_queues_one_notice_per_subscriber(
    tmp_path: Path, session_factory: sessionmaker[Session], calendar: HolidayCalendar
) -> None:
    first = _row(status_at="2026-02-13T11:00:00+07:00")
    import_file(session_factory, _csv(tmp_path / "a.csv", [first]), pepper=PEPPER, calendar=calendar)
    with session_scope(session_factory) as session:
        row = get_dossier(session, CODE)
        assert row is not None
        notify.subscribe(session, row, sender_id="telegram:42", channel="telegram")
        assert notify.subscribe(session, row, sender_id="telegram:42", channel="telegram") is True
        notify.subscribe(session, row, sender_id="web-7", channel="web")

    changed = _csv(tmp_path / "b.csv", [_row(status="additions_requested", status_at="2026-02-20T10:00:00+07:00",
                                             missing_documents="Giấy chứng sinh | Tờ khai")])
    report = import_file(session_factory, changed, pepper=PEPPER, calendar=calendar)
    assert (report.updated, report.status_changes, report.notifications) == (1, 1, 2)
    again = import_file(session_factory, changed, pepper=PEPPER, calendar=calendar)
    assert (again.unchanged, again.notifications) == (1, 0)
    with session_factory() as session:
        row = get_dossier(session, CODE)
        assert row is not None and row.status == "additions_requested"
        assert row.missing_documents == ["Giấy chứng sinh", "Tờ khai"]
        assert [e.status for e in row.history] == ["received", "in_process", "additions_requested"]
        notices = session.scalars(select(DossierNotification).order_by(DossierNotification.id)).all()
        assert [(n.sender_id, n.channel, n.state) for n in notices] == [
            ("telegram:42", "telegram", "queued"), ("web-7", "web", "queued")]
        assert CODE in notices[0].text and "bổ sung" in notices[0].text


def test_json_import_keeps_the_given_history(
    tmp_path: Path, session_factory: sessionmaker[Session], calendar: HolidayCalendar
) -> None:
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"dossiers": [{
        "code": CODE, "procedure_code": "1.001193", "received_at": "2026-02-13T09:00:00+07:00",
        "due_date": "2026-02-23", "status": "ready_for_pickup", "id_number": ID_NUMBER,
        "pickup_place": "Bộ phận trả kết quả", "history": [
            {"status": "received", "at": "2026-02-13T09:00:00+07:00"},
            {"status": "ready_for_pickup", "at": "2026-02-23T15:00:00+07:00", "note": "Đã ký"}]}, "oops"]}),
        encoding="utf-8")
    report = import_file(session_factory, path, pepper=PEPPER, calendar=calendar)
    assert report.created == 1 and [r.row for r in report.rejected] == [2]
    assert import_file(session_factory, path, pepper=PEPPER, calendar=calendar).unchanged == 1
    with session_factory() as session:
        row = get_dossier(session, CODE)
        assert row is not None and [e.note for e in row.history] == ["", "Đã ký"]
