"""Open-loop chat load: citizens arrive at random and pause between their messages, as real ones do.

In a closed loop every conversation sends its next message the instant the answer arrives, so its latency
is conversations / throughput: a saturation figure, kept as such in `bench.chat`. Here arrivals do not wait
for answers. Conversations start as a Poisson process at the offered rate, each asks
`TURNS_PER_CONVERSATION` questions never asked before in the run with a human pause between them, and what
is measured is the latency a citizen feels at that load, tail included, plus the CPU every process of the
stack (PostgreSQL too, where it keeps the trackers) spent per message.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from assistant.config import Settings
from bench.chat import TURNS_PER_CONVERSATION, cpu_seconds, percentile, servers
from bench.questions import QuestionFeed

# Messages per second offered; the conversations' arrival rate is this divided by their length. Each rate
# sends about rate × (WARM_UP_S + MEASURE_S) messages: `bench.questions` must hold that many distinct ones.
RATES = (5, 10, 15, 20)
WARM_UP_S = 15.0
MEASURE_S = 60.0
PAUSE_S = (3.0, 8.0)
P95_TARGET_MS = 300.0
# Turns above this are counted as lost: a citizen on a phone has given up long before.
TIMEOUT_S = 30.0
POSTGRESQL = "postgresql"


@dataclass
class _Turns:
    """Every message sent at one rate: when it was sent (monotonic s), how long it took, and failures."""

    sent_at: list[float] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)
    failed: int = 0


async def _citizen(client: httpx.AsyncClient, url: str, feed: QuestionFeed, pauses: random.Random,
                   turns: _Turns) -> None:
    """One conversation: a new sender id from the app, then its questions with a pause after each answer."""
    try:
        sender = (await client.post(url + "/session")).json()["sender_id"]
    except (httpx.HTTPError, ValueError, KeyError):
        turns.failed += 1
        return
    for turn in range(TURNS_PER_CONVERSATION):
        if turn:
            await asyncio.sleep(pauses.uniform(*PAUSE_S))
        started = time.monotonic()
        try:
            response = await client.post(url, json={"sender_id": sender, "text": feed.take()})
            ok = response.status_code == 200 and bool(response.json().get("messages"))
        except (httpx.HTTPError, ValueError):
            ok = False
        turns.sent_at.append(started)
        turns.latency_ms.append((time.monotonic() - started) * 1000)
        turns.failed += not ok


async def _offer(app_url: str, rate: float, feed: QuestionFeed, seed: int) -> tuple[_Turns, float]:
    """Start conversations at `rate` / TURNS_PER_CONVERSATION per second until the window closes; wait for
    the last one. Returns the turns and the monotonic time the measured window opened."""
    arrivals, pauses = random.Random(seed), random.Random(seed + 1)
    turns = _Turns()
    url = f"{app_url}/api/chat"
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=TIMEOUT_S, limits=limits) as client:
        begin = time.monotonic()
        window_opens, arrivals_end = begin + WARM_UP_S, begin + WARM_UP_S + MEASURE_S
        started: list[asyncio.Task[None]] = []
        next_at = begin
        while True:
            next_at += arrivals.expovariate(rate / TURNS_PER_CONVERSATION)
            if next_at >= arrivals_end:
                break
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            started.append(asyncio.create_task(_citizen(client, url, feed, pauses, turns)))
        await asyncio.gather(*started)
    return turns, window_opens


def summarise(turns: _Turns, window_opens: float, window_s: float) -> dict[str, Any]:
    """Latency of the messages sent inside the measured window (later ones ran at a falling load)."""
    window_closes = window_opens + window_s
    inside = [latency for sent, latency in zip(turns.sent_at, turns.latency_ms, strict=True)
              if window_opens <= sent < window_closes]
    if not inside:
        return {"messages": 0, "failed": turns.failed}
    return {
        "messages": len(inside),
        "achieved_msgs_per_s": round(len(inside) / window_s, 1),
        "failed": turns.failed,
        "p50_ms": round(statistics.median(inside), 1),
        "p95_ms": round(percentile(inside, 95), 1),
        "p99_ms": round(percentile(inside, 99), 1),
    }


def postgres_pids() -> list[int]:
    """The PostgreSQL server's processes on this machine (the tracker store's CPU belongs to a turn)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip() in ("postgres", "postmaster"):
                pids.append(int(stat.parent.name))
        except OSError:
            continue  # the process ended while the list was read
    return pids


def _cpu(servers_by_name: dict[str, int]) -> dict[str, dict[int, float]]:
    """CPU seconds so far of each server (with its children), and of every PostgreSQL process by pid: its
    backends come and go, so they are listed again at each reading."""
    readings = {name: {pid: cpu_seconds(pid)} for name, pid in servers_by_name.items() if name != POSTGRESQL}
    if POSTGRESQL in servers_by_name:
        readings[POSTGRESQL] = {pid: cpu_seconds(pid, children=False) for pid in postgres_pids()}
    return readings


def _spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds each group spent between two readings (a process started meanwhile counts from zero)."""
    return {name: sum(value - before.get(name, {}).get(pid, 0.0) for pid, value in now.items())
            for name, now in after.items()}


def run_open_loop(settings: Settings, questions: list[str], *, rates: Iterable[float] = RATES,
                  rasa_workers: int = 1, redis_host: str | None = None, tracker_db_url: str | None = None,
                  seed: int = 21) -> dict[str, Any]:
    """Each rate in turn against one set of processes: latency percentiles and CPU ms per message by process.

    The figures are for the messages sent in the measured window; CPU is what each process spent from the
    window's opening to its close, divided by the messages sent in it.
    """
    feed = QuestionFeed(questions)
    rows: dict[str, Any] = {}
    with servers(settings, rasa_workers=rasa_workers, redis_host=redis_host,
                  tracker_db_url=tracker_db_url) as (running, app_url):
        groups = {item.spec.name: item.process.pid for item in running}
        if tracker_db_url and tracker_db_url.startswith("postgresql"):
            groups[POSTGRESQL] = 0  # listed afresh at every reading
        for rate in rates:
            rows[f"r{rate:g}"] = asyncio.run(_measure(app_url, rate, feed, seed, groups))
    passing = [rate for rate in rates if rows[f"r{rate:g}"].get("p95_ms", float("inf")) <= P95_TARGET_MS]
    return {"rates": rows, "max_rate_p95_300": max(passing, default=0),
            "questions": {"distinct": len(questions), "asked": feed.asked, "repeated": feed.repeats}}


async def _measure(app_url: str, rate: float, feed: QuestionFeed, seed: int,
                   groups: dict[str, int]) -> dict[str, Any]:
    """One rate: the load runs in a task while this coroutine reads the CPU counters at the window's edges."""
    load = asyncio.create_task(_offer(app_url, rate, feed, seed))
    await asyncio.sleep(WARM_UP_S)
    before = _cpu(groups)
    await asyncio.sleep(MEASURE_S)
    spent = _spent(before, _cpu(groups))
    turns, window_opens = await load
    row = summarise(turns, window_opens, MEASURE_S)
    messages = max(int(row["messages"]), 1)
    row["cpu_ms_per_message"] = {name: round(1000 * seconds / messages, 1) for name, seconds in spent.items()}
    row["cpu_ms_per_message_total"] = round(sum(row["cpu_ms_per_message"].values()), 1)
    return row
