"""`make eval`: the end-to-end question sets through the real stack, next to the search's own hit@3.

Starts the app, Rasa and the action server on the knowledge base `make run` uses (the whole seed), asks
every question of `bench/chat_sets/` in a fresh conversation, one at a time, and writes
`bench/chat_eval.json` and `bench/chat_eval.md` (the table the README quotes). Each in-scope set is also
searched directly, so a gap between "the search found it" and "the citizen got it" shows in one table.
The holdout lines are reported apart, and the `fresh/` sets on their own rows: written apart from the
routing work, they are the figures nothing was tuned on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from assistant import chat_eval
from assistant.chat_eval import Question, Report
from assistant.config import PROJECT_ROOT, get_settings
from assistant.db import create_db_engine, create_session_factory
from assistant.logging_setup import configure_logging
from assistant.search_service import SearchService
from bench.chat import servers
from index.evaluate import evaluate_retrieval

SETS_DIR = PROJECT_ROOT / "bench" / "chat_sets"
OUT_JSON = PROJECT_ROOT / "bench" / "chat_eval.json"
OUT_MD = PROJECT_ROOT / "bench" / "chat_eval.md"
SET_ORDER = ("common", "broad", "off_topic", "not_in_kb")
FRESH = "fresh"

logger = logging.getLogger(__name__)


def _sets() -> dict[str, list[Question]]:
    """Tuned sets first, then the fresh ones ("fresh common"…), each in SET_ORDER."""
    def order(name: str) -> tuple[bool, int, str]:
        stem = name.removeprefix(f"{FRESH} ")
        return (name != stem, SET_ORDER.index(stem) if stem in SET_ORDER else len(SET_ORDER), stem)

    paths = {path.stem: path for path in SETS_DIR.glob("*.jsonl")}
    paths |= {f"{FRESH} {path.stem}": path for path in (SETS_DIR / FRESH).glob("*.jsonl")}
    return {name: chat_eval.load_questions(paths[name]) for name in sorted(paths, key=order)}


def _hit_at_3(settings: Any, questions: list[Question]) -> float:
    engine = create_db_engine(settings.database_url)
    try:
        searcher = SearchService(settings, create_session_factory(engine)).load()
        report = evaluate_retrieval(searcher, [{"question": q.text, "expected": list(q.expected)} for q in questions],
                                    k=3)
    finally:
        engine.dispose()
    return round(float(report["hit@3"]), 3)


def _split(report: Report, split: str) -> Report:
    return Report(name=f"{report.name} ({split})", kind=report.kind,
                  rows=[row for row in report.rows if row.question.split == split])


def _by_style(report: Report) -> list[Report]:
    """The in-scope questions by how they are written: a weakness on one way of writing shows apart."""
    styles = sorted({row.question.style for row in report.rows if row.question.style})
    return [Report(name=f"{report.name}, {style}", kind=report.kind,
                   rows=[row for row in report.rows if row.question.style == style]) for style in styles]


def main() -> int:
    configure_logging("WARNING")
    settings = get_settings()
    sets = _sets()
    if not sets:
        sys.stderr.write(f"No question sets in {SETS_DIR}\n")
        return 2
    reports: list[Report] = []
    with servers(settings, rasa_workers=1, redis_host=None, tracker_db_url=None) as (_, app_url):
        for name, questions in sets.items():
            reports.append(asyncio.run(chat_eval.evaluate(app_url, questions, name=name)))
    results: dict[str, Any] = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "sets": {}}
    rows: list[Report] = []
    styles: list[Report] = []
    for report in reports:
        summary = report.summary()
        if report.kind == "procedure":
            summary["search_hit_at_3"] = _hit_at_3(settings, [row.question for row in report.rows])
        holdout = _split(report, "holdout")
        summary["misses"] = chat_eval.misses(report, limit=1000)
        results["sets"][report.name] = summary
        rows.append(report)
        if holdout.rows:
            summary["holdout"] = holdout.summary()
            rows.append(holdout)
        if report.kind == "procedure":
            by_style = _by_style(report)
            styles += by_style
            summary["by_style"] = {style.name: style.summary() for style in by_style}
    OUT_JSON.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    hits = " ".join(f"{name} {s['search_hit_at_3']:.2f};" for name, s in results["sets"].items()
                    if "search_hit_at_3" in s)
    markdown = (f"{chat_eval.table(rows)}\n\nSearch alone, right procedure in the top 3 (hit@3): {hits.rstrip(';')}\n"
                f"\nBy how the question is written:\n\n{chat_eval.table(styles)}\n")
    OUT_MD.write_text(markdown, encoding="utf-8")
    sys.stdout.write(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
