"""Answers to the most asked procedures, checked against what each procedure's own portal text says.

The procedures are those staff attached citizen wordings to (knowledge/seed/aliases.json): births, deaths,
marriages, residence, ID cards, land, household businesses, certification, health insurance. Expectations are
read from the portal record itself (the document table, the channel table), never written out by hand.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest

from assistant.config import PROJECT_ROOT
from knowledge import texts_vi as t
from knowledge.answers import MAX_DOCUMENTS, format_vnd, render_answer, split_answer_code
from knowledge.audit import public_from_data
from knowledge.importer import parse_record, read_portal_file
from knowledge.schemas import ProcedurePublic

SEED = PROJECT_ROOT / "knowledge" / "seed"
MOST_ASKED: tuple[str, ...] = tuple(json.loads((SEED / "aliases.json").read_text(encoding="utf-8")))

# How an entry of the portal's document table reads when it is a case, not a paper everyone brings.
_CASE_OR_NOTE = re.compile(
    r"^(?:[-+•*]\s*)?(?:\(?[ivx\d]{1,4}[).]\s*)?(?:Trường hợp|Đối với|Nếu|Khi |Văn bản ủy quyền|Văn bản uỷ quyền|"
    r"Người tiếp nhận|Cơ quan|Lưu ý)",
)
# Application forms the portal names at the start of an entry: "Tờ khai …", "Đơn đề nghị …", "Phiếu …".
_FORM_ENTRY = re.compile(r"(?:^|bản chính|bản sao|\n|- )\s*((?:Tờ khai|Đơn đề nghị|Giấy đề nghị|Phiếu)[^.;(:\n]{3,60})")
_TIME_CELL = re.compile(r"(?:Trực tuyến|Dịch vụ bưu chính|Trực tiếp)(\d+) ?(Ngày làm việc|Ngày|Giờ|Tháng)")
_COUNT_CELL = re.compile(r"\d bản chính(?:,\d bản sao)?")
_UNIT_WORD = re.compile(r"ngày|giờ|tháng|tuần|năm|không ghi đơn vị|chưa có thông tin|trong ngày", re.I)
_CURRENCY_WORD = re.compile(r"đồng|USD|%|Miễn phí|miễn", re.I)


@cache
def _records() -> dict[str, dict[str, Any]]:
    wanted = set(MOST_ASKED)
    return {line.record["ma_thu_tuc"]: line.record
            for line in read_portal_file(SEED / "dvc_procedures_2642.jsonl.gz")
            if line.record is not None and line.record.get("ma_thu_tuc") in wanted}


def _procedure(code: str) -> tuple[ProcedurePublic, dict[str, Any]]:
    record = _records()[code]
    return public_from_data(parse_record(record)), record


def _first_words(text: str, count: int = 4) -> str:
    return " ".join(text.split()[:count]).casefold()


def _items(answer: str) -> list[str]:
    return [line[2:] for line in answer.split("\n") if line.startswith(t.LIST_BULLET)]


def test_at_least_thirty_most_asked_procedures_are_in_the_seed() -> None:
    assert len([code for code in MOST_ASKED if code in _records()]) >= 30


def _names_a_paper_for_everyone(record: dict[str, Any]) -> bool:
    """Whether the portal's document table has an entry that is neither a case nor a note."""
    table = record["thanh_phan_ho_so"].replace("Tên giấy tờMẫu đơn, tờ khaiSố lượng", "\n")
    entries = [entry.strip() for entry in _COUNT_CELL.split(table)]
    return any(entry and not _CASE_OR_NOTE.match(entry.split("\n")[-1].strip()) for entry in entries)


@pytest.mark.parametrize("code", MOST_ASKED)
def test_first_documents_answer_opens_with_a_paper_to_bring(code: str) -> None:
    procedure, record = _procedure(code)
    if not _names_a_paper_for_everyone(record):
        pytest.skip("every entry of the portal's table is a case or a note")
    messages = render_answer(procedure, "documents")
    first = messages[0].text
    items = _items(first)

    assert items, "the answer lists papers"
    assert not _CASE_OR_NOTE.match(items[0]), f"opens with a case or a note: {items[0]!r}"
    assert len([m for m in messages if m.text]) == 1, "the first documents answer is one bubble"
    assert len(items) <= MAX_DOCUMENTS
    assert record["detail_url"] in first, "the source page is always one tap away"


@pytest.mark.parametrize("code", MOST_ASKED)
def test_first_documents_answer_names_the_forms_the_portal_names(code: str) -> None:
    procedure, record = _procedure(code)
    first = render_answer(procedure, "documents")[0].text.casefold()
    forms = [_first_words(m.group(1), 3) for m in _FORM_ENTRY.finditer(record["thanh_phan_ho_so"])]
    unconditional = [form for form in forms if not form.startswith(("trường hợp", "đối với"))]
    if not unconditional:
        pytest.skip("the portal names no application form for this procedure")
    assert unconditional[0] in first, f"{unconditional[0]!r} is the first form the portal names"


def test_birth_certificate_is_among_the_first_three_papers() -> None:
    procedure, record = _procedure("1.001193")
    named = re.search(r"- (Giấy chứng sinh)[;,. ]", record["thanh_phan_ho_so"])
    assert named, "the portal text names Giấy chứng sinh as an entry"

    items = _items(render_answer(procedure, "documents")[0].text)

    assert any(item.startswith(named.group(1)) for item in items[:3])
    assert not any("Người tiếp nhận" in item or "từ chối" in item for item in items)


def test_special_cases_are_one_tap_away_and_stay_on_the_procedure() -> None:
    procedure, record = _procedure("1.001193")
    buttons = render_answer(procedure, "documents")[-1].buttons
    special = next(b for b in buttons if b.title == t.BUTTON_SPECIAL_CASES)
    code = json.loads(special.payload[special.payload.index("{"):])["procedure_code"]
    plain, part = split_answer_code(code)

    answer = "\n".join(m.text for m in render_answer(procedure, part or ""))

    assert plain == "1.001193"
    for case in ("bỏ rơi", "mang thai hộ"):
        assert case in record["thanh_phan_ho_so"] and case in answer


@pytest.mark.parametrize("code", MOST_ASKED)
def test_time_answer_carries_units(code: str) -> None:
    procedure, record = _procedure(code)
    answer = "\n".join(m.text for m in render_answer(procedure, "time"))
    lines = answer.split("\n")[1:]

    for line in lines:
        if re.search(r"\d", line):
            assert _UNIT_WORD.search(line), f"a number without its unit: {line!r}"
        assert not re.search(r":\s*\d+(?:[.,]\d+)?\s*(?:\(|$)", line), f"bare number: {line!r}"
    for value, unit in _TIME_CELL.findall(record["cach_thuc_thuc_hien"]):
        assert f"{int(value)} {unit.casefold()}" in answer.casefold(), "the table's time, with its unit"


@pytest.mark.parametrize("code", MOST_ASKED)
def test_fee_answer_carries_units(code: str) -> None:
    procedure, record = _procedure(code)
    answer = "\n".join(m.text for m in render_answer(procedure, "fee"))

    for line in answer.split("\n")[1:]:
        if re.search(r"\d{3}", line):
            assert _CURRENCY_WORD.search(line), f"an amount without its currency: {line!r}"
    for amount in re.findall(r"(\d{1,3}(?:,\d{3})+) (?:Việt Nam Đồng|VNĐ)", record["cach_thuc_thuc_hien"]):
        assert format_vnd(int(amount.replace(",", ""))) in answer
    if "Miễn phí" in record["cach_thuc_thuc_hien"]:
        assert "Miễn phí" in answer


@pytest.mark.parametrize("code", MOST_ASKED)
def test_follow_up_buttons_keep_the_same_procedure(code: str) -> None:
    procedure, _ = _procedure(code)
    for topic in ("documents", "fee", "time", "where", "online"):
        buttons = render_answer(procedure, topic)[-1].buttons
        codes = {split_answer_code(json.loads(b.payload[b.payload.index("{"):])["procedure_code"])[0]
                 for b in buttons}
        assert codes == {code}
        intents = {b.payload.split("{")[0] for b in buttons}
        assert {"/ask_fee", "/ask_time", "/ask_where"} - {f"/ask_{topic}"} <= intents


def test_household_business_change_lists_its_form_and_the_time_its_text_states() -> None:
    procedure, record = _procedure("2.000720")
    form = re.search(r"Giấy đề nghị đăng ký thay đổi nội dung đăng ký hộ kinh doanh", record["thanh_phan_ho_so"])
    stated = re.search(r"Trong thời hạn (\d+) ngày làm việc", record["trinh_tu_thuc_hien"])
    table = _TIME_CELL.search(record["cach_thuc_thuc_hien"])
    assert form and stated and table is None, "the table gives the time without its unit"

    documents = _items(render_answer(procedure, "documents")[0].text)
    time = "\n".join(m.text for m in render_answer(procedure, "time"))

    assert documents[0].startswith(form.group(0))
    assert f"{stated.group(1)} ngày làm việc" in time, "the text's statement is shown"
    assert t.TIME_TEXT_DIFFERS.split("{value}")[1].strip(" )") in time, "and the table's unitless number is named"
