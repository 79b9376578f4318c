"""Find processing-time statements in a procedure's own text ("Trong thời hạn 03 ngày làm việc kể từ…").

The channel table often loses the time unit ("Trực tuyến1Miễn phí"), while the steps usually say it in full.
A table number that the text states with exactly one unit is recovered with certainty; a table number the text
never states is a disagreement the answer shows (the text's sentence) and staff review. Patterns are bounded
alternations searched once over the text, so they stay linear in its length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.importer.text_cleanup import normalize

UNIT_WORDS: dict[str, str] = {
    "ngày làm việc": "working_days",
    "giờ làm việc": "working_hours",
    "ngày": "days",
    "giờ": "hours",
    "tháng": "months",
    "tuần": "weeks",
}

_NUMBER_UNIT = re.compile(
    r"(?<![\d/.,])(?<!ngày )(\d{1,3})(?: ?\([^()\n]{1,24}\))? (ngày làm việc|giờ làm việc|ngày|giờ|tháng|tuần)"
    r"(?![\w/])(?! ?\d)",
    re.I,
)
_NEXT_WORKING_DAY = re.compile(r"trong ngày làm việc tiếp theo|ngày làm việc tiếp theo", re.I)
# Deadlines set for the citizen or for steps other than handing back the result.
_NOT_PROCESSING = re.compile(
    r"trước khi|trước ngày|bổ sung|hoàn thiện|sửa đổi|khiếu nại|niêm yết|kể từ ngày có người chết|"
    r"thời gian làm việc|kể từ ngày sinh|kể từ ngày phát sinh|có giá trị|hiệu lực|chậm nhất là ngày|lưu trữ|"
    r"thời hạn tạm trú",
    re.I,
)
_PROCESSING = re.compile(
    r"kể từ (?:ngày|khi|thời điểm) (?:cơ quan [^,.;]{0,60})?(?:nhận|tiếp nhận)|trả kết quả|giải quyết|"
    r"kể từ ngày nhận đủ|kể từ khi nhận đủ",
    re.I,
)
_SENTENCE_BREAK = re.compile(r"[.;!?]\s|\n")
_MAX_STATEMENT = 140


@dataclass(frozen=True)
class TimeStatement:
    """A duration the text states, with the sentence that says it."""

    value: float
    unit: str
    sentence: str
    processing: bool  # the sentence reads as the time to hand back the result


def find_time_statements(texts: Iterable[str]) -> list[TimeStatement]:
    """Every number-with-unit duration in `texts`, in order, with the clause around it."""
    statements: list[TimeStatement] = []
    for raw in texts:
        text = normalize(raw)
        if not text:
            continue
        for match in _NUMBER_UNIT.finditer(text):
            statements.append(_statement(text, match.start(), match.end(), float(match.group(1)),
                                         UNIT_WORDS[match.group(2).casefold()]))
        for match in _NEXT_WORKING_DAY.finditer(text):
            statements.append(_statement(text, match.start(), match.end(), 1.0, "working_days"))
    return statements


def unit_for(value: float, statements: Sequence[TimeStatement]) -> str | None:
    """The unit the text gives `value` when every statement of that number agrees on one."""
    units = {s.unit for s in statements if s.value == value and s.processing}
    if not units:
        units = {s.unit for s in statements if s.value == value}
    return units.pop() if len(units) == 1 else None


def main_statement(statements: Sequence[TimeStatement]) -> TimeStatement | None:
    """The first statement that reads as the time to hand back the result, if any."""
    return next((s for s in statements if s.processing), None)


def _statement(text: str, start: int, end: int, value: float, unit: str) -> TimeStatement:
    sentence_start = 0
    for found in _SENTENCE_BREAK.finditer(text, max(0, start - 200), start):
        sentence_start = found.end()
    tail = _SENTENCE_BREAK.search(text, end)
    sentence = text[sentence_start : tail.start() if tail else len(text)]
    rel_start, rel_end = start - sentence_start, end - sentence_start
    begin = 0 if rel_start <= 80 else sentence.rfind(" ", 0, rel_start - 50) + 1
    clause_end = sentence.find(", ", rel_end)
    finish = clause_end if clause_end >= 0 else len(sentence)
    if finish - begin > _MAX_STATEMENT:
        space = sentence.rfind(" ", rel_end, begin + _MAX_STATEMENT)
        finish = space if space > 0 else rel_end
    shown = sentence[begin:finish].strip(" -+•*:,;")
    if begin > 0:
        shown = "…" + shown
    if finish < len(sentence) and clause_end != finish:
        shown += "…"
    processing = bool(_PROCESSING.search(sentence)) and not _NOT_PROCESSING.search(sentence)
    return TimeStatement(value=value, unit=unit, sentence=shown, processing=processing)
