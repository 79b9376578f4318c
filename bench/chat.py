"""End-to-end `/api/chat` latency and throughput against the real app, Rasa and action server.

The load comes from this process (asyncio + httpx) while the servers run as their own processes on
loopback; every level is bounded by a time limit and by its number of concurrent conversations. Every
turn is a free question never asked before in the run (see `bench.questions`), and every conversation
is a few turns long, as citizens' are.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from assistant import processes
from assistant.config import PROJECT_ROOT, Settings
from assistant.db import create_db_engine, create_session_factory
from assistant.search_service import SearchService
from bench.questions import QuestionFeed

# A citizen's conversation in the load: this many free questions, then a new citizen (a new tracker).
TURNS_PER_CONVERSATION = 4
# Turns Rasa answers from its domain alone: the floor a search turn is compared with.
GREETINGS = ("xin chào", "chào bạn", "xin chao", "chào ad", "hello", "chào em", "chao ad")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


async def _conversation(client: httpx.AsyncClient, url: str, deadline: float, feed: QuestionFeed,
                        latencies: list[float], errors: list[int]) -> None:
    turn = 0
    sender = ""
    while time.monotonic() < deadline:
        if turn % TURNS_PER_CONVERSATION == 0:
            # A new citizen: the app issues the conversation id, as it does to the widget.
            sender = (await client.post(url + "/session")).json()["sender_id"]
        started = time.perf_counter()
        response = await client.post(url, json={"sender_id": sender, "text": feed.take()})
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or not response.json().get("messages"):
            errors.append(response.status_code)
        turn += 1


async def _load(app_url: str, concurrency: int, seconds: float, feed: QuestionFeed) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[int] = []
    url = f"{app_url}/api/chat"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_conversation(client, url, deadline, feed, latencies, errors)
                               for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    return {
        "turns": len(latencies),
        "errors": len(errors),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "msgs_per_s": round(len(latencies) / elapsed, 1),
    }


def _tree(pid: int) -> list[int]:
    """A process and its children (Rasa forks Sanic workers)."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    return pids


def cpu_seconds(pid: int, *, children: bool = True) -> float:
    """User + system CPU seconds used so far by a process and, unless told otherwise, its children."""
    total = 0
    for one in _tree(pid) if children else [pid]:
        stat = Path(f"/proc/{one}/stat")
        if stat.exists():
            fields = stat.read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _measured(running: list[processes.RunningProcess], app_url: str, level: int, seconds: float,
              feed: QuestionFeed) -> dict[str, Any]:
    """One load level, plus the CPU each server spent per turn: a figure a busy shared machine skews less
    than wall-clock latency."""
    before = {item.spec.name: cpu_seconds(item.process.pid) for item in running}
    row: dict[str, Any] = asyncio.run(_load(app_url, level, seconds, feed))
    turns = max(int(row["turns"]), 1)
    row["cpu_ms_per_turn"] = {item.spec.name: round(1000 * (cpu_seconds(item.process.pid) - before[item.spec.name])
                                                    / turns, 1) for item in running}
    return row


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (Rasa forks Sanic workers)."""
    total = 0
    for one in _tree(pid):
        status = Path(f"/proc/{one}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


@contextmanager
def servers(settings: Settings, *, rasa_workers: int, redis_host: str | None, tracker_db_url: str | None,
             app_env: dict[str, str] | None = None) -> Iterator[tuple[list[processes.RunningProcess], str]]:
    """The three processes started, healthy and warmed up; stopped on exit. Yields them and the app's URL."""
    log_dir = PROJECT_ROOT / "var" / "bench-logs"
    app_port, rasa_port, action_port = processes.free_port(), processes.free_port(), processes.free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    specs = processes.system_specs(
        app_port=app_port, rasa_port=rasa_port, action_port=action_port,
        tracker_db_url=tracker_db_url or f"sqlite:///{log_dir / 'bench-trackers.db'}", rasa_workers=rasa_workers,
        redis_host=redis_host,
        app_env={"ASSISTANT_DATABASE_URL": settings.database_url, "ASSISTANT_INDEX_DIR": str(settings.index_dir),
                 "ASSISTANT_LOG_LEVEL": "WARNING",
                 # The load comes from one address standing for many citizens: the per-address limit is off.
                 "ASSISTANT_RATE_LIMIT_CHAT_PER_IP": "0", **(app_env or {})},
    )
    running: list[processes.RunningProcess] = []
    try:
        for spec in specs:
            running.append(processes.start(spec, log_dir))
        processes.wait_healthy(running, timeout_s=420)
        yield running, app_url
    finally:
        processes.stop(running)


def run_chat_bench(
    settings: Settings, questions: list[str], *, seconds: dict[int, float] | None = None,
    rasa_workers: int = 1, redis_host: str | None = None, tracker_db_url: str | None = None,
) -> dict[str, Any]:
    """Start the three processes, load them at each concurrency level, measure, stop them.

    `tracker_db_url` defaults to a SQLite file; production keeps trackers in PostgreSQL.
    """
    seconds = seconds or {1: 12.0, 10: 20.0, 50: 15.0}
    feed = QuestionFeed(questions)
    with servers(settings, rasa_workers=rasa_workers, redis_host=redis_host,
                  tracker_db_url=tracker_db_url) as (running, app_url):
        asyncio.run(_load(app_url, 2, 3.0, feed))  # warm-up: models, caches, connections
        chat = {f"c{level}": _measured(running, app_url, level, length, feed) for level, length in seconds.items()}
        memory = {item.spec.name: _rss_mb(item.process.pid) for item in running}
    return {"chat": chat, "memory_mb": memory,
            "questions": {"distinct": len(questions), "asked": feed.asked, "repeated": feed.repeats}}


def run_turn_costs(
    settings: Settings, questions: list[str], *, hashing_index_dir: Path, tracker_db_urls: Callable[[], str | None],
    redis_host: str | None, concurrency: int = 10, seconds: float = 20.0,
) -> dict[str, dict[str, Any]]:
    """Where a search turn's time goes, side by side at one load level with 2 Rasa workers.

    A greeting is answered by Rasa from its domain (no action server, no search); a search turn adds the
    action server, the app's search and its answer; the same search turn with the hashing encoder (an index
    built for it in `hashing_index_dir`) shows what the neural query embedding costs on its own.
    """
    greetings = QuestionFeed(list(GREETINGS))
    searches = QuestionFeed(questions)
    rows: dict[str, dict[str, Any]] = {}
    with servers(settings, rasa_workers=2, redis_host=redis_host,
                  tracker_db_url=tracker_db_urls()) as (running, app_url):
        asyncio.run(_load(app_url, 2, 3.0, searches))
        rows["greeting"] = _measured(running, app_url, concurrency, seconds, greetings)
        rows["search"] = _measured(running, app_url, concurrency, seconds, searches)
    hashing = settings.model_copy(update={"encoder_backend": "hashing", "index_dir": hashing_index_dir})
    engine = create_db_engine(settings.database_url)
    try:
        SearchService(hashing, create_session_factory(engine)).rebuild(progress=False)
    finally:
        engine.dispose()
    with servers(hashing, rasa_workers=2, redis_host=redis_host, tracker_db_url=tracker_db_urls(),
                  app_env={"ASSISTANT_ENCODER_BACKEND": "hashing"}) as (running, app_url):
        asyncio.run(_load(app_url, 2, 3.0, searches))
        rows["search_hashing_encoder"] = _measured(running, app_url, concurrency, seconds, searches)
    return rows
