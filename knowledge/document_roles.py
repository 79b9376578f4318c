"""Sort the entries of a procedure's document table into what a citizen brings, what only some bring, and notes.

The portal's document table mixes three kinds of entries under one heading: papers everyone submits,
papers needed only in a stated case ("Trường hợp trẻ em bị bỏ rơi thì phải có biên bản…", authorisation,
papers issued abroad), and sentences that are not papers at all (duties of the receiving official, rules about
copies, data that VNeID or the population database replaces). A citizen reading on a phone needs the first kind
first. The roles are derived from the text each time an answer is rendered, so staff edits and older stored rows
get the same treatment as a fresh import.

Every pattern here is a literal alternation anchored at the start of a short text or searched once without nested
quantifiers, so classifying stays linear in the length of the entry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from knowledge import texts_vi as t
from knowledge.importer.document_table import is_replaceable_by_data
from knowledge.schemas import RequiredDocument


class Role(StrEnum):
    """What an entry of the document table asks of the citizen."""

    BRING = "bring"
    IF = "if"
    NOTE = "note"
    DATA = "data"  # a note saying VNeID or a database replaces a paper


@dataclass(frozen=True)
class DocumentRole:
    """One document entry with its role, the case it applies to and a short name for a phone screen."""

    document: RequiredDocument
    role: Role
    condition: str = ""
    short: str = ""
    presented: bool = False  # shown at the desk rather than handed in


# Numbering the portal keeps in front of entries: "(i)", "a)", "1.", "1.2.", "-", "+", "•".
_ENUMERATION = re.compile(r"^(?:[-+•*–]\s*)?(?:\(?(?:[ivx]{1,4}|[a-zđ]|\d{1,2}(?:\.\d{1,2}){0,2})[).]\s+)?", re.I)
_CASE_OPENING = re.compile(
    r"^(?:trường hợp|đối với|nếu|riêng|khi |ngoài ra|ngoài giấy tờ|ngoài các giấy tờ|với trường hợp|"
    r"tùy từng trường hợp)",
    re.I,
)
_AUTHORISATION = re.compile(
    r"^(?:bản sao |bản chính )?(?:văn bản|giấy|hợp đồng) (?:ủy|uỷ) quyền", re.I
)
_FOREIGN = re.compile(r"nước ngoài cấp|của nước ngoài|hợp pháp hóa lãnh sự|hợp pháp hoá lãnh sự", re.I)
_OFFICIAL_SUBJECT = re.compile(
    r"^(?:người tiếp nhận|cơ quan|cán bộ|công chức|bộ phận|ủy ban|uỷ ban|ubnd|sở |phòng |trung tâm|"
    r"người có thẩm quyền|tổ chức hành nghề công chứng|công chứng viên|người thực hiện chứng thực)",
    re.I,
)
_DUTY = re.compile(
    r"có trách nhiệm|chịu trách nhiệm|từ chối (?:giải quyết|tiếp nhận|thực hiện|cấp|đăng ký)|không được yêu cầu|"
    r"thực hiện khai thác|khai thác thông tin|"
    r"tra cứu|kiểm tra, đối chiếu|hủy bỏ kết quả|huỷ bỏ kết quả|giải thích rõ",
    re.I,
)
_RULE_OPENING = re.compile(
    r"^(?:cá nhân có quyền|việc |giá trị sử dụng|thời hạn|trong thời hạn|bản chụp các giấy tờ|"
    r"người (?:có )?yêu cầu[^,;.]{0,40} có thể|người (?:có )?yêu cầu[^,;.]{0,40} được|lưu ý|chú ý|ghi chú|"
    r"số lượng hồ sơ)",
    re.I,
)
# After "Trường hợp X thì", what makes the entry an instruction rather than a paper to bring.
_CASE_NOTE_TAIL = re.compile(
    r"^(?:cơ quan|người tiếp nhận|cán bộ|không phải|không cần|chỉ cần|được |người (?:có )?yêu cầu (?:được|có thể)|"
    r"sử dụng|thực hiện|việc )",
    re.I,
)
_NOTE_GROUP = re.compile(r"lưu ý|ghi chú|chú ý", re.I)
_PRESENT_GROUP = re.compile(r"xuất trình", re.I)
_INLINE_CASE = re.compile(r"\s(?:trong trường hợp|đối với trường hợp|trường hợp)\s", re.I)
_IF_ANY = re.compile(r"\((?:nếu có|nếu có yêu cầu|trường hợp có)\)", re.I)
_SUBJECT_MUST = re.compile(
    r"^(?:công dân|người|tổ chức|doanh nghiệp|cá nhân|bên|chủ)[^;:.]{0,120}? phải (?:nộp|có|xuất trình|bổ sung)\s",
    re.I,
)
# Application forms are needed in every case a group title names; their group only picks the variant.
_FORM_OPENING = re.compile(
    r"^(?:\d{1,2} )?(?:tờ khai|đơn|giấy đề nghị|văn bản đề nghị|phiếu|bản khai|mẫu|tờ trình|giấy đăng ký|"
    r"bản đăng ký|đề nghị)",
    re.I,
)
_THEN = re.compile(r"\sthì\s", re.I)
_CONDITION_END = re.compile(r"\s(?:phải|cần)\s|[,;:.]", re.I)
_ASKS_FOR = re.compile(
    r"\s(?:phải|cần) (?:gửi kèm theo|kèm theo|có|nộp|bổ sung|xuất trình|cung cấp)\s", re.I
)
_MAX_CONDITION = 70

# Where an entry may be cut so the remaining words still read as a whole: strongest first.
_STRONG_BREAKS = ("; ", ". ", ": ", " (")
_WEAK_BREAKS = (", ", " hoặc ", " trong trường hợp ", " đối với ", " theo quy định", " do ", " để ", " theo ")
_FILE_NAME_TOKEN = re.compile(r"\S*\.(?:docx?|pdf|xlsx?|rtf|odt|zip|rar)\b|(?<=\))\.\d{1,2}\.[A-Za-z]\S*", re.I)
_FORM_CODE = re.compile(r"\b[Mm]ẫu(?: số)? ([A-ZĐ0-9][A-ZĐ0-9./-]{1,14})")


def fold_nfc(text: str) -> str:
    """NFC and single spaces: the crawl mixes composed and decomposed letters."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def strip_enumeration(text: str) -> str:
    """Drop the portal's "(i)", "a)", "1.2." or dash in front of an entry."""
    return _ENUMERATION.sub("", fold_nfc(text), count=1).lstrip(" -+•*–")


def classify(document: RequiredDocument, procedure_name: str = "") -> DocumentRole:
    """The role of one entry, the case it depends on and its short name."""
    role, condition, short, presented = _classify_text(
        document.name, document.group, bool(document.original_count or document.copy_count),
        document.form_template, "nước ngoài" in procedure_name.casefold(),
    )
    return DocumentRole(document, role, condition=condition, short=short, presented=presented)


@lru_cache(maxsize=16384)
def _classify_text(
    name: str, group_title: str, counted: bool, form_template: str, foreign_procedure: bool
) -> tuple[Role, str, str, bool]:
    """Classification from the entry's texts alone, cached: every answer of a procedure classifies its list."""
    document = RequiredDocument(name=name, group=group_title, original_count=1 if counted else None,
                                form_template=form_template)
    result = _classify(document, "nước ngoài" if foreign_procedure else "")
    return result.role, result.condition, result.short, result.presented


def _classify(document: RequiredDocument, procedure_name: str) -> DocumentRole:
    text = strip_enumeration(document.name)
    group = fold_nfc(document.group)
    presented = bool(_PRESENT_GROUP.search(group))
    short = shorten(text, document.form_template)
    lowered = text.casefold()
    if not text or text.endswith(":") or _NOTE_GROUP.search(group):
        return DocumentRole(document, Role.NOTE, short=short, presented=presented)
    if is_replaceable_by_data(text) and not document.original_count:
        return DocumentRole(document, Role.DATA, short=short, presented=presented)
    first_clause = lowered[: _first_break(lowered)]
    if _OFFICIAL_SUBJECT.match(text) or _RULE_OPENING.match(text) or _DUTY.search(first_clause):
        return DocumentRole(document, _note_or_data(text), short=short, presented=presented)
    if _CASE_OPENING.match(text):
        condition, rest = _case_split(text)
        if _CASE_NOTE_TAIL.match(rest) or _DUTY.search(rest[:120]):
            return DocumentRole(document, _note_or_data(text), short=short, presented=presented)
        paper = shorten(_paper_after_case(rest), document.form_template) if rest else short
        return DocumentRole(document, Role.IF, condition=condition, short=paper or short, presented=presented)
    if _AUTHORISATION.match(text):
        return DocumentRole(document, Role.IF, condition=_authorisation_condition(text), short=short,
                            presented=presented)
    if _FOREIGN.search(first_clause) and "nước ngoài" not in procedure_name.casefold():
        return DocumentRole(document, Role.IF, condition=_FOREIGN_CONDITION, short=short, presented=presented)
    if _FORM_OPENING.match(text) and not _CASE_OPENING.match(group):
        # "Tờ khai … theo mẫu trong trường hợp người yêu cầu là cá nhân": the case picks the form's variant;
        # the citizen fills one in whatever the case.
        return DocumentRole(document, Role.BRING, short=short, presented=presented)
    inline = _INLINE_CASE.search(first_clause)
    if inline:
        condition = _clip_condition(text[inline.end():])
        return DocumentRole(document, Role.IF, condition=condition, short=short, presented=presented)
    if _IF_ANY.search(_first_sentence(text)):
        return DocumentRole(document, Role.IF, condition=_IF_ANY_CONDITION, short=short, presented=presented)
    subject = _SUBJECT_MUST.match(text)
    if subject:
        condition = _clip_condition(re.split(r" phải ", text, maxsplit=1)[0])
        paper = shorten(_paper_after_case(text), document.form_template)
        return DocumentRole(document, Role.IF, condition=condition, short=paper or short, presented=presented)
    group_case = _CASE_OPENING.match(group)
    if group_case and not _FORM_OPENING.match(text):
        return DocumentRole(document, Role.IF, condition=_clip_condition(_case_split(group)[0] or group),
                            short=short, presented=presented)
    return DocumentRole(document, Role.BRING, short=short, presented=presented)


def is_application_form(name: str) -> bool:
    """True for the form the citizen fills in ("Tờ khai…", "Đơn đề nghị…", "Phiếu…")."""
    return bool(_FORM_OPENING.match(strip_enumeration(name)))


def classify_all(documents: list[RequiredDocument], procedure_name: str = "") -> list[DocumentRole]:
    """Every entry in portal order, with papers listed twice (once per case group) kept once."""
    roles: list[DocumentRole] = []
    brought: list[str] = []
    for document in documents:
        role = classify(document, procedure_name)
        if role.role is Role.BRING:
            key = role.short.casefold().rstrip("…")
            if any(key.startswith(seen) or seen.startswith(key) for seen in brought):
                continue
            brought.append(key)
        roles.append(role)
    return roles


def shorten(text: str, form_template: str = "", limit: int = 90) -> str:
    """The entry cut at its first clause boundary, never inside a word, with its form code kept.

    "Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì…" reads as "Giấy chứng sinh"; a form named
    "(Mẫu CT01 ban hành kèm theo Thông tư…)" keeps "(mẫu CT01)".
    """
    flat = strip_enumeration(text).rstrip(" ;,.")
    leftover = _FILE_NAME_TOKEN.search(flat)
    if leftover:
        # A form file name the importer could not separate ("…chăn nuôibáo cáo.pdf"): never shown as a paper.
        flat = flat[: leftover.start()].rstrip(" ;,.:")
    cut = _first_break(flat)
    head = flat[:cut].rstrip(" ;,.:")
    if len(head) < 5:
        head = flat
    # The form's code counts when the entry names it right where the cut falls ("Tờ khai … (Mẫu CT01 …)"),
    # not when a later sentence mentions some other form or the name itself had to be shortened.
    named = _FORM_CODE.search(flat, 0, cut + 12) if len(head) <= limit else None
    if len(head) > limit:
        head = _weak_cut(head, limit)
    code = (named.group(1).rstrip("./-") if named else "") or form_code(form_template)
    if code and code.casefold() not in head.casefold():
        head = f"{head} (mẫu {code})"
    return head


def form_code(text: str) -> str:
    """The form's code ("CT01", "DC02", "TP/HT-2025") when the text names one."""
    match = _FORM_CODE.search(text)
    return match.group(1).rstrip("./-") if match else ""


def _first_break(text: str) -> int:
    positions = [text.find(mark) for mark in _STRONG_BREAKS]
    found = [p for p in positions if p > 0]
    return min(found) if found else len(text)


def _first_sentence(text: str) -> str:
    ends = [p for p in (text.find("; "), text.find(". ")) if p > 0]
    return text[: min(ends)] if ends else text


def _weak_cut(text: str, limit: int) -> str:
    """Cut before the last weak clause boundary under `limit`, else at the last space, with an ellipsis."""
    window = text[:limit]
    best = max((window.rfind(mark) for mark in _WEAK_BREAKS), default=-1)
    if best < 20:
        best = window.rfind(" ")
    if best <= 0:
        return window
    return window[:best].rstrip(" ,;:") + "…"


def _case_split(text: str) -> tuple[str, str]:
    """("bị bỏ rơi", "phải có biên bản…") from "Trường hợp trẻ em bị bỏ rơi thì phải có biên bản…"."""
    opening = _CASE_OPENING.match(text)
    body = text[opening.end():].lstrip() if opening else text
    then = _THEN.search(body, 0, 240)
    if then is not None:
        return _clip_condition(body[: then.start()]), body[then.end():].lstrip(" ,;:")
    end = _CONDITION_END.search(body)
    if end is None:
        return _clip_condition(body), ""
    rest = body[end.end():].lstrip(" ,;:")
    return _clip_condition(body[: end.start()]), rest


def _paper_after_case(rest: str) -> str:
    """The paper a case asks for: "phải có biên bản …" → "biên bản …", capitalised."""
    asks = _ASKS_FOR.search(f" {rest}", 0, 160)
    if asks is not None:
        rest = f" {rest}"[asks.end():]
    cleaned = re.sub(r"^(?:thì\s+)?(?:phải\s+)?(?:gửi kèm theo|kèm theo|có|nộp|bổ sung|xuất trình|cung cấp)?\s*",
                     "", rest, count=1, flags=re.I)
    cleaned = re.sub(r"^(?:thêm\s+)?", "", cleaned, count=1, flags=re.I)
    return cleaned[:1].upper() + cleaned[1:] if cleaned else ""


def _clip_condition(text: str) -> str:
    flat = fold_nfc(text)
    for mark in (". ", "; "):
        if mark in flat:
            flat = flat.split(mark, 1)[0]
    flat = flat.strip(" ,;:.")
    flat = re.sub(r"^(?:trường hợp|đối với|nếu)\s+", "", flat, flags=re.I)
    if len(flat) <= _MAX_CONDITION:
        return flat
    return _weak_cut(flat, _MAX_CONDITION)


def _note_or_data(text: str) -> Role:
    return Role.DATA if is_replaceable_by_data(text) else Role.NOTE


def _authorisation_condition(text: str) -> str:
    inline = _INLINE_CASE.search(text)
    if inline:
        return _clip_condition(text[inline.end():])
    return _AUTHORISATION_CONDITION


_AUTHORISATION_CONDITION = t.CONDITION_AUTHORISATION
_FOREIGN_CONDITION = t.CONDITION_FOREIGN
_IF_ANY_CONDITION = t.CONDITION_IF_ANY
