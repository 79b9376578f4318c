"""A flood of staff sign-ins must not stall the event loop: /healthz keeps answering while they run.

Each sign-in verifies an argon2 hash (tens of milliseconds of CPU, even for an unknown username, so that a
wrong username costs as long as a wrong password). Run on the event loop, N of them block every other
request for N times that; run in worker threads, the loop stays free. The app is served by uvicorn on a free
port and the requests really are concurrent.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy.orm import sessionmaker

from assistant.config import Settings
from assistant.main import create_app
from assistant.processes import free_port
from assistant.search_service import SearchService
from knowledge.admin.csrf import LOGIN_CSRF_COOKIE, new_token

# The flood lasts at least this long on any machine (the number of sign-ins is sized from one's cost).
FLOOD_S = 3.0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'flood.db'}", index_dir=tmp_path / "index",
                        environment="development", rasa_url="http://127.0.0.1:9",
                        action_server_url="http://127.0.0.1:9")
    app = create_app(settings, search=SearchService(settings, sessionmaker()))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "app did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


async def _login(url: str, csrf: str, n: int) -> float:
    # Each attempt its own client: a refused sign-in sets a fresh CSRF cookie, which must not leak into the next.
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120, cookies={LOGIN_CSRF_COOKIE: csrf}) as client:
        response = await client.post(f"{url}/admin/login", data={
            "username": f"nobody-{n}", "password": "wrong-password-123", "csrf_token": csrf})
    assert response.status_code == 401, response.text[:200]
    return time.perf_counter() - started


async def _health(client: httpx.AsyncClient, url: str) -> float:
    started = time.perf_counter()
    response = await client.get(f"{url}/healthz")
    assert response.status_code in (200, 503)  # 503: no index in this app; it answered, which is what counts
    return time.perf_counter() - started


def test_healthz_answers_while_a_login_flood_runs(served: str) -> None:
    async def scenario() -> tuple[float, list[float], list[float]]:
        async with httpx.AsyncClient(timeout=120) as client:
            csrf = new_token()
            one = await _login(served, csrf, 0)
            count = max(8, min(28, math.ceil(FLOOD_S / max(one, 0.01))))  # under the 30-failure address limit
            started = time.perf_counter()
            flood = asyncio.gather(*(_login(served, csrf, n) for n in range(1, count)))
            await asyncio.sleep(0.05)
            health = []
            while not flood.done():
                health.append(await _health(client, served))
                await asyncio.sleep(0.05)
            logins = await flood
            return time.perf_counter() - started, logins, health

    flood_s, logins, health = asyncio.run(scenario())
    assert health, "the flood ended before /healthz was asked"
    # Every health check answers in a fraction of the flood's time instead of waiting behind the sign-ins.
    assert max(health) < max(0.5, flood_s / 4), (max(health), statistics.median(health), flood_s, len(logins))
