"""Turn one record of the National Public Service Portal crawl into `ProcedureData`.

A record is refused only when it cannot identify a procedure (no usable code or name). Every
other defect is imported as well as it can be and named in `review_flags`, so that staff see what
to check before publishing, and the raw source text is kept beside the parsed fields.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from knowledge.importer.channel_table import parse_channels
from knowledge.importer.debris import clean_result, has_debris
from knowledge.importer.document_table import parse_documents
from knowledge.importer.legal_table import parse_legal_basis
from knowledge.importer.steps import parse_steps
from knowledge.importer.text_cleanup import clean_field, normalize, one_line
from knowledge.importer.time_text import find_time_statements
from knowledge.schemas import ProcedureData

logger = logging.getLogger(__name__)

CODE_PATTERN = re.compile(r"^\d{1,3}\.\d{6}$")
UNKNOWN_CODE = "?"
_MAX_FLAG_LENGTH = 400

# Portal field → ProcedureData field, for fields that only need cleaning.
TEXT_FIELDS: dict[str, str] = {
    "linh_vuc": "field",
    "loai_thu_tuc": "procedure_type",
    "so_quyet_dinh": "decision_number",
    "doi_tuong_thuc_hien": "applicants",
    "co_quan_co_tham_quyen": "competent_agency",
    "co_quan_thuc_hien": "implementing_agency",
    "co_quan_duoc_uy_quyen": "authorized_agency",
    "co_quan_phoi_hop": "coordinating_agency",
    "dia_chi_tiep_nhan": "submission_address",
    "yeu_cau_dieu_kien": "conditions",
    "thu_tuc_lien_quan": "related_procedures",
}

RAW_FIELDS: tuple[str, ...] = (
    "ma_thu_tuc",
    "ten_thu_tuc",
    "detail_url",
    "cap_thuc_hien",
    *TEXT_FIELDS,
    "trinh_tu_thuc_hien",
    "cach_thuc_thuc_hien",
    "thanh_phan_ho_so",
    "can_cu_phap_ly",
    "ket_qua_xu_ly",
    "raw_text",
    "_bo_nganh",
)


class RecordParseError(ValueError):
    """A crawl record that cannot be imported at all."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"Record {code}: {reason}")
        self.code = code
        self.reason = reason


def _text(record: Mapping[str, Any], key: str, flags: dict[str, str]) -> str:
    """The record's value as text; non-text values are converted and reported."""
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    flags.setdefault("raw", f"field {key} was {type(value).__name__}, not text")
    return str(value)


def _flag(flags: dict[str, str], name: str, problems: list[str]) -> None:
    if problems:
        joined = "; ".join(problems)
        flags[name] = joined if len(joined) <= _MAX_FLAG_LENGTH else joined[: _MAX_FLAG_LENGTH - 1] + "…"


def _identity(record: Mapping[str, Any], flags: dict[str, str]) -> tuple[str, str]:
    code = normalize(_text(record, "ma_thu_tuc", flags))
    shown = code or UNKNOWN_CODE
    if not code:
        raise RecordParseError(UNKNOWN_CODE, "thiếu mã thủ tục (ma_thu_tuc is empty or missing).")
    if not CODE_PATTERN.match(code):
        raise RecordParseError(
            shown[:32], f"mã thủ tục không đúng dạng (ma_thu_tuc {code[:40]!r} is not like '1.001193')."
        )
    name = one_line(_text(record, "ten_thu_tuc", flags))
    if not clean_field(name):
        raise RecordParseError(code, "thiếu tên thủ tục (ten_thu_tuc is empty or missing).")
    return code, name


def _levels(text: str) -> list[str]:
    return [level for level in (one_line(part) for part in text.split(",")) if clean_field(level)]


def parse_record(record: Mapping[str, Any]) -> ProcedureData:
    """Parse one crawl record.

    Raises:
        RecordParseError: when the record is not a mapping or has no usable code or name.
    """
    if not isinstance(record, Mapping):
        raise RecordParseError(
            UNKNOWN_CODE, f"bản ghi không phải đối tượng JSON (got {type(record).__name__})."
        )
    flags: dict[str, str] = {}
    code, name = _identity(record, flags)
    raw = {key: _text(record, key, flags) for key in RAW_FIELDS if key in record}

    time_hints = find_time_statements([raw.get("trinh_tu_thuc_hien", ""), raw.get("yeu_cau_dieu_kien", "")])
    channels = parse_channels(raw.get("cach_thuc_thuc_hien", ""), time_hints)
    documents = parse_documents(raw.get("thanh_phan_ho_so", ""))
    legal = parse_legal_basis(raw.get("can_cu_phap_ly", ""))
    steps = parse_steps(raw.get("trinh_tu_thuc_hien", ""))
    result = clean_result(raw.get("ket_qua_xu_ly", ""))

    _flag(flags, "channels", channels.problems)
    _flag(flags, "documents", documents.problems)
    _flag(flags, "legal_basis", legal.problems)
    _flag(flags, "steps", steps.problems)
    if has_debris(result):
        flags["result"] = "portal interface text may remain"
    levels = _levels(raw.get("cap_thuc_hien", ""))
    if not levels:
        flags["levels"] = "no level given"

    texts = {target: clean_field(raw.get(source, "")) for source, target in TEXT_FIELDS.items()}
    try:
        return ProcedureData(
            code=code,
            name=name,
            levels=levels,
            ministry=clean_field(raw.get("_bo_nganh", "")),
            channels=channels.channels,
            documents=documents.documents,
            steps=steps.steps,
            result=result,
            legal_basis=legal.documents,
            source_url=clean_field(raw.get("detail_url", "")),
            raw=raw,
            review_flags=flags,
            **texts,
        )
    except ValidationError as exc:
        logger.warning("Record %s failed validation: %s", code, exc.errors()[0].get("msg"))
        raise RecordParseError(code, f"dữ liệu không hợp lệ ({exc.errors()[0].get('msg')}).") from exc
