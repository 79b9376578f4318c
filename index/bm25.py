"""Field-weighted BM25 over the terms of `index.normalize`.

Procedure names and staff aliases say what a procedure is; summaries mostly repeat boilerplate. Each field
contributes its term counts multiplied by a field weight (a simplified BM25F), so one match in the name
outweighs several in the summary. Per-document weighted counts are kept, so a one-document update only
rebuilds the sparse matrix, which takes milliseconds, instead of re-tokenising every procedure.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from index.documents import IndexDocument
from index.normalize import document_terms

FIELD_WEIGHTS: Mapping[str, float] = {
    "name": 3.0,
    "aliases": 2.5,
    "field": 0.8,
    "levels": 0.3,
    "result": 0.8,
    "summary": 0.4,
}


def document_term_counts(
    doc: IndexDocument, weights: Mapping[str, float] = FIELD_WEIGHTS
) -> dict[str, float]:
    """Field-weighted term counts of one document."""
    counts: dict[str, float] = {}
    texts = {
        "name": doc.name,
        "aliases": " . ".join(doc.aliases),
        "field": doc.field,
        "levels": " . ".join(doc.levels),
        "result": doc.result,
        "summary": doc.summary,
    }
    for field_name, text in texts.items():
        weight = weights.get(field_name, 0.0)
        if weight <= 0 or not text:
            continue
        for term in document_terms(text):
            counts[term] = counts.get(term, 0.0) + weight
    return counts


@dataclass(frozen=True)
class BM25Index:
    """An immutable BM25 matrix: one row per document, one column per term, cells are term scores."""

    vocabulary: Mapping[str, int]
    matrix: sparse.csc_matrix  # documents x terms, precomputed idf * saturated tf
    k1: float
    b: float

    @property
    def size(self) -> int:
        return int(self.matrix.shape[0])

    @classmethod
    def build(cls, counts: Sequence[Mapping[str, float]], k1: float = 1.2, b: float = 0.75) -> BM25Index:
        """Precompute term scores from per-document weighted counts."""
        n_docs = len(counts)
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[float] = []
        lengths = np.zeros(n_docs, dtype=np.float64)
        for row, doc_counts in enumerate(counts):
            lengths[row] = sum(doc_counts.values())
            for term, tf in doc_counts.items():
                col = vocabulary.setdefault(term, len(vocabulary))
                rows.append(row)
                cols.append(col)
                tfs.append(tf)
        if n_docs == 0:
            return cls(vocabulary={}, matrix=sparse.csc_matrix((0, 0), dtype=np.float32), k1=k1, b=b)
        row_idx = np.asarray(rows, dtype=np.int64)
        col_idx = np.asarray(cols, dtype=np.int64)
        tf_arr = np.asarray(tfs, dtype=np.float64)
        doc_freq = np.bincount(col_idx, minlength=len(vocabulary)).astype(np.float64)
        idf = np.log1p((n_docs - doc_freq + 0.5) / (doc_freq + 0.5))
        avg_len = float(lengths.mean()) or 1.0
        norm = k1 * (1.0 - b + b * lengths[row_idx] / avg_len)
        values = idf[col_idx] * tf_arr * (k1 + 1.0) / (tf_arr + norm)
        matrix = sparse.csc_matrix(
            (values.astype(np.float32), (row_idx, col_idx)), shape=(n_docs, len(vocabulary))
        )
        return cls(vocabulary=vocabulary, matrix=matrix, k1=k1, b=b)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query terms (repeated terms count again)."""
        if self.size == 0:
            return np.zeros(0, dtype=np.float32)
        weights = Counter(t for t in terms if t in self.vocabulary)
        if not weights:
            return np.zeros(self.size, dtype=np.float32)
        cols = np.fromiter((self.vocabulary[t] for t in weights), dtype=np.int64, count=len(weights))
        qtf = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
        return np.asarray(self.matrix[:, cols] @ qtf, dtype=np.float32).ravel()

    def idf_of(self, term: str) -> float:
        """Inverse document frequency of `term` as used in scoring (0.0 when unknown)."""
        col = self.vocabulary.get(term)
        if col is None:
            return 0.0
        df = self.matrix.indptr[col + 1] - self.matrix.indptr[col]
        return math.log1p((self.size - df + 0.5) / (df + 0.5))
