"""The widget takes its conversation id from the server and replaces one the server refuses (headless Chromium).

The network is played by Playwright routes, as in `test_widget_clerk_replies.py`: this checks the script's own
behaviour, that it never makes up an id, asks `POST /api/chat/session` once, keeps the id across reloads, and
after a 401 gets a new id and sends the waiting question again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route, expect

from channels import widget
from tests import chat_ids
from tests.channels.test_widget_clerk_replies import ORIGIN, SHADOW
from tests.channels.test_widget_clerk_replies import page as page  # noqa: F401 - the browser fixture

FIRST, SECOND = chat_ids.signed("session-first"), chat_ids.signed("session-second")


class FakeServer:
    """The app's chat doors: issues FIRST then SECOND, refuses FIRST once `forget_first` is set."""

    def __init__(self) -> None:
        self.issued: list[str] = []
        self.chats: list[str] = []
        self.forget_first = False

    def serve(self, route: Route) -> None:
        url = urlparse(route.request.url)
        if url.path == "/":
            html = f'<!doctype html><html><body>{widget.widget_tag({})}</body></html>'
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        elif url.path == "/widget.js":
            route.fulfill(status=200, content_type="application/javascript; charset=utf-8",
                          body=widget.widget_script().body)
        elif url.path == "/api/chat/session":
            self.issued.append(FIRST if not self.issued else SECOND)
            route.fulfill(status=201, content_type="application/json",
                          body=json.dumps({"sender_id": self.issued[-1]}))
        elif url.path == "/api/chat":
            sender = json.loads(route.request.post_data or "{}")["sender_id"]
            self.chats.append(sender)
            if sender not in self.issued or (self.forget_first and sender == FIRST):
                route.fulfill(status=401, content_type="application/json", body=json.dumps({"detail": "no"}))
                return
            body = {"messages": [{"text": f"Trả lời số {len(self.chats)}", "buttons": []}]}
            route.fulfill(status=200, content_type="application/json", body=json.dumps(body))
        elif url.path.endswith("/messages"):
            route.fulfill(status=200, content_type="application/json",
                          body=json.dumps({"messages": [], "handover": False}))
        else:
            route.fulfill(status=404, body="")


@pytest.fixture
def server(page: Page) -> Iterator[FakeServer]:  # noqa: F811 - the fixture above, by name
    fake = FakeServer()
    page.route(f"{ORIGIN}/**", fake.serve)
    yield fake


def _ask(page: Page, text: str, answers: int) -> None:
    page.evaluate(f"""text => {{ const r = {SHADOW}; r.querySelector('input').value = text;
                                 r.querySelector('form').requestSubmit(); }}""", text)
    expect(page.locator("#tthc-assistant-widget .msg.bot:not([data-id='0'])")).to_have_count(answers,
                                                                                           timeout=15_000)


def _stored_sender(page: Page) -> str:
    return str(page.evaluate("""() => JSON.parse(localStorage.getItem(
        Object.keys(localStorage).find(k => k.startsWith('tthc-widget:')))).senderId"""))


def test_the_id_comes_from_the_server_and_a_refused_one_is_replaced(page: Page, server: FakeServer) -> None:  # noqa: F811
    page.goto(f"{ORIGIN}/")
    page.evaluate(f"() => {SHADOW}.querySelector('.launcher').click()")
    page.wait_for_timeout(500)
    assert server.issued == [], "no id is asked for before the first message"
    _ask(page, "khai sinh", 1)
    _ask(page, "lệ phí", 2)
    assert server.issued == [FIRST] and server.chats == [FIRST, FIRST]

    page.reload()
    server.forget_first = True  # e.g. the operator changed ASSISTANT_CHAT_SESSION_SECRET
    page.evaluate(f"() => {SHADOW}.querySelector('.launcher') && {SHADOW}.querySelector('.launcher').click()")
    _ask(page, "thời gian", 3)
    assert server.issued == [FIRST, SECOND]
    assert server.chats == [FIRST, FIRST, FIRST, SECOND]
    assert _stored_sender(page) == SECOND
    assert "Trả lời số 4" in page.locator("#tthc-assistant-widget .msg.bot").last.text_content()
