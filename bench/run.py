"""Run every benchmark and write bench/results.json and the Markdown table the README quotes."""

from __future__ import annotations

import json
import logging
import platform
import sys
from datetime import UTC, datetime
from typing import Any

from assistant.config import PROJECT_ROOT, get_settings
from assistant.logging_setup import configure_logging
from bench.chat import run_chat_bench
from bench.report import render_markdown
from bench.search import run_search_bench

BENCH_DIR = PROJECT_ROOT / "bench"


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
    results.update(run_chat_bench(settings))
    if _redis_reachable():
        # The production shape on one machine: two Sanic workers sharing the Redis lock store.
        replicated = run_chat_bench(settings, rasa_workers=2, redis_host="127.0.0.1")
        results["chat_rasa_2_workers"] = replicated["chat"]
        results["memory_mb"]["rasa_2_workers"] = replicated["memory_mb"]["rasa"]
    (BENCH_DIR / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (BENCH_DIR / "results.md").write_text(render_markdown(results))
    sys.stdout.write(render_markdown(results))
    return 0


def _redis_reachable() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    logging.getLogger("index").setLevel(logging.WARNING)
    raise SystemExit(main())
