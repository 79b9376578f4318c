"""Bulk work in the spreadsheets offices use: export procedures as XLSX/CSV, import them back.

An import is always checked first (dry run): per procedure and field what would change, and which rows
are refused and why. Only a file without refused rows can be applied, and it is applied whole or not at
all, with the versions seen in the dry run (someone's later edit makes the import refuse, not overwrite).
Empty cells leave a field as it is, so a sheet with only a few columns filled changes only those.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import ValidationError
from sqlalchemy.orm import Session

from knowledge import crud
from knowledge.admin import texts_vi as T
from knowledge.admin.diff import FieldDiff, diff_fields
from knowledge.admin.procedure_form import parse_positive_number, parse_vnd
from knowledge.models import Procedure
from knowledge.schemas import ProcedureBase

TEXT_COLUMNS = (
    "name", "field", "procedure_type", "decision_number", "ministry", "applicants", "competent_agency",
    "implementing_agency", "authorized_agency", "coordinating_agency", "submission_address", "conditions",
    "result", "related_procedures", "source_url",
)
LINE_COLUMNS = ("levels", "steps")
KINDS = ("online", "post", "in_person")
CHANNEL_COLUMNS = tuple(f"{kind}_{name}" for kind in KINDS for name in ("fee_vnd", "time_value", "time_unit"))
JSON_COLUMNS = ("channels_json", "documents_json", "legal_basis_json")
COLUMNS = ("code", *TEXT_COLUMNS, *LINE_COLUMNS, *CHANNEL_COLUMNS, *JSON_COLUMNS)
MAX_ROWS = 5000


class BulkFileError(ValueError):
    """The file cannot be read as a procedure sheet; `message` is Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowChange:
    code: str
    name: str
    fields: list[FieldDiff]
    content: dict[str, Any]


@dataclass(frozen=True)
class RejectedRow:
    row: int
    code: str
    reasons: list[str]


@dataclass
class DryRun:
    changes: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    versions: dict[str, int] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------- export

def export_rows(procedures: Iterable[Procedure]) -> Iterable[list[str | int | float | None]]:
    yield list(COLUMNS)
    for row in procedures:
        content = row.content
        values: dict[str, Any] = {name: content.get(name, "") for name in TEXT_COLUMNS}
        values["code"] = row.code
        values.update({name: "\n".join(content.get(name) or []) for name in LINE_COLUMNS})
        for kind in KINDS:
            channel = next((c for c in content.get("channels", []) if c.get("kind") == kind), None)
            if channel is not None:
                values[f"{kind}_fee_vnd"] = 0 if channel.get("free") else channel.get("fee_vnd")
                values[f"{kind}_time_value"] = channel.get("time_value")
                values[f"{kind}_time_unit"] = channel.get("time_unit") or ""
        for name in JSON_COLUMNS:
            values[name] = json.dumps(content.get(name.removesuffix("_json"), []), ensure_ascii=False)
        yield [values.get(name) for name in COLUMNS]


def export_xlsx(procedures: Iterable[Procedure]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("thu_tuc")
    for values in export_rows(procedures):
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_csv(procedures: Iterable[Procedure]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in export_rows(procedures):
        writer.writerow(["" if value is None else value for value in values])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read Vietnamese correctly


# ----------------------------------------------------------------------------------------------- import

def read_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """Rows of an uploaded .xlsx or .csv as {column: text}; the first row names the columns."""
    lowered = filename.lower()
    try:
        if lowered.endswith(".xlsx"):
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            table = [["" if cell is None else _cell_text(cell) for cell in row]
                     for row in sheet.iter_rows(values_only=True)]
        elif lowered.endswith(".csv"):
            table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        else:
            raise BulkFileError(T.BULK_BAD_TYPE)
    except (UnicodeDecodeError, csv.Error, OSError, KeyError, ValueError, zipfile.BadZipFile,
            InvalidFileException) as exc:
        if isinstance(exc, BulkFileError):
            raise
        raise BulkFileError(T.BULK_UNREADABLE) from exc
    if not table or "code" not in [h.strip() for h in table[0]]:
        raise BulkFileError(T.BULK_NO_CODE_COLUMN)
    if len(table) - 1 > MAX_ROWS:
        raise BulkFileError(T.BULK_TOO_MANY.format(n=MAX_ROWS))
    header = [h.strip() for h in table[0]]
    return [{header[i]: (row[i] if i < len(row) else "") for i in range(len(header)) if header[i]}
            for row in table[1:] if any(str(cell).strip() for cell in row)]


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def dry_run(session: Session, rows: Sequence[dict[str, str]]) -> DryRun:
    """What applying `rows` would change; nothing is written."""
    report = DryRun()
    if rows:
        report.ignored_columns = sorted(set(rows[0]) - set(COLUMNS))
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        code = row.get("code", "").strip()
        if not code:
            report.rejected.append(RejectedRow(number, "", [T.BULK_NO_CODE]))
            continue
        if code in seen:
            report.rejected.append(RejectedRow(number, code, [T.BULK_DUPLICATE]))
            continue
        seen.add(code)
        current = crud.find_procedure(session, code=code)
        if current is None:
            report.rejected.append(RejectedRow(number, code, [T.BULK_UNKNOWN_CODE]))
            continue
        reasons: list[str] = []
        content = apply_row(current.content, row, reasons)
        if not reasons:
            try:
                content = ProcedureBase.model_validate(content).model_dump(mode="json")
            except ValidationError as exc:
                reasons.extend(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        if reasons:
            report.rejected.append(RejectedRow(number, code, reasons))
            continue
        diffs = diff_fields(current.content, content)
        if diffs:
            report.changes.append(RowChange(code, current.name, diffs, content))
            report.versions[code] = current.version
        else:
            report.unchanged += 1
    return report


def apply_row(content: dict[str, Any], row: dict[str, str], reasons: list[str]) -> dict[str, Any]:
    """`content` with the row's non-empty cells applied; problems are appended to `reasons`."""
    new = copy.deepcopy(content)
    for name in TEXT_COLUMNS:
        if row.get(name, "").strip():
            new[name] = row[name].strip()
    for name in LINE_COLUMNS:
        if row.get(name, "").strip():
            new[name] = [line.strip() for line in row[name].splitlines() if line.strip()]
    for name in JSON_COLUMNS:
        if row.get(name, "").strip():
            try:
                value = json.loads(row[name])
            except json.JSONDecodeError:
                reasons.append(T.BULK_BAD_JSON.format(column=name))
                continue
            if not isinstance(value, list):
                reasons.append(T.BULK_BAD_JSON.format(column=name))
                continue
            new[name.removesuffix("_json")] = value
    for kind in KINDS:
        _apply_channel(new, kind, row, reasons)
    return new


def _apply_channel(content: dict[str, Any], kind: str, row: dict[str, str], reasons: list[str]) -> None:
    fee_text, time_text = row.get(f"{kind}_fee_vnd", "").strip(), row.get(f"{kind}_time_value", "").strip()
    unit = row.get(f"{kind}_time_unit", "").strip()
    if not (fee_text or time_text or unit):
        return
    label = T.CHANNEL_KINDS[kind]
    fee, time_value = parse_vnd(fee_text), parse_positive_number(time_text)
    if fee is False:
        reasons.append(f"{label}: {T.ERR_FEE_NUMBER}")
    if time_value is False:
        reasons.append(f"{label}: {T.ERR_TIME_NUMBER}")
    if unit and unit not in T.TIME_UNITS:
        reasons.append(f"{label}: {T.ERR_TIME_UNIT}")
    if fee is False or time_value is False or (unit and unit not in T.TIME_UNITS):
        return
    channels = [c for c in content.setdefault("channels", []) if c.get("kind") == kind]
    if not channels:
        channels = [{"kind": kind}]
        content["channels"].append(channels[0])
    for channel in channels:
        if isinstance(fee, int) and not isinstance(fee, bool):
            channel["fee_vnd"], channel["free"] = fee, fee == 0
        if isinstance(time_value, float):
            # A new number needs a unit; an unchanged one keeps whatever the importer found.
            if not unit and not channel.get("time_unit") and channel.get("time_value") != time_value:
                reasons.append(f"{label}: {T.ERR_TIME_UNIT}")
            channel["time_value"] = time_value
        if unit:
            channel["time_unit"] = unit


def apply(session: Session, report: DryRun, *, author: str) -> list[str]:
    """Write every change of a checked import in the caller's transaction; returns the changed codes.

    Raises `knowledge.errors.StaleEdit` when a procedure changed since the dry run (nothing is kept:
    the caller's transaction rolls back).
    """
    if report.rejected:
        raise ValueError("An import with refused rows cannot be applied; fix the file and check it again.")
    changed = []
    for change in report.changes:
        crud.update_procedure(session, code=change.code, content=ProcedureBase.model_validate(change.content),
                              author=author, expected_version=report.versions[change.code], reason="bulk import")
        changed.append(change.code)
    return changed
