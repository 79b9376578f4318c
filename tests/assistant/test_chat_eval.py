"""The end-to-end evaluator's judgement of replies, against a small app that speaks `/api/chat`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from assistant import chat_eval
from assistant.chat_eval import Judged, Question, Reply, Report, judge

BIRTH = ("1.001193", "2.000986")


def reply(**parts: Any) -> Reply:
    return Reply(status=parts.pop("status", 200), latency_ms=10.0, **parts)


@pytest.mark.parametrize(("got", "label"), [
    (reply(procedures=("1.001193",)), "right"),
    (reply(procedures=("1.000894", "1.001193")), "wrong"),  # the first procedure named is the answer
    (reply(choices=("1.000894", "2.000986")), "offered"),
    (reply(choices=("1.000894",)), "offered_other"),
    (reply(choices=("1.000894", "2.000986"), outcomes=("unsure",)), "offered"),  # offered, however unsure
    (reply(outcomes=("not_found",)), "not_found"),
    (reply(outcomes=("out_of_scope",)), "out_of_scope"),
    (reply(), "other"),
    (reply(status=503), "error"),
])
def test_a_procedure_question_is_judged_by_what_the_reply_names(got: Reply, label: str) -> None:
    assert judge(Question("khai sinh", expected=BIRTH), got) == label


def test_any_procedure_or_choice_is_counted_against_an_off_topic_question() -> None:
    question = Question("kết quả bóng đá", kind="off_topic")
    assert judge(question, reply(procedures=("1.001193",))) == "procedure"
    assert judge(question, reply(choices=("1.001193",))) == "choices"
    assert judge(question, reply(outcomes=("out_of_scope",))) == "out_of_scope"
    assert judge(question, reply(choices=("1.001193",), outcomes=("unsure",))) == "unsure"


def test_unsure_offers_are_counted_apart_and_are_misses_only_off_topic() -> None:
    unsure = reply(choices=("1.001193",), outcomes=("unsure",))
    for kind, missed in (("not_in_kb", False), ("off_topic", True)):
        report = Report(name=kind, kind=kind)
        question = Question("mở thư viện tư nhân", kind=kind)
        report.rows.append(Judged(question, unsure, judge(question, unsure)))
        summary = report.summary()
        assert (summary["offered_unsure"], summary["procedure_answers"]) == (1, 0)
        assert bool(chat_eval.misses(report)) is missed


def test_choice_codes_come_from_choose_payloads_only() -> None:
    buttons = [{"payload": '/choose{"procedure_code":"1.000894"}'}, {"payload": "/human_handoff"},
               {"payload": "/choose{not json"}, {"payload": '/choose{"procedure_code":"1.000894"}'}]
    assert chat_eval.choice_codes(buttons) == ["1.000894"]


def test_question_files_need_expected_codes_or_a_kind(tmp_path: Path) -> None:
    good = tmp_path / "q.jsonl"
    good.write_text('{"question": "khai sinh", "expected": ["1.001193"], "split": "tune", "style": "abbrev"}\n\n'
                    '{"question": "giá vàng", "kind": "off_topic"}\n', encoding="utf-8")
    assert [(q.kind, q.split, q.style) for q in chat_eval.load_questions(good)] == [
        ("procedure", "tune", "abbrev"), ("off_topic", "", "")]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "khai sinh"}\n', encoding="utf-8")
    with pytest.raises(chat_eval.EvalInputError, match="bad.jsonl:1"):
        chat_eval.load_questions(bad)


def _fake_app() -> FastAPI:
    """Answers like the assistant: a procedure for "khai sinh", choices for "chứng thực", else out of scope."""
    app = FastAPI()
    issued: list[str] = []

    @app.post("/api/chat/session", status_code=201)
    def session() -> dict[str, str]:
        issued.append(f"s{len(issued)}.sig")
        return {"sender_id": issued[-1]}

    @app.post("/api/chat")
    def chat(body: dict[str, Any]) -> dict[str, Any]:
        assert body["sender_id"] in issued and issued.count(body["sender_id"]) == 1
        text = body["text"]
        if "khai sinh" in text:
            return {"messages": [{"text": "…", "buttons": [],
                                  "procedure": {"code": "1.001193", "name": "Đăng ký khai sinh"}}]}
        if "chứng thực" in text:
            return {"messages": [{"text": "1. … 2. …", "buttons": [
                {"title": "1", "payload": '/choose{"procedure_code":"2.000815"}'},
                {"title": "2", "payload": '/choose{"procedure_code":"2.000884"}'}]}]}
        return {"messages": [{"text": "Xin lỗi…", "buttons": [], "outcome": "out_of_scope"}]}

    return app


def test_every_question_gets_a_new_conversation_and_a_summary() -> None:
    questions = [Question("đăng ký khai sinh", expected=("1.001193",)),
                 Question("chứng thực bản sao", expected=("2.000884",)),
                 Question("giá vàng", expected=("1.000894",))]

    async def main() -> chat_eval.Report:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_fake_app()),
                                     base_url="http://assistant") as client:
            return await chat_eval.evaluate("http://assistant", questions, name="dev", client=client)

    report = asyncio.run(main())
    summary = report.summary()
    assert [row.label for row in report.rows] == ["right", "offered", "out_of_scope"]
    assert (summary["first_right"], summary["right_or_offered"], summary["wrong"], summary["no_answer"]) == (
        0.333, 0.667, 0.0, 0.333)
    assert "| dev | 3 | 0.33 | 0.67 | 0.00 | 0.33 |" in chat_eval.table([report])
    json.dumps(summary)  # the figures are written to bench results as JSON
