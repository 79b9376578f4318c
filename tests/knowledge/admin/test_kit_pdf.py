from __future__ import annotations

import re
from pathlib import Path

import pytest
import segno
from fastapi.testclient import TestClient

from knowledge.admin import kit_pdf
from knowledge.admin.kit_pdf import KitFontMissing, find_font, kit_page, render_kit, widget_url
from knowledge.schemas import ProcedurePublic
from tests.factories import procedure_data
from tests.knowledge.admin.conftest import StaffLogin
from tests.knowledge.admin.pdf_text import embedded_characters, pdftotext


def _procedure(fee: int = 12500) -> ProcedurePublic:
    data = procedure_data().model_dump(exclude={"raw", "review_flags"})
    for channel in data["channels"]:
        channel.update(fee_vnd=fee, free=False)
    return ProcedurePublic(**data)


def _check_pdf(pdf: bytes, pages: int, expected: list[str]) -> None:
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf.count(b"/Type /Page\n") == pages
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf  # A4 in points
    text = pdftotext(pdf)
    if text is not None:
        flat = " ".join(text.split())
        for item in expected:
            assert item in flat, item
    else:
        chars = embedded_characters(pdf)
        for item in expected:
            assert set(item.replace(" ", "")) <= chars, item


def test_qr_encodes_the_widget_deep_link(monkeypatch: pytest.MonkeyPatch) -> None:
    assert widget_url("https://tthc.example.gov.vn/", "1.001193") == "https://tthc.example.gov.vn/?procedure=1.001193"
    encoded: list[str] = []
    real_make = segno.make

    def spy(content: str, **kwargs: object) -> segno.QRCode:
        encoded.append(content)
        return real_make(content, **kwargs)

    monkeypatch.setattr(kit_pdf.segno, "make", spy)
    render_kit([kit_page(_procedure(), "https://tthc.example.gov.vn")], find_font())
    assert encoded == ["https://tthc.example.gov.vn/?procedure=1.001193"]
    # The symbol segno builds for it carries the URL, byte for byte, in byte mode.
    qr = segno.make(encoded[0], error="m")
    assert qr.mode == "byte" and qr.error == "M"


def test_one_page_with_fee_time_documents_and_link() -> None:
    page = kit_page(_procedure(), "https://tthc.example.gov.vn")
    assert page.fees == ["12.500 đồng"] and page.times == ["1 ngày làm việc"]
    pdf = render_kit([page], find_font())
    _check_pdf(pdf, 1, ["Thủ tục đăng ký khai sinh", "12.500 đồng", "1 ngày làm việc", "Giấy chứng sinh",
                        "https://tthc.example.gov.vn/?procedure=1.001193"])


def test_missing_font_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KitFontMissing, match="ASSISTANT_PDF_FONT_PATH"):
        find_font(str(tmp_path / "none.ttf"))
    with pytest.raises(KitFontMissing, match="fonts-dejavu-core"):
        find_font("", candidates=[(str(tmp_path / "a.ttf"), str(tmp_path / "b.ttf"))])


def test_console_prints_a_list_of_procedures(admin_client: TestClient, staff_login: StaffLogin) -> None:
    staff_login(admin_client, role="editor")
    response = admin_client.get("/admin/kit.pdf", params={"codes": "2.000635\n1.000894"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    _check_pdf(response.content, 2, ["8.000 đồng", "https://tthc.example.gov.vn/?procedure=2.000635",
                                     "https://tthc.example.gov.vn/?procedure=1.000894"])
    one = admin_client.get("/admin/procedures/2.000635/kit.pdf")
    assert one.status_code == 200
    _check_pdf(one.content, 1, ["8.000 đồng"])
    refused = admin_client.get("/admin/kit.pdf", params={"codes": "9.999999 <b>x</b>"})
    assert refused.status_code == 422
    assert re.search(r"9\.999999, &lt;b&gt;x&lt;/b&gt;", refused.text)
