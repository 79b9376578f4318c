"""The committed benchmark results carry every figure the project promises, and the README quotes them as run."""

from __future__ import annotations

import json
from pathlib import Path

from bench.report import render_markdown

ROOT = Path(__file__).resolve().parents[2]
RESULTS = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
REQUIRED = (
    *(f"retrieval.dev.{backend}.{metric}" for backend in ("hybrid", "bm25", "dense")
      for metric in ("hit@1", "hit@3", "mrr")),
    "search.p50_ms", "search.p95_ms",
    *(f"chat.{level}.{measure}" for level in ("c1", "c10", "c50")
      for measure in ("p50_ms", "p95_ms", "p99_ms", "msgs_per_s")),
    "memory_mb.app", "memory_mb.rasa", "memory_mb.actions",
    "index.build_s", "index.reindex_one_s",
    "scale.n2642.p95_ms", "scale.n20000.p95_ms",
    # Open loop (citizens arriving at random and pausing), CPU per search turn over every process, and the
    # query embedding on its own.
    "chat_open_loop.r10.p95_ms", "chat_open_loop.r20.p95_ms", "chat_open_loop.max_rate_p95_300",
    "chat_efficiency.cpu_ms_per_search_turn", "chat_efficiency.saturation_msgs_per_s",
    "query_embedding.p50_ms", "query_embedding.p95_ms",
)


def _lookup(path: str) -> object:
    node: object = RESULTS
    for part in path.split("."):
        assert isinstance(node, dict) and part in node, f"bench/results.json lacks {path}"
        node = node[part]
    return node


def test_results_have_every_promised_figure() -> None:
    for path in REQUIRED:
        value = _lookup(path)
        assert isinstance(value, int | float) and value >= 0, path


def test_markdown_is_rendered_from_the_json() -> None:
    # results.md is what `make bench` wrote next to results.json; editing one by hand breaks this.
    assert (ROOT / "bench" / "results.md").read_text(encoding="utf-8") == render_markdown(RESULTS)


def test_readme_quotes_the_tables_of_this_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tables = [line for line in render_markdown(RESULTS).splitlines() if line.startswith("|")]
    assert tables
    missing = [line for line in tables if line not in readme]
    assert not missing, f"README.md does not quote these lines of bench/results.md: {missing[:3]}"
