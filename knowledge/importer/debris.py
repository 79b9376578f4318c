"""Remove the portal's user-interface text that the crawl captured together with field values.

The result field (ket_qua_xu_ly) lists each result followed by its catalogue code ("Mã: KQ.G01.000064"),
then the page's "Từ khóa" / "Mô tả" boxes and the agency picker ("Chọn cơ quan thực hiện…Nộp hồ sơ").
"""

from __future__ import annotations

import re

from knowledge.importer.text_cleanup import clean_field, one_line

_RESULT_CODE = re.compile(r"Mã: ?KQ(?:\.[A-Z]?\d+)*")
_KEYWORDS = "Từ khóa"
_DESCRIPTION = "Mô tả"
_PICKER = "Chọn cơ quan thực hiện"
_PICKER_TAIL = re.compile(r"Chọn cơ quan thực hiện.*$", re.S)


def split_result(text: str) -> tuple[list[str], str]:
    """The result names and the portal's result description (empty when it says nothing)."""
    body = _PICKER_TAIL.sub("", text)
    description = ""
    keywords_at = body.rfind(_KEYWORDS)
    if keywords_at >= 0:
        tail = body[keywords_at:]
        body = body[:keywords_at]
        description_at = tail.find(_DESCRIPTION)
        if description_at >= 0:
            description = clean_field(tail[description_at + len(_DESCRIPTION) :])
    names = [one_line(part).strip(" ;") for part in _RESULT_CODE.split(body)]
    return [name for name in names if clean_field(name)], description


def clean_result(text: str) -> str:
    """The result text a citizen reads: one result per line, without portal debris."""
    names, description = split_result(text)
    lines = list(dict.fromkeys(names))
    if description and description not in lines:
        lines.append(description)
    return "\n".join(lines)


def has_debris(text: str) -> bool:
    """True when portal UI text is still present (used to verify the cleanup)."""
    return bool(_RESULT_CODE.search(text)) or _PICKER in text or "Nộp hồ sơ" in text[-12:]
