"""The Markdown table of benchmark results, generated so the README can quote it verbatim."""

from __future__ import annotations

from typing import Any

TURN_KINDS = (
    ("greeting", "greeting (answered by Rasa alone)"),
    ("search", "search turn"),
    ("search_hashing_encoder", "search turn, hashing encoder instead of e5 (no neural query embedding)"),
)


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
    for key, row in results.get("scale", {}).items():
        lines.append(f"| hybrid search p50 / p95 over {row['procedures']} procedures (scale, {key}) | "
                     f"{row['p50_ms']:.1f} ms / {row['p95_ms']:.1f} ms |")
    setup = results.get("chat_setup")
    if setup:
        asked = results.get("chat_questions", {})
        lines += ["", f"Chat load: every turn a free question (search turn), {asked.get('distinct', '?')} distinct "
                  f"questions, {asked.get('asked', '?')} asked, {asked.get('repeated', '?')} repeated; "
                  f"{setup['turns_per_conversation']} turns per conversation; trackers in "
                  f"{setup['tracker_store']}, {setup['lock_store']} lock store."]
    for key, setup in (("chat", "Rasa 1 worker"), ("chat_rasa_2_workers", "Rasa 2 workers + Redis lock store")):
        if key not in results:
            continue
        lines += ["", f"| /api/chat, {setup} | p50 ms | p95 ms | p99 ms | messages/s | errors "
                      "| CPU ms per turn: app / Rasa / actions |",
                  "|---|---|---|---|---|---|---|"]
        for level, row in results[key].items():
            cpu = row.get("cpu_ms_per_turn", {})
            spent = " / ".join(f"{cpu[name]:.0f}" for name in ("app", "rasa", "actions") if name in cpu) or "-"
            lines.append(f"| {level[1:]} concurrent conversations | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | "
                         f"{row['p99_ms']:.0f} | {row['msgs_per_s']:.1f} | {row['errors']} | {spent} |")
    costs = results.get("chat_turn_costs")
    if costs:
        lines += ["", "| where a turn's time goes: 10 concurrent conversations, Rasa 2 workers | p50 ms | p95 ms "
                      "| messages/s | CPU ms per turn: app / Rasa / actions |",
                  "|---|---|---|---|---|"]
        for key, label in TURN_KINDS:
            if key in costs:
                row = costs[key]
                cpu = row.get("cpu_ms_per_turn", {})
                spent = " / ".join(f"{cpu[name]:.0f}" for name in ("app", "rasa", "actions") if name in cpu) or "-"
                lines.append(f"| {label} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['msgs_per_s']:.1f} "
                             f"| {spent} |")
    if "memory_mb" in results:
        memory = results["memory_mb"]
        lines += ["", "| resident memory | MB |", "|---|---|"]
        lines += [f"| {name} | {value:.0f} |" for name, value in memory.items()]
    return "\n".join(lines) + "\n"
