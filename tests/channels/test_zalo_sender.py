"""Zalo rendering and token handling, including concurrent refreshes, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant import messages_vi
from assistant.rasa_client import BotMessage, Button
from channels.deliveries import DeliveryStore
from channels.models import ZaloToken
from channels.retry import RetryPolicy
from channels.zalo import MAX_BUTTONS, TEXT_LIMIT, ZaloChannel, render
from channels.zalo_tokens import TokenRefreshFailed, ZaloTokens
from tests.fakes.local_server import LocalServer
from tests.fakes.zalo_api import FakeZaloApi

APP_ID, APP_SECRET = "42", "app-secret"


@pytest.fixture
def zalo() -> Iterator[tuple[FakeZaloApi, str]]:
    api = FakeZaloApi(APP_ID, APP_SECRET)
    with LocalServer(api.app) as server:
        yield api, server.url


def tokens(factory: sessionmaker[Session], http: httpx.AsyncClient, url: str) -> ZaloTokens:
    return ZaloTokens(factory, http, app_id=APP_ID, app_secret=APP_SECRET, oauth_base=url,
                      initial_access="AT-1", initial_refresh="RT-1")


def stored_pair(factory: sessionmaker[Session]) -> tuple[str, str] | None:
    with factory() as session:
        row = session.get(ZaloToken, APP_ID)
        return (row.access_token, row.refresh_token) if row else None


def test_more_than_five_buttons_are_spread_over_several_messages() -> None:
    buttons = tuple(Button(f"Thủ tục {i}", f"/choose{{\"i\":{i}}}") for i in range(7))
    rendered = render(BotMessage(text="Bạn muốn hỏi thủ tục nào?", buttons=buttons))
    assert [m["text"] for m in rendered] == ["Bạn muốn hỏi thủ tục nào?", messages_vi.MORE_CHOICES]
    groups = [m["attachment"]["payload"]["buttons"] for m in rendered]
    assert [len(g) for g in groups] == [MAX_BUTTONS, 2]
    assert [b["payload"] for g in groups for b in g] == [b.payload for b in buttons]


def test_long_text_is_split_and_the_buttons_follow_the_last_piece() -> None:
    paragraph = "Thành phần hồ sơ gồm tờ khai và giấy chứng sinh. " * 30
    text = "\n\n".join([paragraph] * 4)
    rendered = render(BotMessage(text=text, buttons=(Button("Lệ phí", "/ask_fee"),)))
    assert len(rendered) >= 3
    assert all(len(m["text"]) <= TEXT_LIMIT for m in rendered)
    assert "attachment" in rendered[-1] and all("attachment" not in m for m in rendered[:-1])
    assert " ".join(m["text"] for m in rendered).split() == text.split()


def test_an_image_is_sent_as_a_media_template() -> None:
    [image, caption] = render(BotMessage(text="Mẫu tờ khai", image="https://example.org/to-khai.png"))
    element = image["attachment"]["payload"]["elements"][0]
    assert element == {"media_type": "image", "url": "https://example.org/to-khai.png"}
    assert caption == {"text": "Mẫu tờ khai"}


def test_concurrent_expired_sends_refresh_once_and_store_the_pair(
        session_factory: sessionmaker[Session], zalo: tuple[FakeZaloApi, str]) -> None:
    api, url = zalo
    api.expire_access_token()

    async def run() -> None:
        async with httpx.AsyncClient() as http:
            channel = ZaloChannel(http, tokens(session_factory, http, url), DeliveryStore(session_factory),
                                  RetryPolicy(), api_base=url)
            await asyncio.gather(*(channel.send(f"u{i}", [BotMessage(text=f"trả lời {i}")])
                                   for i in range(4)))

    asyncio.run(run())
    assert len(api.refreshes) == 1
    assert sorted(s.user_id for s in api.sends) == ["u0", "u1", "u2", "u3"]
    assert {s.access_token for s in api.sends} == {"AT-2"}
    assert stored_pair(session_factory) == ("AT-2", "RT-2")


def test_a_refresh_done_by_another_process_is_picked_up_without_spending_a_token(
        session_factory: sessionmaker[Session], zalo: tuple[FakeZaloApi, str]) -> None:
    api, url = zalo

    async def run() -> tuple[str, str]:
        async with httpx.AsyncClient() as http:
            first, second = tokens(session_factory, http, url), tokens(session_factory, http, url)
            fresh = await first.refresh("AT-1")
            return fresh, await second.refresh("AT-1")

    assert asyncio.run(run()) == ("AT-2", "AT-2")
    assert len(api.refreshes) == 1


def test_a_refused_refresh_raises_and_keeps_the_old_pair(
        session_factory: sessionmaker[Session], zalo: tuple[FakeZaloApi, str]) -> None:
    api, url = zalo
    api.refresh_token = "RT-other"

    async def run() -> None:
        async with httpx.AsyncClient() as http:
            await tokens(session_factory, http, url).refresh("AT-1")

    with pytest.raises(TokenRefreshFailed):
        asyncio.run(run())
    assert stored_pair(session_factory) is None
