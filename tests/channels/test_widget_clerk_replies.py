"""The widget shows a clerk's replies while its conversation is handed over (headless Chromium).

The network is played by Playwright routes, so this checks the script's own behaviour: it asks for clerk
replies after each answer, keeps polling while `handover` is true, shows each reply once as text, and
stops polling when the clerk gives the conversation back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page, Route, expect, sync_playwright

from channels import widget
from tests import chat_ids

CHROMIUM = Path("/usr/bin/chromium")
ORIGIN = "http://widget.test"
SHADOW = "document.getElementById('tthc-assistant-widget').shadowRoot"
CLERK_TEXT = "<img src=x onerror=alert(1)> Chào bạn, tôi là cán bộ Lan."
ISSUED = chat_ids.signed("widget-clerk")


@pytest.fixture
def page() -> Iterator[Page]:
    if not CHROMIUM.exists():
        reason = "Debian chromium is missing at /usr/bin/chromium; run `make browser`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        opened = browser.new_page()
        errors: list[str] = []
        opened.on("pageerror", lambda error: errors.append(str(error)))
        opened.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
        yield opened
        browser.close()
        assert errors == [], f"JavaScript errors or dialogs on the page: {errors}"


def test_clerk_replies_are_polled_while_handed_over_and_shown_as_text(page: Page) -> None:
    polls: list[int] = []
    senders: list[str] = []
    clerk = {"messages": [{"id": 7, "text": CLERK_TEXT, "at": "2026-12-01T03:00:00Z"}], "handover": True}

    def serve(route: Route) -> None:
        url = urlparse(route.request.url)
        if url.path == "/":
            html = f'<!doctype html><html><body>{widget.widget_tag({})}</body></html>'
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        elif url.path == "/widget.js":
            route.fulfill(status=200, content_type="application/javascript; charset=utf-8",
                          body=widget.widget_script().body)
        elif url.path == "/api/chat/session":
            route.fulfill(status=201, content_type="application/json", body=json.dumps({"sender_id": ISSUED}))
        elif url.path == "/api/chat":
            senders.append(json.loads(route.request.post_data or "{}")["sender_id"])
            body = {"messages": [{"text": "Tôi đã chuyển câu hỏi của bạn tới cán bộ.", "buttons": []}]}
            route.fulfill(status=200, content_type="application/json", body=json.dumps(body))
        elif url.path == f"/api/chat/{chat_ids.conversation('widget-clerk')}/messages":
            # The signed id travels in a header, never in the URL (URLs end up in access logs).
            assert route.request.headers.get("x-chat-session") == ISSUED
            after = int(parse_qs(url.query)["after"][0])
            polls.append(after)
            if after < 7:
                answer = clerk
            else:
                answer = {"messages": [], "handover": len(polls) < 3}
            route.fulfill(status=200, content_type="application/json", body=json.dumps(answer))
        else:
            route.fulfill(status=404, body="")

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    page.evaluate(f"() => {SHADOW}.querySelector('.launcher').click()")
    page.evaluate(f"""() => {{ const r = {SHADOW}; r.querySelector('input').value = 'gặp cán bộ';
                              r.querySelector('form').requestSubmit(); }}""")
    bubbles = page.locator("#tthc-assistant-widget .bubble")
    expect(bubbles.filter(has_text="cán bộ Lan")).to_have_count(1, timeout=15_000)
    clerk_bubble = bubbles.filter(has_text="cán bộ Lan")
    assert clerk_bubble.evaluate("b => b.querySelector('img')") is None
    assert "Cán bộ:" in clerk_bubble.text_content()
    for _ in range(40):  # the reply said "still handed over": the widget polls again, then stops
        if len(polls) >= 3:
            break
        page.wait_for_timeout(250)
    # No poll before the first message (no conversation yet), then with the id the server issued.
    assert polls == [0, 7, 7]
    assert senders == [ISSUED]
    page.wait_for_timeout(5000)  # longer than the widget's poll interval
    assert len(polls) == 3, "polling stops once the clerk gave the conversation back"
    expect(clerk_bubble).to_have_count(1)
