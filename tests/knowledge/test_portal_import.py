"""A portal import over a knowledge base staff have corrected: the report names the corrections kept."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from knowledge import crud
from knowledge.portal_import import import_portal_file
from tests.kb_subset import seed_records, write_jsonl

CODE = "1.001193"
STAFF_ADDRESS = "Bộ phận Một cửa UBND phường, tầng 1"


def test_import_report_counts_procedures_that_kept_staff_edits(
    session_factory: sessionmaker[Session], tmp_path: Path,
) -> None:
    record = seed_records([CODE])[0]
    import_portal_file(session_factory, write_jsonl(tmp_path / "first.jsonl", [record]))
    with session_scope(session_factory) as session:
        row = crud.get_procedure(session, code=CODE)
        content = crud.procedure_content(row).model_copy(update={"submission_address": STAFF_ADDRESS})
        crud.update_procedure(session, code=CODE, content=content, author="clerk", expected_version=row.version)
    newer = {**record, "dia_chi_tiep_nhan": "UBND cấp xã nơi cư trú", "yeu_cau_dieu_kien": "Trẻ em sinh ra."}
    path = write_jsonl(tmp_path / "newer.jsonl", [newer])
    report = import_portal_file(session_factory, path)
    assert report.updated == 1
    assert report.kept_staff_edits == {CODE: ("submission_address",)}
    assert report.as_dict()["kept_staff_edits"] == 1
    with session_scope(session_factory) as session:
        row = crud.get_procedure(session, code=CODE)
        assert row.content["submission_address"] == STAFF_ADDRESS
        assert row.content["conditions"] == "Trẻ em sinh ra."
        assert row.review_flags["submission_address"] == crud.KEPT_FLAG
    again = import_portal_file(session_factory, path)
    assert (again.updated, again.unchanged, again.kept_staff_edits) == (0, 1, {})
