"""A full export — every bundled procedure — imports again through the console, as XLSX and as CSV.

The apply step used to post the checked file back as one form field (Starlette caps a field at 1 MB, about
0.7 MB of file once base64-encoded) and uploads were capped at 10 MB while a full CSV export is about 22 MB:
exporting everything, fixing a few cells and importing it back failed. Slow (imports the 2,642 bundled
procedures once for the module), and worth it: this is what a service center does with the console.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory, session_scope
from assistant.main import create_app
from assistant.search_service import SearchService
from knowledge import crud
from knowledge.admin.accounts import create_account
from knowledge.admin.bulk_routes import MAX_UPLOAD_BYTES
from knowledge.migrate import upgrade_database
from knowledge.portal_import import import_portal_file
from tests.knowledge.admin.conftest import STAFF_PASSWORD
from tests.knowledge.admin.forms import form_fields


@pytest.fixture(scope="module")
def full_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("full-kb")
    settings = Settings(database_url=f"sqlite:///{root / 'kb.db'}", index_dir=root / "index", environment="test",
                        rasa_url="http://127.0.0.1:9", action_server_url="http://127.0.0.1:9")
    engine = create_db_engine(settings.database_url)
    upgrade_database(engine)
    import_portal_file(create_session_factory(engine), settings.seed_file)
    engine.dispose()
    return settings


@pytest.fixture
def publisher(full_settings: Settings) -> Iterator[tuple[TestClient, sessionmaker[Session]]]:
    engine = create_db_engine(full_settings.database_url)
    factory = create_session_factory(engine)
    username = f"publisher-{uuid.uuid4().hex[:8]}"
    with session_scope(factory) as session:
        create_account(session, username=username, password=STAFF_PASSWORD, role="publisher",
                       display_name="Cán bộ")
    # No index: re-indexing after the import is skipped (logged), which is not what this test is about.
    app = create_app(full_settings, search=SearchService(full_settings, sessionmaker()))
    with TestClient(app, base_url="https://testserver") as client:
        token = form_fields(client.get("/admin/login").text)["csrf_token"]
        signed_in = client.post("/admin/login", data={"username": username, "password": STAFF_PASSWORD,
                                                      "csrf_token": token}, follow_redirects=False)
        assert signed_in.status_code == 303
        yield client, factory
    engine.dispose()


def _check(client: TestClient, data: bytes, filename: str) -> str:
    token = form_fields(client.get("/admin/bulk").text)["csrf_token"]
    response = client.post("/admin/bulk/dry-run", data={"csrf_token": token},
                           files={"file": (filename, data, "application/octet-stream")})
    assert response.status_code == 200, response.text[-500:]
    return response.text


def _apply(client: TestClient, page: str) -> int:
    form = page.split('action="/admin/bulk/apply"')[1].split("</form>")[0]
    response = client.post("/admin/bulk/apply", data=form_fields(f"<form>{form}</form>"), follow_redirects=False)
    return response.status_code


def _with_result(data: bytes, filename: str, code: str, result: str) -> bytes:
    """The exported file with one procedure's `result` cell changed, every other cell as exported."""
    if filename.endswith(".csv"):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        column = rows[0].index("result")
        next(row for row in rows if row[0] == code)[column] = result
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    column = [cell.value for cell in sheet[1]].index("result") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == code)
    sheet.cell(row, column).value = result
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_full_export_round_trips_and_a_corrected_full_file_is_applied(
        publisher: tuple[TestClient, sessionmaker[Session]]) -> None:
    client, factory = publisher
    with factory() as session:
        total = crud.count_procedures(session)
    assert total >= 2600
    for filename, code in (("thu-tuc.xlsx", "1.001193"), ("thu-tuc.csv", "1.000894")):
        exported = client.get(f"/admin/bulk/export.{filename.rsplit('.', 1)[1]}").content
        assert 700_000 < len(exported) <= MAX_UPLOAD_BYTES  # well past the old ~0.7 MB ceiling, within the cap

        unchanged = _check(client, exported, filename)
        assert f"0 thủ tục sẽ thay đổi, {total} không đổi, 0 dòng bị từ chối" in unchanged

        result = f"Giấy chứng nhận (sửa bằng {filename})"
        corrected = _check(client, _with_result(exported, filename, code, result), filename)
        assert f"1 thủ tục sẽ thay đổi, {total - 1} không đổi, 0 dòng bị từ chối" in corrected
        assert not re.search(r'name="payload"', corrected), "the file is not sent back through the browser"
        assert _apply(client, corrected) == 303
        with factory() as session:
            assert crud.get_procedure(session, code=code).content["result"] == result
        # The checked file was used up: applying it again asks for a new check instead of writing twice.
        assert _apply(client, corrected) == 409
