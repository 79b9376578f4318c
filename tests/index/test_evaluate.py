from __future__ import annotations

import numpy as np
import pytest

from index.documents import SearchHit, SearchResult
from index.evaluate import evaluate_retrieval, expected_calibration_error, fit_logistic


class ScriptedSearcher:
    """Returns fixed rankings so the metrics can be checked by hand."""

    def __init__(self, rankings: dict[str, list[str]]) -> None:
        self.rankings = rankings

    def search(self, query: str, k: int = 5, backend: str = "hybrid") -> SearchResult:
        hits = [
            SearchHit(code=c, name=c, levels=(), field="", score=1.0, confidence=0.5)
            for c in self.rankings[query][:k]
        ]
        return SearchResult(query=query, hits=hits, backend=backend, took_ms=float(len(query)))


def test_metrics_follow_the_rank_of_the_first_expected_code() -> None:
    searcher = ScriptedSearcher(
        {"a": ["x", "y"], "bb": ["y", "x", "z"], "ccc": ["z", "q", "x"], "dddd": ["q"]}
    )
    questions = [
        {"question": "a", "expected": ["x"]},
        {"question": "bb", "expected": ["x", "z"]},
        {"question": "ccc", "expected": ["x"]},
        {"question": "dddd", "expected": ["x"]},
    ]
    report = evaluate_retrieval(searcher, questions, backend="bm25", k=5)
    assert report["backend"] == "bm25" and report["questions"] == 4
    assert report["hit@1"] == pytest.approx(0.25)
    assert report["hit@3"] == pytest.approx(0.75)
    assert report["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 3) / 4)
    assert report["p50_ms"] == pytest.approx(2.5)
    assert "misses" not in report
    detailed = evaluate_retrieval(searcher, questions, k=5, include_misses=True)
    assert [m["question"] for m in detailed["misses"]] == ["dddd"]


def test_fit_logistic_separates_a_separable_feature() -> None:
    x = np.array([[0.80], [0.82], [0.84], [0.90], [0.92], [0.94]])
    y = np.array([0, 0, 0, 1, 1, 1], dtype=float)
    w = fit_logistic(x, y)
    p = 1 / (1 + np.exp(-(w[0] + x @ w[1:])))
    assert (p[:3] < 0.5).all() and (p[3:] > 0.5).all()


def test_expected_calibration_error() -> None:
    assert expected_calibration_error([0.9, 0.9], [True, True]) == pytest.approx(0.1)
    assert expected_calibration_error([0.0, 1.0], [False, True]) == pytest.approx(0.0)
