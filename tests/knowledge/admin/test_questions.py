from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from knowledge import crud
from knowledge.admin.conversation_models import QUESTION_LINKED, QUESTION_OUT_OF_SCOPE, QuestionRecord
from knowledge.admin.questions import (
    UnknownOutcome,
    group_questions,
    link_questions,
    mark_out_of_scope,
    record_question,
    unanswered_groups,
)
from knowledge.errors import ProcedureNotFound
from tests.factories import procedure_data


def _record(session: Session, text: str, outcome: str = "low_confidence", conversation: str = "c1") -> None:
    record_question(session, conversation_id=conversation, channel="telegram", text=text, outcome=outcome,
                    confidence=0.2)


def test_record_question_masks_numbers_and_flushes_without_committing(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        record_question(session, conversation_id="telegram:1", channel="telegram",
                        text="hồ sơ  của tôi, sđt 0912345678", outcome="fallback")
        row = session.scalars(select(QuestionRecord)).one()
        assert row.id is not None
        assert row.text == "hồ sơ của tôi, sđt ***"
        assert "0912345678" not in row.normalized
        session.rollback()
    with session_factory() as session:
        assert session.scalars(select(QuestionRecord)).all() == []


def test_unknown_outcome_is_refused(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session, pytest.raises(UnknownOutcome):
        _record(session, "xin chào", outcome="great")


def test_groups_identical_forms_and_near_duplicates_with_counts(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        _record(session, "dk khai sinh")
        _record(session, "Đăng ký khai sinh?")
        _record(session, "đăng ký khai sinh cho con")
        _record(session, "làm lại sổ đỏ bị mất")
        _record(session, "đăng ký khai sinh", outcome="answered")  # answered: not in the inbox
    with session_factory() as session:
        groups = unanswered_groups(session)
    assert [g.count for g in groups] == [3, 1]
    assert groups[0].key == "dang ky khai sinh"
    assert set(groups[0].wordings) == {"dk khai sinh", "Đăng ký khai sinh?", "đăng ký khai sinh cho con"}
    assert groups[1].example == "làm lại sổ đỏ bị mất"


def test_unrelated_wordings_stay_apart() -> None:
    rows = [QuestionRecord(id=i, text=t, normalized=t, outcome="fallback") for i, t in
            enumerate(["cap ho chieu", "cap doi can cuoc cong dan", "dang ky ket hon"], start=1)]
    for row in rows:
        row.created_at = None  # type: ignore[assignment]
    assert [g.count for g in group_questions(rows)] == [1, 1, 1]


def test_link_adds_aliases_and_closes_the_group(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
        _record(session, "giấy chào đời cho bé")
        _record(session, "giấy chào đời cho bé")
        _record(session, "giay chao doi cho be")
    with session_scope(session_factory) as session:
        ids = unanswered_groups(session)[0].question_ids
        added = link_questions(session, question_ids=ids, procedure_code="1.001193", author="lan")
    assert added == ["giấy chào đời cho bé"]
    with session_factory() as session:
        assert unanswered_groups(session) == []
        rows = session.scalars(select(QuestionRecord)).all()
        assert {(r.status, r.resolved_procedure_code, r.resolved_by) for r in rows} == {
            (QUESTION_LINKED, "1.001193", "lan")}
        assert "giấy chào đời cho bé" in [a.text for a in crud.get_procedure(session, code="1.001193").aliases]


def test_link_to_unknown_procedure_closes_nothing(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        _record(session, "giấy chào đời")
    with pytest.raises(ProcedureNotFound), session_scope(session_factory) as session:
        link_questions(session, question_ids=unanswered_groups(session)[0].question_ids,
                       procedure_code="9.999999", author="lan")
    with session_factory() as session:
        assert unanswered_groups(session)[0].count == 1


def test_out_of_scope_closes_only_open_questions(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        _record(session, "giá vàng hôm nay")
    with session_scope(session_factory) as session:
        ids = unanswered_groups(session)[0].question_ids
        assert mark_out_of_scope(session, question_ids=ids, author="lan") == 1
    with session_scope(session_factory) as session:
        assert mark_out_of_scope(session, question_ids=ids, author="lan") == 0
        assert session.scalars(select(QuestionRecord.status)).all() == [QUESTION_OUT_OF_SCOPE]
