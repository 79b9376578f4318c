"""The Markdown table of benchmark results, generated so the README can quote it verbatim."""

from __future__ import annotations

from typing import Any


def render_markdown(results: dict[str, Any]) -> str:
    dev = results["retrieval"]["dev"]
    lines = [
        f"Measured {results['machine']['measured_at']} on {results['machine']['cpus']} CPUs, "
        f"encoder `{results['encoder']}`, {dev['questions']} development questions.",
        "",
        "| retrieval | hit@1 | hit@3 | MRR | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|",
    ]
    for backend in ("hybrid", "bm25", "dense"):
        row = dev[backend]
        lines.append(f"| {backend} | {row['hit@1']:.3f} | {row['hit@3']:.3f} | {row['mrr']:.3f} | "
                     f"{row['p50_ms']:.1f} | {row['p95_ms']:.1f} |")
    search, index = results["search"], results["index"]
    lines += [
        "",
        "| measure | value |",
        "|---|---|",
        f"| hybrid search p50 / p95 over {search['procedures']} procedures | "
        f"{search['p50_ms']:.1f} ms / {search['p95_ms']:.1f} ms |",
        f"| full index build (no cached embeddings) | {index['build_s']:.0f} s |",
        f"| re-index one edited procedure | {index['reindex_one_s']:.2f} s |",
    ]
    for key, label in (("chat", "chat"), ("memory_mb", "memory")):
        if key in results:
            lines.append(f"| {label} | see bench/results.json |")
    return "\n".join(lines) + "\n"
