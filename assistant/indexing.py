"""The one place that decides which text of a procedure the search index sees."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.documents import IndexDocument
from knowledge.schemas import ProcedureBase

SUMMARY_CHARS = 240
RESULT_CHARS = 160
APPLICANT_CHARS = 90

# The portal appends its own UI labels to the result cell ("Mã: KQ…", "Chọn cơ quan thực hiện…").
_RESULT_NOISE = re.compile(r"(Mã\s*:|Từ khóa|Mô tả|Chọn cơ quan thực hiện|Nộp hồ sơ\s*$)")
_STEP_LABEL = re.compile(r"^\s*(Bước\s*\d+\s*[:.\-]?)\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _clip(text: str, limit: int) -> str:
    text = _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def _clean_result(result: str) -> str:
    match = _RESULT_NOISE.search(result)
    return _clip(result[: match.start()] if match else result, RESULT_CHARS)


def build_index_document(procedure: ProcedureBase, aliases: Sequence[str]) -> IndexDocument:
    """Name, field, levels, result, a short citizen-facing summary and the staff aliases.

    The summary stays short on purpose: the bundled embedding model is small and a long text dilutes
    what the procedure is about. It names who may apply and how the procedure starts, which is what a
    citizen's question tends to echo ("cho con", "người nước ngoài", "nộp tại xã").
    """
    first_step = _STEP_LABEL.sub("", procedure.steps[0]) if procedure.steps else ""
    parts = [part for part in (_clip(procedure.applicants, APPLICANT_CHARS), first_step.strip()) if part]
    summary = _clip(". ".join(parts), SUMMARY_CHARS)
    cleaned_aliases = tuple(dict.fromkeys(a.strip() for a in aliases if a and a.strip()))
    return IndexDocument(
        code=procedure.code,
        name=_SPACES.sub(" ", procedure.name).strip(),
        field=procedure.field.strip(),
        levels=tuple(level.strip() for level in procedure.levels if level.strip()),
        summary=summary,
        result=_clean_result(procedure.result),
        aliases=cleaned_aliases,
    )
