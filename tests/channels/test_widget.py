"""The widget's routes: the demo page, deep links, the script with its caching, and the script's size."""

from __future__ import annotations

import gzip
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.main import create_app
from channels import widget

WIDGET_SOURCE = (widget.STATIC_DIR / "widget.js").read_text(encoding="utf-8")
MAX_GZIPPED_BYTES = 30 * 1024


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    app.include_router(widget.router)
    return TestClient(app)


def _script_tag(html: str) -> str:
    match = re.search(r'<script src="/widget\.js"[^>]*></script>', html)
    assert match, "the demo page must embed the widget"
    return match.group(0)


def test_the_app_serves_the_widget_routes() -> None:
    # Without entering the lifespan: the widget's routes need no database, index or Rasa.
    app_client = TestClient(create_app(Settings(database_url="sqlite:///:memory:")))
    assert app_client.get("/widget.js").text == WIDGET_SOURCE
    assert _script_tag(app_client.get("/").text)


def test_widget_script_is_served_with_cache_headers(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert "max-age=" in response.headers["cache-control"]
    assert response.headers["etag"]
    assert response.text == WIDGET_SOURCE


def test_widget_script_is_gzipped_when_accepted_and_revalidates_with_304(client: TestClient) -> None:
    zipped = client.get("/widget.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.text == WIDGET_SOURCE
    plain = client.get("/widget.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers

    again = client.get("/widget.js", headers={"If-None-Match": zipped.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    stale = client.get("/widget.js", headers={"If-None-Match": '"not-the-current-one"'})
    assert stale.status_code == 200


def test_widget_script_is_at_most_30_kb_gzipped() -> None:
    size = len(gzip.compress(WIDGET_SOURCE.encode("utf-8"), compresslevel=9))
    assert size <= MAX_GZIPPED_BYTES, f"widget.js is {size} bytes gzipped"
    assert len(widget.widget_script().gzipped) == len(gzip.compress(widget.widget_script().body, 9, mtime=0))


def test_widget_never_builds_html_from_strings() -> None:
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in WIDGET_SOURCE, f"widget.js must not use {sink}"


def test_widget_text_is_never_smaller_than_18px() -> None:
    sizes = [int(px) for px in re.findall(r"font-size:\s*(\d+)px", WIDGET_SOURCE)]
    assert sizes, "the widget sets its own font sizes"
    assert min(sizes) >= 18


def test_widget_strings_live_in_one_texts_object() -> None:
    texts_block = WIDGET_SOURCE.split("var TEXTS = {", 1)[1].split("\n  };", 1)[0]
    assert "Mất kết nối — sẽ gửi lại khi có mạng" in texts_block
    code = re.sub(r"/\*.*?\*/", "", WIDGET_SOURCE, flags=re.DOTALL)
    code = re.sub(r"^\s*//.*$", "", code, flags=re.MULTILINE)
    outside = code.replace(texts_block, "")
    marked = r'"[^"\n]*[ăâđêôơưàáạảãèéẹẻẽìíịỉĩòóọỏõùúụủũỳýỵỷỹ][^"\n]*"'
    vietnamese = re.findall(marked, outside, re.IGNORECASE)
    assert vietnamese == [], f"user-facing strings outside TEXTS: {vietnamese}"


def test_demo_page_is_vietnamese_embeds_the_widget_opened_and_sets_security_headers(
    client: TestClient,
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in response.text
    assert "thủ tục hành chính" in response.text
    tag = _script_tag(response.text)
    assert 'data-open="true"' in tag and "defer" in tag
    assert "data-ask" not in tag and "data-procedure" not in tag
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-cache"
    assert "http://testserver/widget.js" in response.text  # the embedding snippet names this site


def test_question_deep_link_is_passed_escaped(client: TestClient) -> None:
    tag = _script_tag(client.get("/", params={"q": 'lam giay khai sinh "ngay" <b>'}).text)
    assert 'data-ask="lam giay khai sinh &quot;ngay&quot; &lt;b&gt;"' in tag


def test_question_deep_link_is_cleaned_and_bounded() -> None:
    assert widget.clean_question("  đăng ký\x00\n  kết hôn ") == "đăng ký kết hôn"
    assert widget.clean_question("de\u0302") == "dê"  # composed to NFC like the chat API does
    assert widget.clean_question("a\x07b") == "a b"
    assert len(widget.clean_question("x" * 5000)) == widget.MAX_DEEP_LINK_CHARS
    assert widget.clean_question("   ") == ""
    assert widget.clean_question(None) == ""


@pytest.mark.parametrize("code", ["1.001193", "2.000635", "123.456789", "9.000001"])
def test_valid_procedure_codes_are_accepted(code: str, client: TestClient) -> None:
    assert widget.valid_procedure_code(code) == code
    tag = _script_tag(client.get("/", params={"procedure": code}).text)
    assert f'data-procedure="{code}"' in tag


@pytest.mark.parametrize("code", [
    "1.00119", "1.0011933", "1234.001193", "a.001193", "1,001193", ".001193", "1.001193/x",
    '1.001193"><script>alert(1)</script>', "١.٠٠١١٩٣", "",
])
def test_malformed_procedure_codes_are_dropped(code: str, client: TestClient) -> None:
    assert widget.valid_procedure_code(code) == ""
    page = client.get("/", params={"procedure": code}).text
    tag = _script_tag(page)
    assert "data-procedure" not in tag
    assert "<script>alert" not in page


def test_procedure_deep_link_wins_over_a_question() -> None:
    assert widget.deep_link_attributes("kết hôn", "1.001193") == {"data-procedure": "1.001193"}
    assert widget.deep_link_attributes("kết hôn", "bad") == {"data-ask": "kết hôn"}
    assert widget.deep_link_attributes(None, None) == {}
