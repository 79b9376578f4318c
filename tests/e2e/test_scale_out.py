"""Two app replicas and two Rasa replicas behind one address keep 50 concurrent conversations apart.

The production topology of docker-compose without Docker: the machine's PostgreSQL holds Rasa's trackers
(a fresh database per run), its Redis holds Rasa's locks and the apps' rate limits. App replica i talks to
Rasa replica i, and the proxy sends each turn of a conversation to the other app replica than the turn
before, so consecutive turns are decided by different Rasa processes that share only the stores.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assistant import messages_vi, processes
from assistant.config import Settings
from tests import chat_ids
from tests.conftest import _PG_SKIP_REASON, POSTGRES_URL
from tests.e2e.conftest import _missing_rasa_parts
from tests.fakes.local_server import LocalServer
from tests.fakes.round_robin_proxy import RoundRobinProxy

pytestmark = pytest.mark.rasa

REDIS_HOST = os.environ.get("ASSISTANT_TEST_REDIS_HOST", "127.0.0.1")
REDIS_DB_FOR_APPS = 7  # rate limits of this test's apps, apart from anything else using this Redis
REPLICAS = 2
CONVERSATIONS = 50
# By default every conversation has its turn in flight at once. The action server gives the app 2.5 s per
# call: on a slower machine, lower this so load does not turn into apologies (which is not lost context).
IN_FLIGHT = int(os.environ.get("ASSISTANT_TEST_SCALE_IN_FLIGHT", str(CONVERSATIONS)))

# (first question, a word every answer about that procedure names, words that belong to the others)
PROCEDURES = (
    ("làm giấy khai sinh cho con cần giấy tờ gì", "khai sinh", ("kết hôn",)),
    ("dang ky ket hon can gi", "kết hôn", ("khai sinh",)),
)
FOLLOW_UPS = ("lệ phí bao nhiêu?", "mất bao lâu?", "le phi bao nhieu")


@dataclass
class ScaledSystem:
    url: str
    proxy: RoundRobinProxy
    app_urls: list[str]
    tracker_url: str
    log_dir: Path


def _redis_reason() -> str | None:
    try:
        redis.Redis(host=REDIS_HOST, port=6379, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis not reachable at {REDIS_HOST}:6379 ({type(exc).__name__}); set ASSISTANT_TEST_REDIS_HOST"
    return None


@pytest.fixture(scope="module")
def tracker_db() -> Iterator[str]:
    """A fresh PostgreSQL database for Rasa's trackers, dropped afterwards."""
    missing = _missing_rasa_parts()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    reason = _PG_SKIP_REASON or _redis_reason()
    if reason:
        pytest.skip(reason)
    name = f"rasa_scale_{uuid.uuid4().hex[:10]}"
    server = make_url(POSTGRES_URL)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        # Rasa 3.6 uses SQLAlchemy 1.4 with psycopg2: a plain postgresql:// URL.
        yield server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def scaled(kb_settings: Settings, tracker_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledSystem]:
    log_dir = tmp_path_factory.mktemp("scale-out-logs")
    app_ports = [processes.free_port() for _ in range(REPLICAS)]
    rasa_ports = [processes.free_port() for _ in range(REPLICAS)]
    action_port = processes.free_port()
    app_urls = [f"http://127.0.0.1:{port}" for port in app_ports]
    proxy = RoundRobinProxy(app_urls)
    running: list[processes.RunningProcess] = []
    with LocalServer(proxy.app) as server:
        # This test is about context, not speed: 50 conversations through 2 apps, 2 Rasa processes and this
        # process's proxy saturate 2 shared cores, and a turn must not fail on the live 2.5 s budget.
        token = processes.new_actions_token()  # as system_specs does: one shared secret per start
        specs = [_named(processes.actions_spec(action_port, server.url, api_timeout_s=20, actions_token=token),
                        "actions")]
        for i in range(REPLICAS):
            specs.append(_named(processes.rasa_spec(rasa_ports[i], action_port, tracker_db_url=tracker_db,
                                                    redis_host=REDIS_HOST), f"rasa-{i}"))
            specs.append(_named(processes.app_spec(app_ports[i], {
                "ASSISTANT_DATABASE_URL": kb_settings.database_url,
                "ASSISTANT_INDEX_DIR": str(kb_settings.index_dir),
                "ASSISTANT_RASA_URL": f"http://127.0.0.1:{rasa_ports[i]}",
                "ASSISTANT_ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}",
                "ASSISTANT_REDIS_URL": f"redis://{REDIS_HOST}:6379/{REDIS_DB_FOR_APPS}",
                "ASSISTANT_RASA_TIMEOUT_S": "60",
                "ASSISTANT_CHANNEL_UNANSWERED_AFTER_S": "360",
                "ASSISTANT_LOG_FORMAT": "json",
                processes.ACTIONS_TOKEN_ENV: token,
            }), f"app-{i}"))
        try:
            for spec in specs:
                running.append(processes.start(spec, log_dir))
            processes.wait_healthy(running, timeout_s=420)
            yield ScaledSystem(url=server.url, proxy=proxy, app_urls=app_urls, tracker_url=tracker_db,
                                log_dir=log_dir)
        finally:
            processes.stop(running)
            proxy.close()


def _named(spec: processes.ProcessSpec, name: str) -> processes.ProcessSpec:
    spec.name = name  # one log file per replica
    return spec


@dataclass
class Turn:
    text: str
    status: int
    answer: str


async def _conversation(client: httpx.AsyncClient, url: str, sender: str, procedure: int,
                        in_flight: asyncio.Semaphore) -> list[Turn]:
    question = PROCEDURES[procedure][0]
    turns = []
    for text_ in (question, *FOLLOW_UPS):
        async with in_flight:
            response = await client.post(f"{url}/api/chat", json={"sender_id": chat_ids.signed(sender), "text": text_})
        answer = "\n".join(m["text"] for m in response.json()["messages"]) if response.status_code == 200 else ""
        turns.append(Turn(text_, response.status_code, answer))
    return turns


async def _all_conversations(url: str, senders: list[str]) -> list[list[Turn]]:
    in_flight = asyncio.Semaphore(IN_FLIGHT)
    async with httpx.AsyncClient(timeout=180.0, limits=httpx.Limits(max_connections=CONVERSATIONS)) as client:
        return await asyncio.gather(*(_conversation(client, url, sender, i % len(PROCEDURES), in_flight)
                                      for i, sender in enumerate(senders)))


def test_fifty_concurrent_conversations_keep_their_context_across_replicas(scaled: ScaledSystem) -> None:
    run = uuid.uuid4().hex[:6]
    senders = [f"scale-{run}-{i:02d}" for i in range(CONVERSATIONS)]

    results = asyncio.run(_all_conversations(scaled.url, senders))

    problems = []
    for i, (sender, turns) in enumerate(zip(senders, results, strict=True)):
        _question, own, others = PROCEDURES[i % len(PROCEDURES)]
        for turn in turns:
            lowered = turn.answer.lower()
            if turn.status != 200 or not turn.answer or turn.answer in {messages_vi.NO_REPLY}:
                problems.append(f"{sender} {turn.text!r}: HTTP {turn.status}, answer {turn.answer[:80]!r}")
            elif own not in lowered or any(other in lowered for other in others):
                problems.append(f"{sender} {turn.text!r}: answered about another procedure: {turn.answer[:120]!r}")
    assert not problems, f"{len(problems)} bad turns, e.g. " + "\n".join(problems[:10])

    # Every turn went to the other replica than the turn before it.
    for sender in senders:
        replicas = scaled.proxy.turns[chat_ids.signed(sender)]
        assert len(replicas) == 1 + len(FOLLOW_UPS)
        assert all(a != b for a, b in zip(replicas, replicas[1:], strict=False)), (sender, replicas)

    # No turn was lost or doubled: the shared tracker store holds exactly one user event per turn.
    engine = create_engine(scaled.tracker_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        counts = dict(connection.execute(text(
            "SELECT sender_id, count(*) FROM events WHERE type_name = 'user' AND sender_id = ANY(:ids) "
            "GROUP BY sender_id"), {"ids": [chat_ids.conversation(sender) for sender in senders]}).all())
    engine.dispose()
    assert counts == {chat_ids.conversation(sender): 1 + len(FOLLOW_UPS) for sender in senders}


def test_each_replica_reports_its_own_metrics(scaled: ScaledSystem) -> None:
    for url in scaled.app_urls:
        body = httpx.get(f"{url}/metrics", timeout=10).text
        rasa_turns = [line for line in body.splitlines()
                      if line.startswith('assistant_rasa_roundtrip_seconds_count{channel="api",outcome="ok"}')]
        assert rasa_turns and float(rasa_turns[0].rsplit(" ", 1)[1]) > 0, url
    assert min(scaled.proxy.requests) > 0


def test_app_logs_are_json_lines_without_personal_numbers(scaled: ScaledSystem) -> None:
    for i in range(REPLICAS):
        lines = (scaled.log_dir / f"app-{i}.log").read_text(encoding="utf-8").splitlines()
        entries = [json.loads(line) for line in lines if line.startswith("{")]
        assert entries, f"app-{i} wrote no JSON log line"
        assert all({"timestamp", "level", "logger", "message", "conversation_id"} <= set(e) for e in entries)
        assert any(e["logger"] == "uvicorn.access" for e in entries)  # uvicorn's own lines are JSON too
