"""Parse the portal's legal basis table (can_cu_phap_ly) into titles and document codes.

Cells were joined without separators: "Tên văn bản pháp lýMã văn bản" then, per entry, the title
and the code, e.g. "Luật 54/2014/QH1354/2014/QH13Thông tư 92/2015/TT-BTC92/2015/TT-BTC". A code cell
is a code glued to the next title (or at the end); a code followed by a space belongs to a title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.importer.text_cleanup import NO_INFORMATION, is_upper_letter, one_line
from knowledge.schemas import LegalDocument

HEADER = "Tên văn bản pháp lýMã văn bản"

# Number (66.7 allowed), optional year, then the issuer part, e.g. 85/2019/TT-BTC, 163/QĐ-BTP.
_CODE_CANDIDATE = re.compile(
    r"(?:(?<![\d/])|(?<=[/ ]\d{4})|(?<=QH\d{2}))"  # not inside a number, unless glued to a year
    r"\d{1,4}(?:\.\d+)?/(?:\d{4}/)?"
    r"(?:(?:UBTV)?QH\d{2}|[A-ZĐ](?:[^\W\d_]|-)*(?:(?<=QH)\d{2})?)"
)
_LEGISLATURE = re.compile(r"(?:UBTV)?QH\d{2}")
ISSUER_PARTS = frozenset(
    "CP TTg QH UBTVQH NQ NĐ TT TTLT QĐ CT BTC BTP BCA NHNN BNNMT BGTVT BXD BKHĐT BNNPTNT BTNMT BHXH BCT BYT "
    "BLĐTBXH BNV BQP BTTTT BVHTTDL BGDĐT BKHCN BNG TANDTC HĐTP VKSNDTC KTNN UBCKNN UBND HĐND BDT VPCP "
    "TCHQ TCT TCT-BTC".split()
)
_TRAILING_KIND = re.compile(
    r"(?:Luật|Bộ luật|Nghị định|Thông tư(?: liên tịch)?|Quyết định|Nghị quyết|Pháp lệnh|Lệnh|Văn bản)"
    r"(?: số)?\s*$"
)


@dataclass
class LegalTable:
    """Legal documents read from one table and what looked doubtful while reading them."""

    documents: list[LegalDocument] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _trim_part(part: str) -> tuple[str, bool]:
    """Cut one issuer part where the next title starts; also says whether it was cut."""
    if part in ISSUER_PARTS:
        return part, False
    run_length = 0
    while run_length < len(part) and is_upper_letter(part[run_length]):
        run_length += 1
    run = part[:run_length]
    if run_length == len(part):
        for known_length in range(len(run) - 1, 0, -1):
            if run[:known_length] in ISSUER_PARTS and is_upper_letter(run[known_length]):
                return run[:known_length], True
        return run, False
    if run in ISSUER_PARTS:
        return run, True
    if run_length <= 1:
        return "", True
    return run[:-1], True


def _trim_code(raw: str) -> str:
    """Cut a code candidate where the next title starts: "TT-BTCThông" → "TT-BTC", "CPhướng" → "CP"."""
    number, _, issuer = raw.rpartition("/")
    legislature = _LEGISLATURE.match(issuer)
    if legislature:
        return f"{number}/{legislature.group(0)}"
    kept: list[str] = []
    for part in issuer.split("-"):
        if not part:
            break
        legislature_part = _LEGISLATURE.match(part)
        if legislature_part:
            kept.append(legislature_part.group(0))
            break
        if part.startswith("TTg"):
            kept.append("TTg")
            break
        trimmed, was_cut = _trim_part(part)
        if trimmed:
            kept.append(trimmed)
        if was_cut or not trimmed:
            break
    issuer = "-".join(kept)
    return f"{number}/{issuer}" if issuer else ""


def find_codes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, code) of every legal document code in the text."""
    found = []
    for match in _CODE_CANDIDATE.finditer(text):
        code = _trim_code(match.group(0))
        if code:
            found.append((match.start(), match.start() + len(code), code))
    return found


def _is_code_cell(text: str, start: int, end: int, code: str, next_start: int | None) -> bool:
    if end >= len(text.rstrip()):
        return True
    following = text[end]
    if following.isspace():
        # "...Bộ Tư pháp08/2025/TT-BTP Nghị định...": glued on the left, a new title after the space.
        glued_left = start > 0 and not text[start - 1].isspace()
        next_text = text[end:].lstrip()
        return glued_left and bool(next_text) and is_upper_letter(next_text[0])
    if following in ",;.:)(":
        return False
    # "Luật 54/2014/QH13" + "54/2014/QH13": the first one ends the title, the second is the cell.
    return not (next_start == end and text.startswith(code, end))


def _clean_title(title: str, code: str) -> str:
    cleaned = one_line(title).strip(" ,;:-")
    trailing = _TRAILING_KIND.search(cleaned)
    if trailing and trailing.start() > 0 and not cleaned[trailing.start() - 1].isspace():
        cleaned = cleaned[: trailing.start()].strip()
    return cleaned or code


def parse_legal_basis(text: str) -> LegalTable:
    """Parse the legal basis field into LegalDocument(title, code) entries, in portal order."""
    table = LegalTable()
    body = text.strip()
    if body.startswith(HEADER):
        body = body[len(HEADER) :]
    elif body and not body.startswith(NO_INFORMATION):
        table.problems.append("legal basis header missing")
    if not body.strip() or body.strip().startswith(NO_INFORMATION):
        return table
    codes = find_codes(body)
    position = 0
    for index, (start, end, code) in enumerate(codes):
        next_start = codes[index + 1][0] if index + 1 < len(codes) else None
        if start < position or not _is_code_cell(body, start, end, code, next_start):
            continue
        title = body[position:start]
        position = end
        table.documents.append(LegalDocument(title=_clean_title(title, code), code=code))
    rest = one_line(body[position:]).strip(" ,;:-")
    if rest:
        table.documents.append(LegalDocument(title=rest, code=""))
        table.problems.append(f"legal entry without a code ({rest[:60]!r})")
    return table
