"""The citizen-facing rendering of a procedure, on procedures shaped like the portal's real ones."""

from __future__ import annotations

import json

import pytest

from knowledge import texts_vi as t
from knowledge.answers import (
    MAX_DOCUMENTS,
    MAX_MESSAGE_CHARS,
    TOPICS,
    AnswerMessage,
    UnknownTopic,
    clip,
    format_vnd,
    pack_lines,
    render_answer,
    split_answer_code,
    topic_payload,
)
from knowledge.document_roles import shorten
from knowledge.schemas import (
    ChannelKind,
    LegalDocument,
    ProcedurePublic,
    RequiredDocument,
    SubmissionChannel,
)


def birth_registration() -> ProcedurePublic:
    """Free at every channel, some documents replaceable by VNeID data."""
    free = {"time_text": "1 Ngày làm việc", "time_value": 1, "time_unit": "working_days",
            "fee_text": "Miễn phí", "free": True}
    return ProcedurePublic(
        code="1.001193",
        name="Thủ tục đăng ký khai sinh",
        field="Hộ tịch",
        levels=["Cấp xã"],
        applicants="Công dân Việt Nam, Người Việt Nam định cư ở nước ngoài",
        result="Giấy khai sinh",
        channels=[
            SubmissionChannel(kind=ChannelKind.ONLINE, **free),
            SubmissionChannel(kind=ChannelKind.POST, **free),
            SubmissionChannel(kind=ChannelKind.IN_PERSON, **free),
        ],
        documents=[
            RequiredDocument(name="Tờ khai đăng ký khai sinh", group="Giấy tờ phải nộp", original_count=1,
                             form_template="Tờ khai đăng ký khai sinh.docx"),
            RequiredDocument(name="Giấy chứng sinh hoặc văn bản của người làm chứng xác nhận về việc sinh",
                             group="Giấy tờ phải nộp", original_count=1),
            RequiredDocument(name="Giấy tờ tùy thân của người đi đăng ký khai sinh",
                             group="Giấy tờ phải xuất trình", original_count=1),
            RequiredDocument(name="Giấy tờ chứng minh nơi cư trú", group="Giấy tờ phải xuất trình",
                             replaceable_by_data=True),
            RequiredDocument(name="Giấy chứng nhận kết hôn của cha mẹ trẻ", group="Giấy tờ phải xuất trình",
                             replaceable_by_data=True),
        ],
        legal_basis=[
            LegalDocument(title="Luật Hộ tịch", code="60/2014/QH13"),
            LegalDocument(title="Nghị định 123/2015/NĐ-CP quy định chi tiết Luật Hộ tịch",
                          code="123/2015/NĐ-CP"),
            LegalDocument(title="Thông tư 08/2025/TT-BTP về phân định thẩm quyền", code="08/2025/TT-BTP"),
        ],
        source_url="https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd",
    )


def certified_copy() -> ProcedurePublic:
    """Paid, only in person, at two levels, with a known address and agency."""
    return ProcedurePublic(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
        field="Chứng thực",
        levels=["Cấp xã", "Cấp tỉnh"],
        competent_agency="Ủy ban nhân dân cấp xã",
        submission_address="Trung tâm Phục vụ hành chính công phường Ba Đình, 25 Phan Đình Phùng",
        channels=[
            SubmissionChannel(kind=ChannelKind.IN_PERSON, time_text="Trong ngày", fee_vnd=2000,
                              fee_text="2.000 đồng/trang"),
        ],
        documents=[RequiredDocument(name="Bản chính giấy tờ, văn bản cần chứng thực", original_count=1),
                   RequiredDocument(name="Bản sao cần chứng thực", copy_count=1)],
    )


def business_household() -> ProcedurePublic:
    """Different fee per channel, a long document list, fields awaiting review."""
    return ProcedurePublic(
        code="1.001612",
        name="Đăng ký thành lập hộ kinh doanh",
        levels=["Cấp xã"],
        channels=[
            SubmissionChannel(kind=ChannelKind.ONLINE, time_value=3, time_unit="working_days", fee_vnd=0),
            SubmissionChannel(kind=ChannelKind.IN_PERSON, time_value=3, time_unit="working_days",
                              fee_vnd=100000),
            SubmissionChannel(kind=ChannelKind.POST, time_value=3.5, time_unit="days",
                              fee_text="Theo quy định của Hội đồng nhân dân tỉnh"),
        ],
        documents=[RequiredDocument(name=f"Giấy tờ số {i} " + "rất dài " * 40, original_count=1)
                   for i in range(1, 13)],
        needs_review=["channels"],
    )


def texts(messages: list[AnswerMessage]) -> str:
    return "\n".join(m.text for m in messages)


@pytest.mark.parametrize("factory", [birth_registration, certified_copy, business_household])
@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_fits_chat_bubbles_and_ends_with_follow_ups(factory, topic: str) -> None:
    procedure = factory()
    messages = render_answer(procedure, topic)
    assert messages
    assert all(0 < len(m.text) <= MAX_MESSAGE_CHARS for m in messages)
    assert all(not m.buttons for m in messages[:-1])
    payloads = [b.payload for b in messages[-1].buttons]
    assert payloads, "the last message offers follow-ups"
    codes = [json.loads(p[p.index("{"):])["procedure_code"] for p in payloads]
    assert all(split_answer_code(code)[0] == procedure.code for code in codes)
    same_topic = [code for p, code in zip(payloads, codes, strict=True) if p.startswith(f"/ask_{topic}{{")]
    assert all(split_answer_code(code)[1] for code in same_topic), "only parts of the topic just shown"


def test_overview_names_the_procedure_and_summarises() -> None:
    messages = render_answer(birth_registration(), "overview")
    body = texts(messages)
    assert body.startswith("Thủ tục đăng ký khai sinh")
    assert "Cấp xã" in body
    assert "Giấy khai sinh" in body
    assert t.FEE_FREE_SHORT in body
    assert "1 ngày làm việc" in body
    titles = [b.title for b in messages[-1].buttons]
    assert titles == ["Giấy tờ", "Lệ phí", "Thời gian", "Nộp ở đâu", "Nộp online"]


def test_overview_offers_no_online_button_without_an_online_channel() -> None:
    titles = [b.title for b in render_answer(certified_copy(), "overview")[-1].buttons]
    assert "Nộp online" not in titles
    assert "Lệ phí" in titles


def test_button_payload_is_a_rasa_intent_with_the_code_entity() -> None:
    payload = topic_payload("fee", "1.001193")
    assert payload.startswith("/ask_fee{")
    assert json.loads(payload[len("/ask_fee"):]) == {"procedure_code": "1.001193"}


def test_documents_list_what_to_bring_with_counts_and_one_line_for_vneid_data() -> None:
    messages = render_answer(birth_registration(), "documents")
    assert len(messages) == 1, "the first documents answer fits one bubble"
    first = messages[0].text
    assert "- Tờ khai đăng ký khai sinh (1 bản chính)" in first
    assert f"- Giấy tờ tùy thân của người đi đăng ký khai sinh ({t.DOCUMENT_PRESENT})" in first
    assert t.DOCUMENTS_DATA_LINE in first
    assert t.DOCUMENTS_SOURCE.format(url=birth_registration().source_url) in first


def test_long_document_lists_are_cut_with_a_count_of_the_rest() -> None:
    messages = render_answer(business_household(), "documents")
    body = texts(messages)
    assert t.DOCUMENTS_MORE.format(count=12 - MAX_DOCUMENTS) in body
    assert f"Giấy tờ số {MAX_DOCUMENTS} " in body
    assert f"Giấy tờ số {MAX_DOCUMENTS + 1} " not in body
    assert len(messages) == 1, "shortened items keep the first answer in one bubble"
    assert t.ELLIPSIS in body, "very long document names are shortened"
    titles = [b.title for b in messages[-1].buttons]
    assert t.BUTTON_ALL_DOCUMENTS in titles and t.BUTTON_SPECIAL_CASES not in titles


def test_documents_missing_say_so() -> None:
    procedure = certified_copy().model_copy(update={"documents": []})
    assert render_answer(procedure, "documents")[0].text == t.DOCUMENTS_NONE


def test_free_fee_same_everywhere_is_one_line() -> None:
    body = texts(render_answer(birth_registration(), "fee"))
    assert t.FEE_ALL_CHANNELS.format(value=t.FEE_FREE) in body
    assert "Nộp trực tuyến" not in body


def test_fee_per_channel_when_they_differ() -> None:
    body = texts(render_answer(business_household(), "fee"))
    assert "- Nộp trực tuyến: Miễn phí" in body
    assert "- Nộp trực tiếp: 100.000 đồng" in body
    assert "- Gửi qua bưu chính: Theo quy định của Hội đồng nhân dân tỉnh" in body
    assert t.REVIEW_CAUTIONS["fee"] in body


def test_time_per_channel_with_units() -> None:
    body = texts(render_answer(business_household(), "time"))
    assert "- Nộp trực tuyến: 3 ngày làm việc" in body
    assert "- Gửi qua bưu chính: 3,5 ngày" in body
    assert t.TIME_NOTE in body


def test_time_falls_back_to_source_text() -> None:
    body = texts(render_answer(certified_copy(), "time"))
    assert "- Nộp trực tiếp: Trong ngày" in body


def test_where_uses_levels_address_and_agency() -> None:
    body = texts(render_answer(certified_copy(), "where"))
    assert t.WHERE_COMMUNE in body and t.WHERE_PROVINCE in body
    assert "25 Phan Đình Phùng" in body
    assert "Ủy ban nhân dân cấp xã" in body
    assert t.WHERE_ONLINE not in body


def test_where_mentions_post_and_online_when_available() -> None:
    body = texts(render_answer(birth_registration(), "where"))
    assert t.WHERE_POST in body and t.WHERE_ONLINE in body
    assert t.WHERE_PROVINCE not in body


def test_where_unknown_without_levels_or_agency() -> None:
    procedure = ProcedurePublic(code="9.9", name="Thủ tục thử")
    assert render_answer(procedure, "where")[0].text == t.WHERE_UNKNOWN


def test_online_explains_the_portal_and_vneid() -> None:
    body = texts(render_answer(birth_registration(), "online"))
    assert "https://dichvucong.gov.vn" in body
    assert "VNeID" in body
    assert "thời gian 1 ngày làm việc; lệ phí miễn phí" in body
    assert "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd" in body


def test_online_without_online_channel_is_honest() -> None:
    body = texts(render_answer(certified_copy(), "online"))
    assert body.startswith(t.ONLINE_NOT_AVAILABLE)
    assert "Cổng Dịch vụ công" not in body


def test_legal_lists_titles_with_codes() -> None:
    body = texts(render_answer(birth_registration(), "legal"))
    assert "- Luật Hộ tịch (60/2014/QH13)" in body
    assert "- Nghị định 123/2015/NĐ-CP quy định chi tiết Luật Hộ tịch" in body
    assert "(123/2015/NĐ-CP)" not in body, "a code already in the title is not repeated"


def test_unknown_topic_is_rejected() -> None:
    with pytest.raises(UnknownTopic, match="'weather'"):
        render_answer(birth_registration(), "weather")


def test_pack_lines_never_exceeds_limit_and_keeps_order() -> None:
    lines = [f"dòng {i} " + "x" * 30 for i in range(20)]
    packed = pack_lines(lines, limit=100)
    assert all(len(m) <= 100 for m in packed)
    assert "\n".join(packed).split("\n") == [clip(line, 100) for line in lines]


def test_clip_cuts_at_a_word_and_marks_it() -> None:
    assert clip("một   hai\nba", 50) == "một hai ba"
    clipped = clip("giấy tờ chứng minh nơi cư trú của người yêu cầu", 20)
    assert clipped.endswith(t.ELLIPSIS) and len(clipped) <= 20
    assert clipped[:-1] == "giấy tờ chứng minh"


def test_format_vnd_uses_dots() -> None:
    assert format_vnd(1500000) == "1.500.000"
    assert format_vnd(500) == "500"


def test_documents_everyone_needs_come_before_conditional_ones() -> None:
    procedure = ProcedurePublic(code="1.001193", name="Thủ tục đăng ký khai sinh", documents=[
        RequiredDocument(name="- Trường hợp trẻ em bị bỏ rơi thì phải có biên bản về việc trẻ bị bỏ rơi.",
                         original_count=1),
        RequiredDocument(name="Tờ khai đăng ký khai sinh", original_count=1),
        RequiredDocument(name="Nếu ủy quyền thì có văn bản ủy quyền", original_count=1),
        RequiredDocument(name="Giấy chứng sinh", original_count=1),
    ])
    text = render_answer(procedure, "documents")[0].text
    positions = [text.index(fragment) for fragment in ("Tờ khai", "Giấy chứng sinh", "bỏ rơi", "ủy quyền")]
    assert positions == sorted(positions)


def test_a_shortened_paper_keeps_its_own_form_code_only() -> None:
    assert shorten("Tờ khai thay đổi thông tin cư trú (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA)") == (
        "Tờ khai thay đổi thông tin cư trú (mẫu CT01)")
    assert shorten("Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng") == (
        "Giấy chứng sinh")
    long_name = ("Phiếu CC01 được tạo lập khi trích xuất thông tin của công dân trong Cơ sở dữ liệu quốc gia về dân "
                 "cư và in trong quá trình thu nhận hồ sơ căn cước (mẫu DC01 đính kèm)")
    assert "DC01" not in shorten(long_name), "a code the shortened name does not reach is not shown"
    short = shorten(long_name).removesuffix(t.ELLIPSIS)
    assert long_name.startswith(short) and long_name[len(short)] == " ", "cut between two words"
