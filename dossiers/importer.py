"""CSV and JSON import of dossiers (staff uploads, a nightly export of the provincial system, the demo set).

Columns / keys: code, procedure_code, procedure_name, agency, received_at (ISO date or date-time, or
dd/mm/yyyy), due_date or processing_days (working days, counted with the holiday calendar), status,
status_at, status_note, missing_documents (JSON list, or "|"-separated in CSV), pickup_place,
expected_date, phone, id_number, synthetic; JSON rows may also carry `history` [{status, at, note}].
`phone` and `id_number` are reduced to peppered digests of their last four digits during parsing and are
never stored or reported.

The whole file is applied in one transaction; rows that cannot be read are skipped and reported with
their row number and a reason in English and Vietnamese. Importing the same file again changes nothing;
a changed status appends history and queues notifications for subscribers.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from dossiers.calendar import VN_TZ, HolidayCalendar
from dossiers.codes import MalformedDossierCode, normalise_code
from dossiers.domain import STATUS_VALUES, DossierRecord, DossierStatus, StatusEntry
from dossiers.store import Outcome, apply_record
from dossiers.verification import digests_for
from knowledge.models import utcnow

logger = logging.getLogger(__name__)


class RowError(ValueError):
    """A row that cannot be imported, with the reason for operators in English and Vietnamese."""

    def __init__(self, en: str, vi: str) -> None:
        super().__init__(en)
        self.en = en
        self.vi = vi


@dataclass(frozen=True)
class RejectedRow:
    row: int  # CSV: line number in the file (header = 1); JSON: 1-based position in the list
    code: str
    reason_en: str
    reason_vi: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    status_changes: int = 0
    notifications: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "status_changes": self.status_changes, "notifications_queued": self.notifications,
                "rejected": [vars(r) for r in self.rejected]}


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def _when(value: str, name: str) -> datetime:
    """A date-time with offset, or a date (midnight in Viet Nam)."""
    try:
        if "/" in value:
            return datetime.strptime(value, "%d/%m/%Y").replace(tzinfo=VN_TZ)
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), VN_TZ)
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise RowError(f"{name} is not a date (use YYYY-MM-DD, DD/MM/YYYY or ISO 8601).",
                       f"{name} không phải ngày hợp lệ (dùng YYYY-MM-DD, DD/MM/YYYY hoặc ISO 8601).") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)


def _day(value: str, name: str) -> date | None:
    return _when(value, name).date() if value else None


def _status(value: str) -> DossierStatus:
    if value not in STATUS_VALUES:
        allowed = ", ".join(sorted(STATUS_VALUES))
        raise RowError(f"status must be one of: {allowed}.", f"status phải là một trong: {allowed}.")
    return DossierStatus(value)


def _missing(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(part.strip() for part in str(value or "").split("|") if part.strip())


def parse_row(row: Mapping[str, Any], *, pepper: str, calendar: HolidayCalendar, source: str = "import",
              synthetic: bool = False) -> DossierRecord:
    """One input row as a record; raises `RowError` with the first problem found."""
    try:
        code = normalise_code(_text(row, "code"))
    except MalformedDossierCode as exc:
        raise RowError("code is not a dossier code in the national format (e.g. 000.00.15.H29-250714-0001).",
                       "code không đúng định dạng mã hồ sơ (ví dụ 000.00.15.H29-250714-0001).") from exc
    procedure_code = _text(row, "procedure_code")
    if not procedure_code or len(procedure_code) > 32:
        raise RowError("procedure_code is missing or longer than 32 characters.",
                       "procedure_code bị trống hoặc dài quá 32 ký tự.")
    if not _text(row, "received_at"):
        raise RowError("received_at is missing.", "received_at bị trống.")
    received_at = _when(_text(row, "received_at"), "received_at")
    status = _status(_text(row, "status"))
    due = _day(_text(row, "due_date"), "due_date")
    if due is None and _text(row, "processing_days"):
        try:
            days = int(_text(row, "processing_days"))
        except ValueError as exc:
            raise RowError("processing_days is not a whole number.", "processing_days không phải số nguyên.") from exc
        due = calendar.add_working_days(received_at.astimezone(VN_TZ).date(), days)
    digests = digests_for(pepper, code, _text(row, "phone"), _text(row, "id_number"))
    if not digests:
        raise RowError("neither phone nor id_number has 4 digits: the owner could never verify this dossier.",
                       "phone và id_number đều không có đủ 4 chữ số: chủ hồ sơ sẽ không thể xác minh.")
    history = _history(row, received_at, status)
    return DossierRecord(
        code=code, procedure_code=procedure_code, procedure_name=_text(row, "procedure_name"),
        agency=_text(row, "agency")[:255], received_at=received_at, status=status, due_date=due,
        history=history, missing_documents=_missing(row.get("missing_documents")),
        pickup_place=_text(row, "pickup_place") or None, expected_date=_day(_text(row, "expected_date"),
                                                                            "expected_date"),
        verifier_digests=digests, source=source,
        synthetic=synthetic or _text(row, "synthetic").lower() in {"1", "true", "yes"},
    )


def _history(row: Mapping[str, Any], received_at: datetime, status: DossierStatus) -> tuple[StatusEntry, ...]:
    given = row.get("history")
    if isinstance(given, list) and given:
        entries = []
        for item in given:
            if not isinstance(item, Mapping):
                raise RowError("history must be a list of objects.", "history phải là danh sách đối tượng.")
            entries.append(StatusEntry(_status(_text(item, "status")), _when(_text(item, "at"), "history.at"),
                                       _text(item, "note")))
        return tuple(entries)
    entries = [StatusEntry(DossierStatus.RECEIVED, received_at)]
    if _text(row, "status_at") and status != DossierStatus.RECEIVED:
        entries.append(StatusEntry(status, _when(_text(row, "status_at"), "status_at"), _text(row, "status_note")))
    return tuple(entries)


def read_rows(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(row number, row) from a .csv or .json file."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                yield reader.line_num, row
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = data.get("dossiers") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ValueError(f"{path} holds neither a list of dossiers nor an object with a `dossiers` list.")
    for number, row in enumerate(rows, start=1):
        yield number, row if isinstance(row, Mapping) else {}


def _safe_code(row: Mapping[str, Any]) -> str:
    """The row's code for the report only when it is a real code: a mistyped column may hold a phone number."""
    try:
        return normalise_code(_text(row, "code"))
    except MalformedDossierCode:
        return ""


def import_rows(session: Session, rows: Iterator[tuple[int, Mapping[str, Any]]], *, pepper: str,
                calendar: HolidayCalendar, source: str = "import", synthetic: bool = False,
                now: Callable[[], datetime] = utcnow) -> ImportReport:
    report = ImportReport()
    seen: set[str] = set()
    for number, row in rows:
        try:
            record = parse_row(row, pepper=pepper, calendar=calendar, source=source, synthetic=synthetic)
            if record.code in seen:
                raise RowError("the same code appears earlier in this file.", "mã hồ sơ bị trùng trong tệp.")
        except RowError as exc:
            report.rejected.append(RejectedRow(number, _safe_code(row), exc.en, exc.vi))
            continue
        seen.add(record.code)
        result = apply_record(session, record, now=now)
        if result.outcome is Outcome.CREATED:
            report.created += 1
        elif result.outcome is Outcome.UPDATED:
            report.updated += 1
        else:
            report.unchanged += 1
        report.status_changes += result.status_changed
        report.notifications += result.notifications
    return report


def import_file(factory: sessionmaker[Session], path: Path, *, pepper: str, calendar: HolidayCalendar,
                source: str = "import", synthetic: bool = False) -> ImportReport:
    """Import a CSV or JSON file in one transaction; see the module docstring for the columns."""
    with session_scope(factory) as session:
        report = import_rows(session, read_rows(path), pepper=pepper, calendar=calendar, source=source,
                             synthetic=synthetic)
    logger.info("dossier import %s: %d created, %d updated, %d unchanged, %d rejected", path.name, report.created,
                report.updated, report.unchanged, len(report.rejected))
    return report
