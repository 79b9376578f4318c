"""Run every benchmark and write bench/results.json and the Markdown table the README quotes."""

from __future__ import annotations

import json
import logging
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.config import PROJECT_ROOT, get_settings
from assistant.logging_setup import configure_logging
from bench.chat import TURNS_PER_CONVERSATION, run_chat_bench, run_turn_costs
from bench.open_loop import PAUSE_S, run_open_loop
from bench.questions import load_questions as load_chat_questions
from bench.report import render_markdown
from bench.search import run_search_bench

BENCH_DIR = PROJECT_ROOT / "bench"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432"
TRACKER_DATABASE = "bench_rasa_trackers"


def main() -> int:
    configure_logging("WARNING")
    settings = get_settings()
    questions = BENCH_DIR / "dev_questions.jsonl"
    results: dict[str, Any] = {
        "machine": {"cpus": _cpus(), "python": platform.python_version(),
                    "measured_at": datetime.now(UTC).isoformat(timespec="seconds")},
        "encoder": settings.encoder_backend,
    }
    results.update(run_search_bench(settings, questions))
    load = load_chat_questions(questions, settings.aliases_file)
    # The production shape (docker-compose.yml): trackers in PostgreSQL, Redis lock store, one Sanic worker
    # per Rasa replica; SQLite and in-memory locks only when those servers are not running here.
    redis_host = "127.0.0.1" if _reachable(6379) else None
    trackers = _fresh_tracker_database() if _reachable(5432) else None
    results["chat_setup"] = {"tracker_store": "postgresql" if trackers else "sqlite",
                             "lock_store": "redis" if redis_host else "in_memory", "rasa_workers": 1,
                             "turns_per_conversation": TURNS_PER_CONVERSATION}
    single = run_chat_bench(settings, load, redis_host=redis_host, tracker_db_url=trackers)
    results.update({key: single[key] for key in ("chat", "memory_mb")})
    results["chat_questions"] = single["questions"]
    if redis_host is not None:
        # Two Sanic workers in one Rasa process, sharing the Redis lock store, side by side in the same run.
        trackers = _fresh_tracker_database() if trackers else None
        replicated = run_chat_bench(settings, load, rasa_workers=2, redis_host=redis_host, tracker_db_url=trackers)
        results["chat_rasa_2_workers"] = replicated["chat"]
        results["memory_mb"]["rasa_2_workers"] = replicated["memory_mb"]["rasa"]
        with tempfile.TemporaryDirectory(prefix="bench-hashing-index-") as scratch:
            results["chat_turn_costs"] = run_turn_costs(
                settings, load, hashing_index_dir=Path(scratch), redis_host=redis_host,
                tracker_db_urls=lambda: _fresh_tracker_database() if trackers else None)
    results.update(open_loop_results(settings, load, redis_host=redis_host,
                                     tracker_db_url=_fresh_tracker_database() if trackers else None))
    results["chat_efficiency"] = efficiency(results)
    (BENCH_DIR / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (BENCH_DIR / "results.md").write_text(render_markdown(results))
    sys.stdout.write(render_markdown(results))
    return 0


def open_loop_results(settings: Any, load: list[str], *, redis_host: str | None,
                      tracker_db_url: str | None) -> dict[str, Any]:
    """Open-loop latency in `make run`'s embedded default (SQLite trackers, one Rasa worker, in-memory locks)
    and, where PostgreSQL and Redis run here, in the production shape, side by side in one run."""
    found: dict[str, Any] = {}
    shapes: dict[str, tuple[str | None, str | None]] = {"chat_open_loop": (None, None)}
    if tracker_db_url is not None and redis_host is not None:
        shapes["chat_open_loop_production"] = (redis_host, tracker_db_url)
    for key, (redis, trackers) in shapes.items():
        measured = run_open_loop(settings, load, redis_host=redis, tracker_db_url=trackers)
        found[key] = {**measured["rates"], "max_rate_p95_300": measured["max_rate_p95_300"],
                      "tracker_store": "postgresql" if trackers else "sqlite",
                      "lock_store": "redis" if redis else "in_memory", "questions": measured["questions"],
                      "turns_per_conversation": TURNS_PER_CONVERSATION, "pause_s": list(PAUSE_S)}
    return found


def efficiency(results: dict[str, Any]) -> dict[str, Any]:
    """CPU per search turn over every process at 10 messages/s open loop (the production shape, which
    counts PostgreSQL, when it was measured), and the closed loop's highest throughput."""
    shape = results.get("chat_open_loop_production") or results["chat_open_loop"]
    row = shape.get("r10", {})
    return {
        "cpu_ms_per_search_turn": row.get("cpu_ms_per_message_total"),
        "cpu_ms_per_search_turn_by_process": row.get("cpu_ms_per_message", {}),
        "measured_in": shape["tracker_store"],
        "saturation_msgs_per_s": max((level["msgs_per_s"] for level in results.get("chat", {}).values()),
                                     default=None),
    }


def _fresh_tracker_database() -> str:
    """An empty PostgreSQL database for Rasa's trackers, so every set-up starts alike."""
    import psycopg

    with psycopg.connect(f"{POSTGRES_ADMIN_URL}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {TRACKER_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {TRACKER_DATABASE}")
    return f"{POSTGRES_ADMIN_URL}/{TRACKER_DATABASE}"


def _reachable(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    logging.getLogger("index").setLevel(logging.WARNING)
    raise SystemExit(main())
