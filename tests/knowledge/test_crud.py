from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from knowledge import crud
from knowledge.errors import ProcedureNotFound, RevisionNotFound, StaleEdit
from knowledge.schemas import ProcedureBase, RequiredDocument, SubmissionChannel
from tests.factories import procedure_data


def test_import_creates_then_identical_import_changes_nothing(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        first = crud.upsert_imported(session, data=procedure_data())
    with session_scope(session_factory) as session:
        second = crud.upsert_imported(session, data=procedure_data())
        row = crud.get_procedure(session, code="1.001193")
        assert first.outcome is crud.ImportOutcome.CREATED
        assert second.outcome is crud.ImportOutcome.UNCHANGED
        assert [r.number for r in row.revisions] == [1]
        assert row.version == 1


def test_newer_record_makes_a_revision_naming_the_changed_fields(
    session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
    with session_scope(session_factory) as session:
        change = crud.upsert_imported(session, data=procedure_data(result="Giấy khai sinh (bản chính)"))
    with session_scope(session_factory) as session:
        revisions = crud.list_revisions(session, code="1.001193")
        assert change.outcome is crud.ImportOutcome.UPDATED
        assert change.changed_fields == ("result",)
        assert [r.number for r in revisions] == [1, 2]
        assert revisions[1].changed_fields == ["result"]
        assert revisions[0].snapshot["content"]["result"] == "Giấy khai sinh"
        assert revisions[1].snapshot["content"]["result"] == "Giấy khai sinh (bản chính)"
        assert revisions[1].author == "importer"


def test_edit_on_a_stale_version_is_refused_and_nothing_is_written(
    session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
    with session_scope(session_factory) as session:
        base = crud.procedure_content(crud.get_procedure(session, code="1.001193"))
    first = base.model_copy(update={"result": "Bản chính Giấy khai sinh"})
    second = base.model_copy(update={"result": "Trích lục khai sinh"})
    with session_scope(session_factory) as session:
        crud.update_procedure(session, code="1.001193", content=first, author="clerk-a", expected_version=1)
    with pytest.raises(StaleEdit) as caught, session_scope(session_factory) as session:
        crud.update_procedure(session, code="1.001193", content=second, author="clerk-b", expected_version=1)
    assert caught.value.actual == 2
    with session_scope(session_factory) as session:
        row = crud.get_procedure(session, code="1.001193")
        assert row.content["result"] == "Bản chính Giấy khai sinh"
        assert [r.author for r in row.revisions] == ["importer", "clerk-a"]


def test_edit_clears_the_review_flag_of_the_edited_field(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
        content = crud.procedure_content(crud.get_procedure(session, code="1.001193"))
        assert crud.get_procedure(session, code="1.001193").review_flags == {"channels": "time unit missing"}
        edited = content.model_copy(update={"channels": content.channels[:1]})
        crud.update_procedure(session, code="1.001193", content=edited, author="clerk", expected_version=1)
        assert crud.get_procedure(session, code="1.001193").review_flags == {}


def test_restore_brings_back_old_content_as_a_new_revision(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
        content = crud.procedure_content(crud.get_procedure(session, code="1.001193"))
        crud.update_procedure(session, code="1.001193", content=content.model_copy(update={"result": "X"}),
                              author="clerk", expected_version=1)
        change = crud.restore_revision(session, code="1.001193", number=1, author="publisher")
        row = crud.get_procedure(session, code="1.001193")
        assert change.changed_fields == ("result",)
        assert row.content["result"] == "Giấy khai sinh"
        assert [(r.number, r.reason) for r in row.revisions][-1] == (3, "restore revision 1")
        with pytest.raises(RevisionNotFound):
            crud.restore_revision(session, code="1.001193", number=9, author="publisher")


def test_aliases_are_deduplicated_and_recorded(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
        added = crud.add_aliases(session, code="1.001193", texts=["làm giấy  khai sinh", "lam giay khai sinh"],
                                 author="clerk")
        again = crud.add_aliases(session, code="1.001193", texts=["làm giấy khai sinh"], author="clerk")
        public = crud.to_public(crud.get_procedure(session, code="1.001193"))
        assert added == ["làm giấy khai sinh", "lam giay khai sinh"]
        assert again == []
        assert public.aliases == ["làm giấy khai sinh", "lam giay khai sinh"]
        assert [r.reason for r in crud.list_revisions(session, code="1.001193")] == ["import: created",
                                                                                     "alias added"]
        with pytest.raises(ValueError, match="empty"):
            crud.add_aliases(session, code="1.001193", texts=["   "], author="clerk")


def test_public_record_hides_raw_source_and_lists_fields_to_review(
    session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
        public = crud.to_public(crud.get_procedure(session, code="1.001193"))
    dumped = public.model_dump()
    assert "raw" not in dumped and "source_hash" not in dumped
    # The flag's reason names the time, so the time answer (not the fee answer) carries a caution.
    assert public.needs_review == ["channels", "channels.time"]
    assert public.channels[0].free is True


def test_review_topics_split_the_channel_table_by_what_is_in_doubt() -> None:
    assert crud.review_topics({"channels": "Trực tuyến: several fee amounts ('…')"}) == ["channels", "channels.fee"]
    assert crud.review_topics({"channels": "channel table header missing", "steps": "garbled"}) == [
        "channels", "channels.fee", "channels.time", "steps"]
    assert crud.review_topics({"documents": "header missing"}) == ["documents"]


def test_unknown_code_raises_not_found(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session, pytest.raises(ProcedureNotFound):
        crud.get_procedure(session, code="9.999999")


def test_code_of_a_procedure_cannot_be_changed_by_an_edit(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
        content = ProcedureBase.model_validate({**procedure_data().model_dump(), "code": "1.000001"})
        with pytest.raises(ValueError, match="codes are fixed"):
            crud.update_procedure(session, code="1.001193", content=content, author="c", expected_version=1)


def _channels_with_fee(fee: int) -> list[SubmissionChannel]:
    return [channel.model_copy(update={"fee_vnd": fee, "fee_text": f"{fee} đồng", "free": False})
            for channel in procedure_data().channels]


def _staff_sets_fee(session: Session, fee: int) -> None:
    row = crud.get_procedure(session, code="1.001193")
    content = crud.procedure_content(row).model_copy(update={"channels": _channels_with_fee(fee)})
    crud.update_procedure(session, code="1.001193", content=content, author="clerk", expected_version=row.version)


NEWER_DOCUMENTS = [RequiredDocument(name="Tờ khai đăng ký khai sinh (mẫu mới)", original_count=1)]


def test_newer_import_keeps_the_staff_fee_flags_it_and_updates_the_rest(
    session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
        _staff_sets_fee(session, 8000)
    newer = procedure_data(channels=_channels_with_fee(10000), documents=NEWER_DOCUMENTS)
    with session_scope(session_factory) as session:
        change = crud.upsert_imported(session, data=newer)
    with session_scope(session_factory) as session:
        row = crud.get_procedure(session, code="1.001193")
        assert change.outcome is crud.ImportOutcome.UPDATED
        assert change.changed_fields == ("documents",)
        assert change.kept_fields == ("channels",)
        assert [c["fee_vnd"] for c in row.content["channels"]] == [8000, 8000]
        assert row.content["documents"] == [d.model_dump(mode="json") for d in NEWER_DOCUMENTS]
        assert row.review_flags == {"channels": crud.KEPT_FLAG}
        revision = row.revisions[-1]
        assert (revision.number, revision.author) == (3, "importer")
        assert revision.reason == "import: newer source record, staff edits kept"
        assert revision.changed_fields == ["documents"]
    with session_scope(session_factory) as session:
        again = crud.upsert_imported(session, data=newer)
        row = crud.get_procedure(session, code="1.001193")
        assert again.outcome is crud.ImportOutcome.UNCHANGED
        assert [r.number for r in row.revisions] == [1, 2, 3]
        assert row.review_flags == {"channels": crud.KEPT_FLAG}


def test_kept_staff_edit_survives_later_imports_that_leave_the_field_alone(
    session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
        _staff_sets_fee(session, 8000)
        first = crud.upsert_imported(session, data=procedure_data(documents=NEWER_DOCUMENTS))
        second = crud.upsert_imported(session, data=procedure_data(documents=NEWER_DOCUMENTS, result="Trích lục"))
        row = crud.get_procedure(session, code="1.001193")
        assert (first.kept_fields, second.kept_fields) == (("channels",), ("channels",))
        assert second.changed_fields == ("result",)
        assert [c["fee_vnd"] for c in row.content["channels"]] == [8000, 8000]
        # The portal's fee never changed, so there is nothing for a clerk to decide.
        assert row.review_flags == {}
        # A portal fee published only now is still a conflict with the kept edit.
        third = crud.upsert_imported(session, data=procedure_data(
            documents=NEWER_DOCUMENTS, result="Trích lục", channels=_channels_with_fee(10000)))
        assert third.kept_fields == ("channels",) and third.changed_fields == ()
        assert crud.get_procedure(session, code="1.001193").review_flags == {"channels": crud.KEPT_FLAG}


def test_newer_import_without_staff_edits_overwrites_as_before(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
        crud.add_aliases(session, code="1.001193", texts=["làm giấy khai sinh"], author="clerk")
        change = crud.upsert_imported(session, data=procedure_data(channels=_channels_with_fee(10000)))
        row = crud.get_procedure(session, code="1.001193")
        assert (change.changed_fields, change.kept_fields) == (("channels",), ())
        assert [c["fee_vnd"] for c in row.content["channels"]] == [10000, 10000]
        assert row.review_flags == {"channels": "time unit missing"}
        assert row.revisions[-1].reason == "import: newer source record"


def test_staff_edit_undone_by_a_restore_of_the_import_lets_the_portal_value_in(
    session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data())
        _staff_sets_fee(session, 8000)
        crud.restore_revision(session, code="1.001193", number=1, author="publisher")
        change = crud.upsert_imported(session, data=procedure_data(channels=_channels_with_fee(10000)))
        row = crud.get_procedure(session, code="1.001193")
        assert (change.changed_fields, change.kept_fields) == (("channels",), ())
        assert [c["fee_vnd"] for c in row.content["channels"]] == [10000, 10000]
