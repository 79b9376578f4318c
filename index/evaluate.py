"""Retrieval quality and latency on labelled questions, and fitting of the confidence calibration.

A question counts as answered at rank k when any of its expected procedure codes is among the top k.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.documents import SearchResult


class Searcher(Protocol):
    """What evaluation needs from a searcher."""

    def search(self, query: str, k: int = 5, backend: str = "hybrid") -> SearchResult: ...


def load_questions(path: Path | str) -> list[dict[str, Any]]:
    """Questions from a JSON-lines file of {"question", "expected": [codes], ...}."""
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else 0.0


def evaluate_retrieval(
    searcher: Searcher,
    questions: Iterable[Mapping[str, Any]],
    backend: str = "hybrid",
    k: int = 5,
    include_misses: bool = False,
) -> dict[str, Any]:
    """hit@1, hit@3, MRR (within the top `k`) and latency percentiles of one backend.

    With `include_misses`, the report also lists questions whose expected codes were not in the top
    `k`, which is what one reads to decide on a new alias or synonym.
    """
    hit1 = hit3 = 0
    reciprocal = 0.0
    latencies: list[float] = []
    misses: list[dict[str, Any]] = []
    count = 0
    for item in questions:
        expected = set(item["expected"])
        result = searcher.search(item["question"], k=max(k, 3), backend=backend)
        latencies.append(result.took_ms)
        codes = [hit.code for hit in result.hits]
        rank = next((i for i, code in enumerate(codes[:k]) if code in expected), None)
        count += 1
        if rank is None:
            misses.append({"question": item["question"], "expected": sorted(expected), "got": codes[:3]})
            continue
        hit1 += rank == 0
        hit3 += rank < 3
        reciprocal += 1.0 / (rank + 1)
    denominator = max(count, 1)
    report: dict[str, Any] = {
        "backend": backend,
        "questions": count,
        "hit@1": hit1 / denominator,
        "hit@3": hit3 / denominator,
        "mrr": reciprocal / denominator,
        "p50_ms": _percentile(latencies, 50),
        "p95_ms": _percentile(latencies, 95),
    }
    if include_misses:
        report["misses"] = misses
    return report


def fit_logistic(features: np.ndarray, labels: np.ndarray, l2: float = 0.01, steps: int = 5000) -> np.ndarray:
    """Weights (bias first, original feature scale) of an L2-regularised logistic regression.

    Features are standardised for the gradient descent, so a feature with a narrow range (cosines
    between 0.8 and 0.95) is learnt as readily as one spanning 0..1.
    """
    features = np.asarray(features, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    mean = features.mean(axis=0)
    std = features.std(axis=0)
    std[std == 0] = 1.0
    x = np.hstack([np.ones((features.shape[0], 1)), (features - mean) / std])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - labels) / len(labels) + l2 * np.r_[0.0, w[1:]]
        w -= 0.5 * grad
    scaled = w[1:] / std
    return np.r_[w[0] - float(scaled @ mean), scaled]


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 5) -> float:
    """Mean gap between confidence and accuracy across equal-width confidence bins, weighted by size."""
    conf = np.asarray(confidences, dtype=np.float64)
    hits = np.asarray(correct, dtype=np.float64)
    total = 0.0
    for low in np.linspace(0.0, 1.0, bins, endpoint=False):
        mask = (conf >= low) & (
            conf < low + 1.0 / bins + (1e-9 if math.isclose(low + 1.0 / bins, 1.0) else 0.0)
        )
        if mask.any():
            total += mask.sum() * abs(conf[mask].mean() - hits[mask].mean())
    return total / max(len(conf), 1)
