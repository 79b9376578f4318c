"""Abuse limits on the chat doors: per sender, per address, shared through Redis, and cheap for everyone else."""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from assistant import messages_vi
from assistant.abuse_limits import hit
from assistant.config import Settings
from assistant.main import create_app
from assistant.processes import free_port
from assistant.rate_limit import Limit
from assistant.search_service import SearchService
from tests import chat_ids
from tests.assistant.test_rate_limit import REDIS_URL
from tests.channels import test_telegram as tg
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import FakeRasa, scripted_reply
from tests.fakes.telegram_api import FakeTelegramApi

RASA_DELAY_S = 0.05


def _settings(tmp_path: Path, rasa_url: str, **extra: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'limits.db'}", index_dir=tmp_path / "index",
                    rasa_url=rasa_url, **extra)


def _app(settings: Settings) -> FastAPI:
    return create_app(settings, search=SearchService(settings, sessionmaker()))


def _chat(client: TestClient | httpx.Client, sender: str, text: str = "khai sinh") -> Any:
    return client.post("/api/chat", json={"sender_id": chat_ids.signed(sender), "text": text})


@pytest.fixture
def rasa_url() -> Iterator[str]:
    with LocalServer(FakeRasa().app) as server:
        yield server.url


def test_a_sender_past_its_limit_gets_a_vietnamese_429_and_others_are_still_answered(
        tmp_path: Path, rasa_url: str) -> None:
    settings = _settings(tmp_path, rasa_url, rate_limit_chat_per_sender=3, rate_limit_window_s=120)
    with TestClient(_app(settings)) as client:
        assert [_chat(client, "flood").status_code for _ in range(3)] == [200, 200, 200]
        refused = _chat(client, "flood")
        assert _chat(client, "calm").status_code == 200
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 120
    [message] = refused.json()["messages"]
    assert message["text"] == messages_vi.RATE_LIMITED.format(minutes=2)


def test_one_address_cycling_sender_ids_is_stopped_by_the_address_limit(tmp_path: Path, rasa_url: str) -> None:
    settings = _settings(tmp_path, rasa_url, rate_limit_chat_per_ip=4)
    with TestClient(_app(settings)) as client:
        statuses = [_chat(client, f"s{i}").status_code for i in range(6)]
    assert statuses == [200] * 4 + [429] * 2


def test_zero_turns_a_limit_off(tmp_path: Path, rasa_url: str) -> None:
    settings = _settings(tmp_path, rasa_url, rate_limit_chat_per_sender=0, rate_limit_chat_per_ip=0)
    with TestClient(_app(settings)) as client:
        assert {_chat(client, "same").status_code for _ in range(30)} == {200}


def test_a_broken_limiter_lets_citizens_through() -> None:
    class Broken:
        async def hit(self, key: str, limit: Limit) -> None:
            raise ConnectionError("redis is down")

    decision = asyncio.run(hit(Broken(), "chat:api:x", Limit(1, 60)))  # type: ignore[arg-type]
    assert decision.allowed


def test_the_limit_is_shared_by_two_app_instances_through_redis(tmp_path: Path, rasa_url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    sender = f"shared-{uuid.uuid4().hex[:10]}"
    first = _settings(tmp_path, rasa_url, redis_url=REDIS_URL, rate_limit_chat_per_sender=3)
    second = first.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'second.db'}"})
    with TestClient(_app(first)) as a, TestClient(_app(second)) as b:
        statuses = [_chat(a, sender).status_code, _chat(b, sender).status_code, _chat(a, sender).status_code,
                    _chat(b, sender).status_code, _chat(a, sender).status_code]
    assert statuses == [200, 200, 200, 429, 429]


# -- channels ----------------------------------------------------------------------------------------


def test_a_flooding_telegram_chat_is_told_once_then_ignored_without_asking_rasa(tmp_path: Path) -> None:
    api, rasa = FakeTelegramApi(tg.TOKEN), FakeRasa()
    with LocalServer(api.app) as api_server, LocalServer(rasa.app) as rasa_server:
        settings = tg.telegram_settings(tmp_path, api_server.url, rasa_server.url, rate_limit_chat_per_sender=2)
        with TestClient(_app(settings)) as client:
            for update_id in range(1, 6):
                response = client.post("/webhooks/telegram", json=tg.message_update(update_id, text=f"hỏi {update_id}"),
                                       headers={"X-Telegram-Bot-Api-Secret-Token": tg.SECRET})
                assert response.status_code == 200
            other = client.post("/webhooks/telegram", json=tg.message_update(9, chat_id=999, text="kết hôn"),
                                headers={"X-Telegram-Bot-Api-Secret-Token": tg.SECRET})
            assert other.status_code == 200
    assert [c["message"] for c in rasa.calls] == ["hỏi 1", "hỏi 2", "kết hôn"]
    texts = [(c.params["chat_id"], c.params["text"]) for c in api.calls_to("sendMessage")]
    polite = messages_vi.RATE_LIMITED.format(minutes=1)
    assert texts == [(str(tg.CHAT_ID), "Bạn hỏi: hỏi 1"), (str(tg.CHAT_ID), "Bạn hỏi: hỏi 2"),
                     (str(tg.CHAT_ID), polite), ("999", "Bạn hỏi: kết hôn")]


def test_webhook_calls_past_the_address_limit_get_429_before_anything_is_read(tmp_path: Path) -> None:
    api, rasa = FakeTelegramApi(tg.TOKEN), FakeRasa()
    with LocalServer(api.app) as api_server, LocalServer(rasa.app) as rasa_server:
        settings = tg.telegram_settings(tmp_path, api_server.url, rasa_server.url, rate_limit_webhook_per_ip=3)
        with TestClient(_app(settings)) as client:
            statuses = [client.post("/webhooks/telegram", content=b"{not json",
                                    headers={"X-Telegram-Bot-Api-Secret-Token": "forged"}).status_code
                        for _ in range(5)]
    assert statuses == [403, 403, 403, 429, 429]


# -- a flood does not slow the others ------------------------------------------------------------------


class _SlowRasa:
    """Rasa taking RASA_DELAY_S per message, as a real one does while it thinks."""

    def __init__(self) -> None:
        self.app = Starlette(routes=[Route("/webhooks/rest/webhook", self._webhook, methods=["POST"])])

    async def _webhook(self, request: Request) -> JSONResponse:
        body = await request.json()
        await asyncio.sleep(RASA_DELAY_S)
        return JSONResponse(scripted_reply(str(body["sender"]), str(body["message"])))


class _ServedApp:
    """The app with its real lifespan on a free port, in a thread of this process."""

    def __init__(self, app: FastAPI) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        port = int(self.url.rsplit(":", 1)[1])
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> _ServedApp:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("app did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


FLOODER = """
import asyncio, json, sys, httpx
url, total, sender = sys.argv[1], int(sys.argv[2]), sys.argv[3]
async def main():
    counts = {}
    async with httpx.AsyncClient(timeout=30) as client:
        sem = asyncio.Semaphore(20)
        async def one(i):
            async with sem:
                r = await client.post(url + "/api/chat", json={"sender_id": sender, "text": f"spam {i}"})
                counts[r.status_code] = counts.get(r.status_code, 0) + 1
        print("go", flush=True)
        await asyncio.gather(*(one(i) for i in range(total)))
    print(json.dumps(counts), flush=True)
asyncio.run(main())
"""


def _calm_latencies(client: httpx.Client, count: int, phase: str) -> list[float]:
    """Latencies of other citizens (one message each, so none of them nears its own limit)."""
    out = []
    for i in range(count):
        started = time.perf_counter()
        response = _chat(client, f"calm-{phase}-{i}", f"câu hỏi {i}")
        out.append(time.perf_counter() - started)
        assert response.status_code == 200
    return out


def test_a_flood_from_one_sender_is_refused_and_does_not_slow_another(tmp_path: Path) -> None:
    limit, flood = 5, 400
    with LocalServer(_SlowRasa().app) as rasa_server:
        settings = _settings(tmp_path, rasa_server.url, rate_limit_chat_per_sender=limit, rate_limit_chat_per_ip=0)
        with _ServedApp(_app(settings)) as served, httpx.Client(base_url=served.url, timeout=30) as client:
            _calm_latencies(client, 2, "warm-up")
            baseline = statistics.median(_calm_latencies(client, 8, "quiet"))
            with subprocess.Popen([sys.executable, "-c", FLOODER, served.url, str(flood), chat_ids.signed("flooder")],
                                  stdout=subprocess.PIPE, text=True) as flooder:
                try:
                    assert flooder.stdout is not None and flooder.stdout.readline().strip() == "go"
                    during = statistics.median(_calm_latencies(client, 8, "flood"))
                    counts = json.loads(flooder.stdout.readline())
                finally:
                    flooder.kill()
    assert counts == {"200": limit, "429": flood - limit}
    # Ratios, not absolute times: the calm citizen's median is within a small factor of its quiet median.
    assert during / baseline < 3.0, f"calm median {during * 1000:.0f} ms during the flood vs {baseline * 1000:.0f} ms"


# -- public lookups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "params"), [("/api/procedures/search", {"q": "khai sinh"}),
                                              ("/api/communes/resolve", {"address": "phường Bến Nghé"})])
def test_search_and_address_resolution_have_per_address_and_global_budgets(
        tmp_path: Path, path: str, params: dict[str, str]) -> None:
    token = "an-actions-token-of-enough-length"
    settings = _settings(tmp_path, "http://127.0.0.1:9", rate_limit_search_per_ip=2, rate_limit_search_global=3,
                         actions_token=token)
    app = _app(settings)
    with TestClient(app, client=("203.0.113.1", 1)) as first, TestClient(app, client=("203.0.113.2", 1)) as second:
        a = [first.get(path, params=params) for _ in range(3)]
        b = [second.get(path, params=params) for _ in range(2)]
        bot = first.get(path, params=params, headers={"X-Assistant-Token": token})
    # The search app here has no index (503): the budget is spent before the route does any work.
    assert [r.status_code == 429 for r in a] == [False, False, True]
    assert [r.status_code == 429 for r in b] == [False, True]  # 3 calls in all: the global budget is spent
    refused = a[2]
    assert refused.json()["detail"]["message"] == messages_vi.RATE_LIMITED.format(minutes=1)
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert bot.status_code != 429  # the action server's calls have a global budget of their own
