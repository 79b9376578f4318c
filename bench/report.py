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
    lines += _open_loop_lines(results)
    if "memory_mb" in results:
        memory = results["memory_mb"]
        lines += ["", "| resident memory | MB |", "|---|---|"]
        lines += [f"| {name} | {value:.0f} |" for name, value in memory.items()]
    return "\n".join(lines) + "\n"


def _open_loop_lines(results: dict[str, Any]) -> list[str]:
    """Latency at an offered load (citizens arriving at random, pausing between messages), per shape."""
    lines: list[str] = []
    for key, label in (("chat_open_loop", "embedded default"), ("chat_open_loop_production", "production shape")):
        shape = results.get(key)
        if not shape:
            continue
        lines += ["", f"| open loop, {label} ({shape['tracker_store']} trackers, {shape['lock_store']} locks) "
                      "| messages | p50 ms | p95 ms | p99 ms | CPU ms per message, by process |",
                  "|---|---|---|---|---|---|"]
        for rate, row in shape.items():
            if not (rate.startswith("r") and isinstance(row, dict)) or not row.get("messages"):
                continue
            cpu = row.get("cpu_ms_per_message", {})
            spent = ", ".join(f"{name} {value:.0f}" for name, value in cpu.items())
            lines.append(f"| {rate[1:]} messages/s offered | {row['messages']} | {row['p50_ms']:.0f} | "
                         f"{row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {spent} (total "
                         f"{row['cpu_ms_per_message_total']:.0f}) |")
        lines.append(f"| highest rate offered with p95 ≤ 300 ms | {shape['max_rate_p95_300']} messages/s | | | | |")
        asked = shape.get("questions", {})
        pauses = "–".join(f"{value:g}" for value in shape.get("pause_s", []))
        lines += ["", f"Open loop, {label}: {asked.get('distinct', '?')} distinct questions, {asked.get('asked', '?')} "
                      f"asked, {asked.get('repeated', '?')} repeated; {shape.get('turns_per_conversation', '?')} "
                      f"questions per conversation, pauses of {pauses} s."]
    embedding = results.get("query_embedding")
    if embedding:
        lines += ["", f"Query embedding alone, one question at a time: p50 {embedding['p50_ms']:.1f} ms, "
                      f"p95 {embedding['p95_ms']:.1f} ms ({embedding['queries']} queries"
                      + (f", {embedding['encoder']}" if embedding.get("encoder") else "") + ")."]
    return lines
