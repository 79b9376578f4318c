"""Bulk work in the spreadsheets offices use: export procedures as XLSX/CSV, import them back.

An import is always checked first (dry run): per procedure and field what would change, and which rows
are refused and why. Only a file without refused rows can be applied, and it is applied whole or not at
all, with the versions seen in the dry run (someone's later edit makes the import refuse, not overwrite).
Empty cells leave a field as it is, so a sheet with only a few columns filled changes only those.

Exported text never starts a cell with what a spreadsheet reads as a formula (`= + - @`, tab, carriage
return): such a cell gets a leading apostrophe (`'=HYPERLINK(…)`), which Excel and LibreOffice show as text,
and the import removes it again, so a file exported and imported unchanged changes nothing. An XLSX cell holds
at most 32,767 characters: longer text (the documents of a few procedures) continues in extra columns
`documents_json~2`, `~3`, … which the import joins back. A channel column (fee, time) still holding the value
it was exported with changes nothing, even where a procedure has several channels of that kind.
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
# The most characters an XLSX cell holds (openpyxl and Excel cut longer text); one is left for an apostrophe.
XLSX_CELL_MAX = 32_767
CONTINUED = "~"
# First characters a spreadsheet may evaluate ("formula injection"); a leading apostrophe makes the cell text.
FORMULA_STARTS = frozenset("=+-@\t\r")


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
        values.update(_channel_cells(content))
        for name in JSON_COLUMNS:
            values[name] = json.dumps(content.get(name.removesuffix("_json"), []), ensure_ascii=False)
        yield [neutralise(values.get(name)) for name in COLUMNS]


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would evaluate, made text: one apostrophe in front (reversed by `restore`).

    Apostrophes already in front count as part of the prefix, so `'=x` becomes `''=x` and comes back exact.
    """
    if isinstance(value, str) and value.lstrip("'")[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def restore(value: str) -> str:
    """The exported text again: the apostrophe `neutralise` put in front of a would-be formula removed."""
    if value.startswith("'") and value.lstrip("'")[:1] in FORMULA_STARTS:
        return value[1:]
    return value


def export_xlsx(procedures: Iterable[Procedure]) -> bytes:
    header, *rows = list(export_rows(procedures))
    size = XLSX_CELL_MAX - 1
    pieces = [max([1] + [-(-len(value) // size) for row in rows if isinstance(value := row[i], str)])
              for i in range(len(header))]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("thu_tuc")
    sheet.append([f"{name}{CONTINUED}{k}" if k > 1 else name
                  for name, count in zip(header, pieces, strict=True) for k in range(1, count + 1)])
    for row in rows:
        cells: list[Any] = []
        for value, count in zip(row, pieces, strict=True):
            if count == 1:
                cells.append(value)
                continue
            text = value if isinstance(value, str) else ("" if value is None else str(value))
            chunks = [text[start:start + size] for start in range(0, len(text), size)]
            # The first chunk was neutralised whole; a later one may start a formula of its own.
            cells += chunks[:1] + [neutralise(chunk) for chunk in chunks[1:]] + [""] * (count - len(chunks))
        sheet.append(cells)
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
            table = [["" if cell is None else restore(_cell_text(cell)) for cell in row]
                     for row in sheet.iter_rows(values_only=True)]
        elif lowered.endswith(".csv"):
            table = [[restore(cell) for cell in row] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
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
    rows = [{header[i]: (row[i] if i < len(row) else "") for i in range(len(header)) if header[i]}
            for row in table[1:] if any(str(cell).strip() for cell in row)]
    return [_joined(row) for row in rows]


def _joined(row: dict[str, str]) -> dict[str, str]:
    """Continuation columns (`documents_json~2`, …) appended to their column, in order, and dropped."""
    parts: dict[str, list[tuple[int, str]]] = {}
    joined: dict[str, str] = {}
    for name, value in row.items():
        base, mark, number = name.rpartition(CONTINUED)
        if mark and number.isdigit() and base in row:
            parts.setdefault(base, []).append((int(number), value))
        else:
            joined[name] = value
    for base, pieces in parts.items():
        joined[base] += "".join(value for _, value in sorted(pieces))
    return joined


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
    exported = _channel_cells(content)
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
        _apply_channel(new, kind, _changed_channel_cells(row, exported, kind), reasons)
    return new


def _channel_cells(content: dict[str, Any]) -> dict[str, Any]:
    """The channel columns as `export_rows` writes them for this content (the first channel of each kind)."""
    cells: dict[str, Any] = {}
    for kind in KINDS:
        channel = next((c for c in content.get("channels", []) if c.get("kind") == kind), None)
        if channel is not None:
            cells[f"{kind}_fee_vnd"] = 0 if channel.get("free") else channel.get("fee_vnd")
            cells[f"{kind}_time_value"] = channel.get("time_value")
            cells[f"{kind}_time_unit"] = channel.get("time_unit") or ""
    return cells


def _changed_channel_cells(row: dict[str, str], exported: dict[str, Any], kind: str) -> dict[str, str]:
    """The kind's channel cells, those still holding their exported value emptied (they change nothing)."""
    cells = {name: row.get(name, "").strip() for name in (f"{kind}_fee_vnd", f"{kind}_time_value",
                                                          f"{kind}_time_unit")}
    fee, time_value, unit = cells.values()
    parsed_fee = parse_vnd(fee)
    if type(parsed_fee) is int and f"{kind}_fee_vnd" in exported and parsed_fee == exported[f"{kind}_fee_vnd"]:
        cells[f"{kind}_fee_vnd"] = ""
    if time_value and f"{kind}_time_value" in exported and _same_number(time_value, exported[f"{kind}_time_value"]):
        cells[f"{kind}_time_value"] = ""
    if unit and unit == exported.get(f"{kind}_time_unit"):
        cells[f"{kind}_time_unit"] = ""
    return cells


def _same_number(text: str, value: Any) -> bool:
    try:
        return value is not None and float(text.replace(",", ".")) == float(value)
    except ValueError:
        return False


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
