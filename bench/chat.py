"""End-to-end `/api/chat` latency and throughput against the real app, Rasa and action server.

The load comes from this process (asyncio + httpx) while the servers run as their own processes on
loopback; every run is bounded by a turn count and a time limit.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from assistant import processes
from assistant.config import PROJECT_ROOT, Settings

CONVERSATION = ("lam giay khai sinh cho con", "lệ phí bao nhiêu", "mất bao lâu", "dang ky ket hon can gi")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


async def _conversation(client: httpx.AsyncClient, url: str, deadline: float, latencies: list[float],
                        errors: list[int]) -> None:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    turn = 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        response = await client.post(url, json={"sender_id": sender, "text": CONVERSATION[turn % len(CONVERSATION)]})
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or not response.json().get("messages"):
            errors.append(response.status_code)
        turn += 1


async def _load(app_url: str, concurrency: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[int] = []
    url = f"{app_url}/api/chat"
    async with httpx.AsyncClient(timeout=30) as client:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(*(_conversation(client, url, deadline, latencies, errors)
                               for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    return {
        "turns": len(latencies),
        "errors": len(errors),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 95), 1),
        "p99_ms": round(_percentile(latencies, 99), 1),
        "msgs_per_s": round(len(latencies) / elapsed, 1),
    }


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (Rasa forks Sanic workers)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        status = Path(f"/proc/{one}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


def run_chat_bench(
    settings: Settings, *, seconds: float = 20.0, levels: tuple[int, ...] = (1, 10, 50),
    rasa_workers: int = 1, redis_host: str | None = None,
) -> dict[str, Any]:
    log_dir = PROJECT_ROOT / "var" / "bench-logs"
    app_port, rasa_port, action_port = processes.free_port(), processes.free_port(), processes.free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    specs = processes.system_specs(
        app_port=app_port, rasa_port=rasa_port, action_port=action_port,
        tracker_db_url=f"sqlite:///{log_dir / 'bench-trackers.db'}", rasa_workers=rasa_workers,
        redis_host=redis_host,
        app_env={"ASSISTANT_DATABASE_URL": settings.database_url, "ASSISTANT_INDEX_DIR": str(settings.index_dir),
                 "ASSISTANT_LOG_LEVEL": "WARNING"},
    )
    running: list[processes.RunningProcess] = []
    try:
        for spec in specs:
            running.append(processes.start(spec, log_dir))
        processes.wait_healthy(running, timeout_s=300)
        asyncio.run(_load(app_url, 2, 3.0))  # warm-up: models, caches, connections
        chat = {f"c{level}": asyncio.run(_load(app_url, level, seconds)) for level in levels}
        memory = {item.spec.name: _rss_mb(item.process.pid) for item in running}
    finally:
        processes.stop(running)
    return {"chat": chat, "memory_mb": memory}
