"""The web widget in a real headless chromium against the real app, Rasa and action server."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright

from tests import chat_ids
from tests.e2e.conftest import RunningSystem

pytestmark = pytest.mark.rasa

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
REPLY_TIMEOUT_MS = 60_000
OFFLINE_TEXT = "Mất kết nối — sẽ gửi lại khi có mạng"
SHADOW = "document.getElementById('tthc-assistant-widget').shadowRoot"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = "Debian chromium is missing at /usr/bin/chromium; run `make browser`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(REPLY_TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, system: RunningSystem) -> Iterator[Page]:
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    assert errors == [], f"JavaScript errors on the page: {errors}"


def _open(page: Page, system: RunningSystem, path: str = "/") -> None:
    page.goto(system.app_url + path)
    expect(page.locator("#tthc-panel")).to_be_visible()


def _entries(page: Page) -> list[dict[str, Any]]:
    """The conversation as shown: role, id, visible text (without the screen-reader prefix), pending."""
    return page.evaluate(f"""() => Array.from({SHADOW}.querySelectorAll('.msg')).map(m => ({{
        id: Number(m.dataset.id), role: m.classList.contains('user') ? 'user' : 'bot',
        pending: m.classList.contains('pending'),
        text: Array.from(m.querySelector('.bubble').childNodes)
            .filter(n => !(n.classList && n.classList.contains('sr'))).map(n => n.textContent).join('')
    }})).filter(e => e.id > 0)""")


def _bot_count(page: Page) -> int:
    return sum(1 for entry in _entries(page) if entry["role"] == "bot")


def _wait_for_reply(page: Page, bots_before: int) -> str:
    """Wait until a new bot message arrived and nothing is pending; return the new bot text."""
    page.wait_for_function(
        """n => {
            const host = document.getElementById('tthc-assistant-widget');
            if (!host) return false;
            const root = host.shadowRoot;
            return root.querySelectorAll('.msg.bot:not([data-id="0"])').length > n
                && !root.querySelector('.msg.pending') && root.querySelector('.typing').hidden;
        }""",
        arg=bots_before, timeout=REPLY_TIMEOUT_MS)
    return "\n".join(e["text"] for e in _entries(page) if e["role"] == "bot")


def _ask(page: Page, text: str) -> str:
    before = _bot_count(page)
    page.locator("#tthc-input").fill(text)
    page.locator("#tthc-input").press("Enter")
    return _wait_for_reply(page, before)


def _stored(page: Page) -> dict[str, Any]:
    raw = page.evaluate("() => Object.entries(localStorage).find(([k]) => k.startsWith('tthc-widget:'))[1]")
    return json.loads(raw)


def _focused_id(page: Page) -> str:
    return page.evaluate(f"() => ({SHADOW}.activeElement || {{}}).id || ''")


def test_keyboard_only_question_without_diacritics_gets_the_document_list(
    system: RunningSystem, page: Page,
) -> None:
    _open(page, system)
    live = page.locator("[aria-live=polite]")
    expect(live).to_have_count(1)
    expect(page.get_by_role("textbox", name="Nhập câu hỏi của bạn")).to_be_visible()
    expect(page.get_by_role("button", name="Gửi câu hỏi")).to_be_visible()

    for _ in range(25):
        if _focused_id(page) == "tthc-input":
            break
        page.keyboard.press("Tab")
    assert _focused_id(page) == "tthc-input", "the question box must be reachable with Tab"
    before = _bot_count(page)
    page.keyboard.type("lam giay khai sinh cho con can giay to gi")
    page.keyboard.press("Enter")
    answer = _wait_for_reply(page, before)
    assert "khai sinh" in answer.lower()
    if "Giấy chứng sinh" not in answer:
        # The assistant may first ask which birth procedure is meant: choose the plain one, by keyboard.
        plain = page.get_by_role("button", name=re.compile(r"^\d\. Thủ tục đăng ký khai sinh$"))
        plain.focus()
        before = _bot_count(page)
        page.keyboard.press("Enter")
        answer = _wait_for_reply(page, before)
    assert "Giấy chứng sinh" in answer
    expect(live).to_contain_text("Giấy chứng sinh")  # announced to screen readers
    expect(page.get_by_role("button", name="Đọc to tin nhắn này").first).to_be_visible()

    page.keyboard.press("Escape")
    expect(page.locator("#tthc-panel")).to_be_hidden()
    launcher = page.get_by_role("button", name="Mở trợ lý thủ tục hành chính")
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#tthc-panel")).to_be_visible()
    assert _focused_id(page) == "tthc-input"


def test_button_press_shows_its_title_and_the_history_survives_a_reload(
    system: RunningSystem, page: Page,
) -> None:
    _open(page, system)
    _ask(page, "chứng thực")
    last_user = max(e["id"] for e in _entries(page) if e["role"] == "user")
    new_buttons = [e["id"] for e in _entries(page) if e["role"] == "bot" and e["id"] > last_user]
    choice = page.locator(", ".join(f".msg[data-id='{i}'] .buttons button" for i in new_buttons)).first
    title = choice.inner_text().strip()
    assert title
    before = _bot_count(page)
    choice.click()
    _wait_for_reply(page, before)
    users = [e["text"] for e in _entries(page) if e["role"] == "user"]
    assert users == ["chứng thực", title]  # the citizen sees the title, never the payload
    sender = _stored(page)["senderId"]
    assert re.fullmatch(r"web-[0-9a-f]{24}\.[0-9a-f]{32}", sender)  # issued and signed by the server

    shown = [(e["role"], e["text"]) for e in _entries(page)]
    page.reload()
    expect(page.locator("#tthc-panel")).to_be_visible()
    expect(page.locator(".msg.user").last).to_have_text(re.compile(re.escape(title)))
    assert [(e["role"], e["text"]) for e in _entries(page)] == shown
    assert _stored(page)["senderId"] == sender


def test_phone_width_gets_a_full_screen_readable_panel(system: RunningSystem, page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    _open(page, system)
    _ask(page, "lam giay khai sinh can giay to gi")
    box = page.locator("#tthc-panel").bounding_box()
    assert box is not None and box["x"] == 0 and box["width"] == 360 and box["height"] == 740
    sizes = page.evaluate(f"""() => ['.bubble', '#tthc-input', '.buttons button']
        .map(s => parseFloat(getComputedStyle({SHADOW}.querySelector(s)).fontSize))""")
    assert min(sizes) >= 18
    overflow = page.evaluate(f"() => {{ const l = {SHADOW}.querySelector('.log'); "
                             "return l.scrollWidth - l.clientWidth; }")
    assert overflow <= 0, "no sideways scrolling on a 360-px phone"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-360.png"))


def test_offline_message_waits_and_is_sent_when_the_network_returns(
    system: RunningSystem, context: BrowserContext, page: Page,
) -> None:
    _open(page, system)
    before = _bot_count(page)
    context.set_offline(True)
    page.locator("#tthc-input").fill("đăng ký kết hôn cần gì")
    page.locator("#tthc-input").press("Enter")
    expect(page.get_by_role("status").filter(has_text=OFFLINE_TEXT)).to_be_visible()
    expect(page.locator(".msg.user.pending")).to_have_count(1)
    assert [q["text"] for q in _stored(page)["queue"]] == ["đăng ký kết hôn cần gì"]

    context.set_offline(False)
    answer = _wait_for_reply(page, before)
    assert "kết hôn" in answer.lower()
    expect(page.get_by_role("status").filter(has_text=OFFLINE_TEXT)).to_be_hidden()
    assert _stored(page)["queue"] == []


def test_a_queued_message_survives_a_reload(system: RunningSystem, page: Page) -> None:
    page.route("**/api/chat", lambda route: route.abort("internetdisconnected"))
    _open(page, system)
    page.locator("#tthc-input").fill("dang ky ket hon")
    page.locator("#tthc-input").press("Enter")
    expect(page.get_by_role("status").filter(has_text=OFFLINE_TEXT)).to_be_visible()
    page.unroute("**/api/chat")
    page.reload()
    expect(page.locator("#tthc-panel")).to_be_visible()
    answer = _wait_for_reply(page, 0)
    assert "kết hôn" in answer.lower()
    assert [e["text"] for e in _entries(page) if e["role"] == "user"] == ["dang ky ket hon"]


def test_deep_links_ask_once_and_the_context_survives_a_reload(system: RunningSystem, page: Page) -> None:
    page.goto(system.app_url + "/?procedure=1.001193")
    answer = _wait_for_reply(page, 0)
    assert "khai sinh" in answer.lower()
    assert [e["text"] for e in _entries(page) if e["role"] == "user"] == ["Hỏi về thủ tục mã số 1.001193"]
    page.reload()
    expect(page.locator("#tthc-panel")).to_be_visible()
    page.wait_for_timeout(500)
    assert len([e for e in _entries(page) if e["role"] == "user"]) == 1
    before = len(_entries(page))
    _ask(page, "lệ phí bao nhiêu")  # same sender after the reload: the procedure is remembered
    fee = "\n".join(e["text"] for e in _entries(page)[before:]).lower()
    assert "khai sinh" in fee

    page.goto(system.app_url + "/?q=" + "dang ky ket hon")
    answer = _wait_for_reply(page, _bot_count(page))
    assert "kết hôn" in answer.lower()


def test_a_503_still_shows_its_vietnamese_messages(system: RunningSystem, page: Page) -> None:
    apology = "Xin lỗi, hệ thống trả lời tự động đang tạm gián đoạn."

    def unavailable(route: Route) -> None:
        route.fulfill(status=503, content_type="application/json",
                      body=json.dumps({"messages": [{"text": apology, "buttons": []}]}))

    page.route("**/api/chat", unavailable)
    _open(page, system)
    answer = _ask(page, "đăng ký kết hôn")
    assert apology in answer
    expect(page.get_by_role("status").filter(has_text=OFFLINE_TEXT)).to_be_hidden()


def test_a_429_says_to_wait_keeps_the_message_and_sends_it_after_the_wait(
    system: RunningSystem, page: Page,
) -> None:
    limit_text = "Bạn gửi hơi nhiều tin nhắn. Vui lòng chờ khoảng 1 phút rồi hỏi tiếp."
    calls: list[str] = []

    def limited_once(route: Route) -> None:
        calls.append(route.request.method)
        if len(calls) == 1:
            route.fulfill(status=429, content_type="application/json", headers={"Retry-After": "5"},
                          body=json.dumps({"messages": [{"text": limit_text, "buttons": []}]}))
        else:
            route.continue_()

    page.route("**/api/chat", limited_once)
    _open(page, system)
    page.locator("#tthc-input").fill("dang ky ket hon can gi")
    page.locator("#tthc-input").press("Enter")
    expect(page.locator(".msg.bot").filter(has_text=limit_text)).to_have_count(1)
    # Not a lost connection, and the question is kept, waiting.
    expect(page.get_by_role("status").filter(has_text=OFFLINE_TEXT)).to_be_hidden()
    expect(page.locator(".msg.user.pending")).to_have_count(1)
    assert [q["text"] for q in _stored(page)["queue"]] == ["dang ky ket hon can gi"]

    answer = _wait_for_reply(page, _bot_count(page))
    assert "kết hôn" in answer.lower()
    assert len(calls) == 2, "one refused attempt, then one after the wait: no hammering in between"
    assert _stored(page)["queue"] == []
    expect(page.locator(".msg.bot").filter(has_text=limit_text)).to_have_count(1)


def test_bot_text_is_text_and_only_web_urls_become_links(system: RunningSystem, page: Page) -> None:
    hostile = ('<img src=x onerror="window.__xss=1"> Nộp tại https://dichvucong.gov.vn. '
               "Không phải javascript:alert(1)")

    def reply(route: Route) -> None:
        button = {"title": "<b>Lệ phí</b>", "payload": "/ask_fee"}
        route.fulfill(status=200, content_type="application/json",
                      body=json.dumps({"messages": [{"text": hostile, "buttons": [button]}]}))

    page.route("**/api/chat", reply)
    _open(page, system)
    _ask(page, '<img src=x onerror="window.__xss=2">')
    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate(f"() => {SHADOW}.querySelectorAll('.log img, .log b').length") == 0
    users = [e["text"] for e in _entries(page) if e["role"] == "user"]
    assert users == ['<img src=x onerror="window.__xss=2">']
    links = page.evaluate(f"() => Array.from({SHADOW}.querySelectorAll('.log a'))"
                          ".map(a => [a.getAttribute('href'), a.rel])")
    assert links == [["https://dichvucong.gov.vn", "noopener noreferrer"]]
    expect(page.get_by_role("button", name="<b>Lệ phí</b>")).to_be_visible()


def test_read_aloud_uses_vietnamese_and_speech_controls_hide_when_unsupported(
    system: RunningSystem, context: BrowserContext, page: Page,
) -> None:
    page.route("**/api/chat", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps({"messages": [{"text": "Lệ phí: miễn phí.", "buttons": []}]})))
    page.add_init_script("""
        window.__spoken = [];
        Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
            speak: u => window.__spoken.push([u.text, u.lang]), cancel: () => {}, getVoices: () => []}});
    """)
    _open(page, system)
    expect(page.get_by_role("button", name="Nói câu hỏi (bấm để bắt đầu nói)")).to_be_visible()
    _ask(page, "lệ phí")
    page.get_by_role("button", name="Đọc to tin nhắn này").last.click()
    assert page.evaluate("() => window.__spoken") == [["Lệ phí: miễn phí.", "vi-VN"]]

    bare = context.new_page()
    bare.add_init_script("""
        for (const name of ['speechSynthesis', 'SpeechRecognition', 'webkitSpeechRecognition']) {
            Object.defineProperty(window, name, {configurable: true, value: undefined});
        }
    """)
    bare.route("**/api/chat", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps({"messages": [{"text": "Lệ phí: miễn phí.", "buttons": []}]})))
    _open(bare, system)
    _ask(bare, "lệ phí")
    expect(bare.get_by_role("button", name="Đọc to tin nhắn này")).to_have_count(0)
    expect(bare.locator(".mic")).to_be_hidden()


def test_starting_again_clears_the_conversation_and_the_sender(system: RunningSystem, page: Page) -> None:
    page.route("**/api/chat", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps({"messages": [{"text": "Lệ phí: miễn phí.", "buttons": []}]})))
    _open(page, system)
    _ask(page, "lệ phí")
    sender = _stored(page)["senderId"]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Xoá cuộc trò chuyện và bắt đầu lại").click()
    expect(page.locator(".msg.user")).to_have_count(0)
    stored = _stored(page)
    assert stored["history"] == [] and stored["senderId"] != sender


@contextmanager
def _serve_page(body: str) -> Iterator[str]:
    """Another site on this machine (another port, so another origin) serving one HTML page."""
    content = body.encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            logging.getLogger(__name__).debug(format, *args)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_embedded_in_another_site_it_talks_to_its_own_origin(system: RunningSystem, page: Page) -> None:
    seen: list[str] = []
    host_page = f'<!doctype html><html><body><h1>UBND</h1><script src="{system.app_url}/widget.js" defer>' \
                "</script></body></html>"

    def chat(route: Route) -> None:
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="application/json",
                      headers={"Access-Control-Allow-Origin": "*"},
                      body=json.dumps({"messages": [{"text": "Xin chào.", "buttons": []}]}))

    page.route("**/api/chat", chat)
    page.route("**/api/chat/session", lambda route: route.fulfill(
        status=201, content_type="application/json", headers={"Access-Control-Allow-Origin": "*"},
        body=json.dumps({"sender_id": chat_ids.signed("embedded")})))
    with _serve_page(host_page) as other_site:
        page.goto(other_site)
        launcher = page.get_by_role("button", name="Mở trợ lý thủ tục hành chính")
        expect(launcher).to_be_visible()
        expect(page.locator("#tthc-panel")).to_be_hidden()  # closed unless data-open="true"
        launcher.click()
        _ask(page, "xin chào")
    assert seen == [f"{system.app_url}/api/chat"]
    assert page.evaluate("() => getComputedStyle(document.querySelector('h1')).color") == "rgb(0, 0, 0)"


def test_the_conversation_id_comes_from_the_server_and_a_refused_one_is_replaced(
    system: RunningSystem, page: Page,
) -> None:
    sent: list[str] = []

    def record(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}")["sender_id"])
        route.continue_()

    page.route("**/api/chat", record)
    _open(page, system)
    # A well-shaped id the server never issued (an older widget's own, or a forged one) is refused with 401;
    # the widget then asks for a new id and sends the question again, without troubling the citizen.
    forged = "web-" + "ab" * 12 + "." + "0" * 32
    page.evaluate("""forged => { const key = Object.keys(localStorage).find(k => k.startsWith('tthc-widget:'));
                                 const saved = JSON.parse(localStorage.getItem(key)); saved.senderId = forged;
                                 localStorage.setItem(key, JSON.stringify(saved)); }""", forged)
    page.reload()
    expect(page.locator("#tthc-panel")).to_be_visible()
    answer = _ask(page, "đăng ký kết hôn cần giấy tờ gì")
    assert "kết hôn" in answer.lower()
    assert sent[0] == forged and len(sent) == 2
    assert re.fullmatch(r"web-[0-9a-f]{24}\.[0-9a-f]{32}", sent[1]) and sent[1] != forged
    assert _stored(page)["senderId"] == sent[1]
    expect(page.get_by_role("status").filter(has_text=OFFLINE_TEXT)).to_be_hidden()
