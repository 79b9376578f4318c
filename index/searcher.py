"""Hybrid search: BM25 and dense retrieval fused, with level preference and a calibrated confidence.

BM25 is precise on the official words and abbreviations; the dense model catches paraphrases such as
"làm giấy tờ cho con mới đẻ". A question typed without accents is also read with the accents the
knowledge base's own wording suggests (`index.accents`), which both retrievers need. Their scores are
scaled to 0..1 and summed with weights. This was measured ahead of weighted reciprocal rank fusion on
both the hand-written calibration questions and the development questions: ranks throw away how far
ahead a clear BM25 match is. Between names that differ by an act or two ("Xóa đăng ký tạm trú" next to
"Đăng ký tạm trú"), the question's own words choose, the plain name when they say nothing (`index.siblings`).

All state a query reads lives in one immutable `Snapshot`; updates build a new snapshot and replace the
reference in a single assignment, so a search in flight keeps reading the snapshot it started with.

Replicas sharing one index directory stay in step through the store's version names: a snapshot
remembers the version it came from, `upsert`/`remove` apply a change to the live version on disk (not to
a possibly stale memory copy) under the store's writer lock, and `refresh_from_store` swaps in a version
another replica saved.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np

from index.accents import AccentModel
from index.bm25 import BM25Index, document_term_counts
from index.documents import IndexDocument, SearchHit, SearchResult
from index.encoders import Encoder, embed_documents
from index.levels import document_levels, preference, requested_level, variant_key
from index.normalize import BIGRAM_JOINER, FOLDED_PREFIX, query_terms
from index.siblings import prefer_said, said_syllables
from index.store import DenseIndex, IndexStore, IndexStoreError, StoredIndex
from index.synonyms import expand_query

logger = logging.getLogger(__name__)

BACKENDS = ("hybrid", "bm25", "dense")
# Share of BM25 in the fused score; chosen on the hand-written calibration questions (0.6-0.8 were
# equally good there), not on the development questions.
BM25_WEIGHT = 0.7
DENSE_WEIGHT = 0.3
CANDIDATES = 30
# Typical cosine of a relevant procedure, used as the dense feature when the dense model is not queried.
NEUTRAL_DENSE = 0.85
# What a read of a version another writer is swapping or cleaning up may raise; such a read is retried later.
_READ_ERRORS = (IndexStoreError, OSError, ValueError, EOFError)


class SearchError(ValueError):
    """A search was asked for with arguments that cannot be served."""


@dataclass(frozen=True)
class Calibration:
    """Logistic confidence of the top hit.

    confidence = sigmoid(bias + w_dense * dense + w_coverage * coverage + w_agree * agree)

    Features of the top hit: `dense` is its cosine similarity to the query, `coverage` the IDF-weighted
    share of the query's (diacritic-free) syllables it contains, `agree` is 1 when BM25 and the dense
    model put the same procedure first. Rank fusion scores alone cannot tell "giá vàng hôm nay" from a
    real question, since something always ranks first; these absolute signals can.

    The defaults were fitted with `index.evaluate.fit_logistic` (L2 0.05) on the hand-written questions
    in tests/index/data/calibration_questions.jsonl (50 in-scope, 10 off-topic) over the 2,642
    portal procedures with the bundled multilingual-e5-small encoder; they are kept apart from the
    development questions that accuracy is reported on. Expected calibration error was 0.08 on the
    fitting questions and 0.02 on the development questions. Another encoder has other cosine ranges
    and should be refitted.
    """

    bias: float = -4.39
    w_dense: float = 3.82
    w_coverage: float = 3.18
    w_agree: float = 1.46

    def confidence(self, dense: float, coverage: float, agree: float) -> float:
        z = self.bias + self.w_dense * dense + self.w_coverage * coverage + self.w_agree * agree
        return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class Snapshot:
    """Everything one query reads, never mutated after construction."""

    stored: StoredIndex
    counts: tuple[Mapping[str, float], ...]
    bm25: BM25Index
    dense: DenseIndex
    positions: Mapping[str, int]
    level_sets: tuple[frozenset[int], ...]
    variants: Mapping[str, tuple[int, ...]]
    variant_of: tuple[str, ...]
    # Reads questions typed without accents (see `index.accents`).
    accents: AccentModel
    # Store version this snapshot was loaded from or saved as; None when it was never persisted.
    version: str | None = None

    @classmethod
    def build(
        cls,
        stored: StoredIndex,
        counts: Sequence[Mapping[str, float]] | None = None,
        version: str | None = None,
        accents: AccentModel | None = None,
    ) -> Snapshot:
        """`accents`: a model to keep (an edit of one procedure changes its counts too little to rebuild)."""
        docs = stored.documents
        term_counts = tuple(counts) if counts is not None else tuple(document_term_counts(d) for d in docs)
        keys = tuple(variant_key(d.name) for d in docs)
        variants: dict[str, list[int]] = {}
        for position, key in enumerate(keys):
            variants.setdefault(key, []).append(position)
        return cls(
            stored=stored,
            counts=term_counts,
            bm25=BM25Index.build(term_counts),
            dense=DenseIndex(stored.vectors, stored.owners, len(docs)),
            positions={d.code: i for i, d in enumerate(docs)},
            level_sets=tuple(document_levels(d.name, d.levels) for d in docs),
            variants={k: tuple(v) for k, v in variants.items() if len(v) > 1},
            variant_of=keys,
            accents=accents or AccentModel.from_documents(docs),
            version=version,
        )


@dataclass(frozen=True)
class _Ranking:
    """Candidates of one query, best first, with what the confidence is computed from."""

    snap: Snapshot
    backend: str
    terms: list[str]
    ordered: list[int]
    scores: list[float]
    bm25_ranks: Mapping[int, int]
    dense_ranks: Mapping[int, int]
    dense_scores: np.ndarray | None


def _ranks(scores: np.ndarray, depth: int) -> dict[int, int]:
    """Rank (0-based) of the `depth` best positive scores."""
    depth = min(depth, scores.shape[0])
    if depth == 0:
        return {}
    top = np.argpartition(-scores, depth - 1)[:depth]
    top = top[np.argsort(-scores[top], kind="stable")]
    return {int(p): r for r, p in enumerate(top) if scores[p] > 0}


class HybridSearcher:
    """Search over one snapshot of the index; `upsert`/`remove` swap in a new snapshot."""

    def __init__(
        self,
        encoder: Encoder,
        stored: StoredIndex,
        store: IndexStore | None = None,
        bm25_weight: float = BM25_WEIGHT,
        dense_weight: float = DENSE_WEIGHT,
        calibration: Calibration | None = None,
        version: str | None = None,
    ) -> None:
        self.encoder = encoder
        self.store = store
        self.bm25_weight = bm25_weight
        self.dense_weight = dense_weight
        self.calibration = calibration or Calibration()
        self._write_lock = threading.Lock()
        self._unloadable_version: str | None = None
        self._snapshot = Snapshot.build(stored, version=version)

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def documents(self) -> int:
        return len(self._snapshot.stored.documents)

    def get(self, code: str) -> IndexDocument | None:
        """The indexed document of a procedure code."""
        snap = self._snapshot
        position = snap.positions.get(code)
        return None if position is None else snap.stored.documents[position]

    def search(self, query: str, k: int = 5, backend: str = "hybrid") -> SearchResult:
        """The `k` procedures most likely meant by `query`."""
        started = time.perf_counter()
        ranking = self._rank(query, backend)
        if ranking is None or k <= 0:
            return SearchResult(query=query, hits=[], backend=backend, took_ms=0.0)
        hits = self._hits(ranking, k)
        took = (time.perf_counter() - started) * 1000.0
        logger.debug("search backend=%s hits=%d took_ms=%.1f", backend, len(hits), took)
        return SearchResult(query=query, hits=hits, backend=backend, took_ms=took)

    def confidence_features(
        self, query: str, backend: str = "hybrid"
    ) -> tuple[tuple[float, float, float], str]:
        """The (dense, coverage, agree) features and the top code, for fitting a `Calibration`."""
        ranking = self._rank(query, backend)
        if ranking is None:
            return (0.0, 0.0, 0.0), ""
        return self._features(ranking), ranking.snap.stored.documents[ranking.ordered[0]].code

    def _rank(self, query: str, backend: str) -> _Ranking | None:
        if backend not in BACKENDS:
            raise SearchError(f"Unknown search backend {backend!r}; expected one of {', '.join(BACKENDS)}.")
        snap = self._snapshot
        if not query.strip() or not snap.stored.documents:
            return None
        expanded = expand_query(query)
        terms = query_terms(expanded)
        restored = snap.accents.restore(query)
        if restored is not None:
            # The accented reading adds its exact words; its folded ones are the question's own already.
            expanded = expand_query(restored)
            terms += [t for t in query_terms(expanded) if not t.startswith(FOLDED_PREFIX)]
        bm25_ranks: dict[int, int] = {}
        dense_ranks: dict[int, int] = {}
        bm25_scores: np.ndarray | None = None
        dense_scores: np.ndarray | None = None
        if backend in ("hybrid", "bm25"):
            bm25_scores = snap.bm25.scores(terms)
            bm25_ranks = _ranks(bm25_scores, CANDIDATES * 2)
        if backend in ("hybrid", "dense"):
            vector = self.encoder.encode_queries([expanded])[0]
            dense_scores = snap.dense.scores(vector)
            dense_ranks = _ranks(dense_scores + 1.0, CANDIDATES * 2)  # cosine shifted positive for ranking
        fused = self._fuse(bm25_scores, bm25_ranks, dense_scores, dense_ranks, backend)
        if not fused:
            return None
        ordered = sorted(fused, key=lambda p: -fused[p])[:CANDIDATES]
        ordered = self._prefer_levels(snap, ordered, requested_level(query))
        ordered = prefer_said(ordered, lambda p: snap.stored.documents[p].name, said_syllables(query))
        scores = sorted((fused.get(p, 0.0) for p in ordered), reverse=True)
        return _Ranking(snap, backend, terms, ordered, scores, bm25_ranks, dense_ranks, dense_scores)

    def _fuse(
        self,
        bm25_scores: np.ndarray | None,
        bm25_ranks: Mapping[int, int],
        dense_scores: np.ndarray | None,
        dense_ranks: Mapping[int, int],
        backend: str,
    ) -> dict[int, float]:
        """Weighted sum of both scores, each scaled to 0..1 over the candidates either retriever found.

        BM25 is divided by its best score. Cosines of a small model sit in a narrow band (0.80-0.92),
        so they are stretched between the weakest and the strongest candidate instead.
        """
        weights = {"hybrid": (self.bm25_weight, self.dense_weight), "bm25": (1.0, 0.0), "dense": (0.0, 1.0)}
        w_bm25, w_dense = weights[backend]
        candidates = np.fromiter({**bm25_ranks, **dense_ranks}.keys(), dtype=np.int64)
        if candidates.size == 0:
            return {}
        fused = np.zeros(candidates.size, dtype=np.float64)
        if w_bm25 > 0 and bm25_scores is not None:
            best = float(bm25_scores.max())
            if best > 0:
                fused += w_bm25 * bm25_scores[candidates] / best
        if w_dense > 0 and dense_scores is not None and dense_ranks:
            pool = dense_scores[np.fromiter(dense_ranks.keys(), dtype=np.int64)]
            low, high = float(pool.min()), float(pool.max())
            stretched = (
                (dense_scores[candidates] - low) / (high - low) if high > low else np.ones(candidates.size)
            )
            fused += w_dense * np.clip(stretched, 0.0, 1.0)
        total = w_bm25 + w_dense
        return {int(p): float(f) / total for p, f in zip(candidates, fused, strict=True)}

    def _prefer_levels(self, snap: Snapshot, ordered: list[int], wanted: int | None) -> list[int]:
        """Reorder variants of one name so the preferred level takes the best slot the group holds."""
        if not ordered:
            return ordered
        result = list(ordered)
        for key in dict.fromkeys(snap.variant_of[p] for p in ordered[:5]):
            if key not in snap.variants:
                continue
            slots = [i for i, p in enumerate(result) if snap.variant_of[p] == key]
            group = sorted(
                (result[i] for i in slots),
                key=lambda p: (preference(snap.level_sets[p], wanted), result.index(p)),
            )
            for slot, position in zip(slots, group, strict=True):
                result[slot] = position
        return result

    def _features(self, ranking: _Ranking) -> tuple[float, float, float]:
        top = ranking.ordered[0]
        dense = float(ranking.dense_scores[top]) if ranking.dense_scores is not None else NEUTRAL_DENSE
        coverage = self._coverage(ranking.snap, ranking.terms, top)
        if ranking.backend != "hybrid":
            return max(dense, 0.0), coverage, 1.0
        first_bm25 = min(ranking.bm25_ranks, key=ranking.bm25_ranks.__getitem__, default=-1)
        first_dense = min(ranking.dense_ranks, key=ranking.dense_ranks.__getitem__, default=-2)
        return max(dense, 0.0), coverage, 1.0 if first_bm25 == first_dense else 0.0

    @staticmethod
    def _coverage(snap: Snapshot, terms: Sequence[str], position: int) -> float:
        """IDF-weighted share of the query's folded syllables found in the document at `position`."""
        syllable_terms = [
            t for t in dict.fromkeys(terms) if t.startswith(FOLDED_PREFIX) and BIGRAM_JOINER not in t
        ]
        if not syllable_terms:
            return 0.0
        unknown_idf = math.log1p((snap.bm25.size + 0.5) / 0.5)
        counts = snap.counts[position]
        total = matched = 0.0
        for term in syllable_terms:
            idf = snap.bm25.idf_of(term) or unknown_idf
            total += idf
            if counts.get(term, 0.0) > 0:
                matched += idf
        return matched / total if total else 0.0

    def _hits(self, ranking: _Ranking, k: int) -> list[SearchHit]:
        confidence = self.calibration.confidence(*self._features(ranking))
        scores = ranking.scores
        margin = (scores[0] - scores[1]) / scores[0] if len(scores) > 1 and scores[0] > 0 else 1.0
        hits: list[SearchHit] = []
        for rank, (position, score) in enumerate(zip(ranking.ordered[:k], scores, strict=False)):
            doc = ranking.snap.stored.documents[position]
            # Below the top hit, confidence shrinks with the score gap: a close second is still plausible.
            share = score / scores[0] if scores[0] > 0 else 0.0
            hits.append(
                SearchHit(
                    code=doc.code,
                    name=doc.name,
                    levels=doc.levels,
                    field=doc.field,
                    score=float(score),
                    confidence=float(confidence if rank == 0 else confidence * share * (1.0 - margin)),
                )
            )
        return hits

    def replace_all(self, stored: StoredIndex, version: str | None = None) -> None:
        """Serve a whole new index from now on."""
        new = Snapshot.build(stored, version=version)
        with self._write_lock:
            self._snapshot = new

    def refresh_from_store(self) -> bool:
        """Swap in the store's live version when another writer has moved `CURRENT`; True when it did.

        Only `CURRENT` is read while nothing changed, so followers can call this every few seconds. A
        version that cannot be read now (mid-swap, cleaned up, another encoder) is logged and the current
        snapshot keeps serving: a follower must never stop answering because a writer was busy.
        """
        if self.store is None:
            return False
        base = self._snapshot
        try:
            current = self.store.current_version()
        except OSError as exc:
            logger.warning("index: cannot read the live version in %s (%s); serving %s", self.store.root, exc,
                           base.version)
            return False
        if current is None or current == base.version:
            return False
        try:
            new = self._load_live(self.store)
        except _READ_ERRORS as exc:
            # Tried again every round (a writer mid-swap is gone by the next one), but said once per version:
            # a replica started with another encoder would otherwise repeat the same warning all day.
            log = logger.debug if current == self._unloadable_version else logger.warning
            self._unloadable_version = current
            log("index: could not load version %s from %s (%s); still serving %s", current, self.store.root, exc,
                base.version)
            return False
        if new is None:
            return False
        with self._write_lock:
            if self._snapshot is not base:
                # An upsert in this process swapped first; it read the live version itself.
                return False
            self._snapshot = new
        logger.info("index: now serving version %s (%d procedures), was %s", new.version,
                    len(new.stored.documents), base.version)
        return True

    def _load_live(self, store: IndexStore) -> Snapshot | None:
        """The store's live version as a snapshot; None when the directory holds no index.

        Raises:
            IndexStoreError: when no stable version could be read, or it was built with another encoder
                (its vectors are not comparable with this searcher's queries).
        """
        loaded = store.load_versioned()
        if loaded is None:
            return None
        version, stored = loaded
        if stored.encoder_name != self.encoder.name:
            raise IndexStoreError(
                f"Index version {version!r} in {store.root} was built with {stored.encoder_name!r}, "
                f"not {self.encoder.name!r}; restart this replica with that encoder or rebuild the index."
            )
        return Snapshot.build(stored, version=version)

    def upsert(self, doc: IndexDocument) -> None:
        """Add or replace one procedure, re-embedding only it; persisted when the searcher has a store.

        Raises:
            IndexStoreError: when the live version on disk cannot be read or uses another encoder; saving
                from the memory copy instead would drop what other replicas wrote.
        """
        with self._write_lock, self._store_writer_lock():
            snap = self._latest_for_write()
            stored = snap.stored
            position = snap.positions.get(doc.code)
            if position is not None and stored.documents[position].content_hash() == doc.content_hash():
                self._snapshot = snap
                return
            docs = list(stored.documents)
            counts = list(snap.counts)
            new_counts = document_term_counts(doc)
            vectors, _, _ = embed_documents([doc], self.encoder)
            if position is None:
                docs.append(doc)
                counts.append(new_counts)
                keep = np.ones(stored.owners.shape[0], dtype=bool)
                owner = len(docs) - 1
            else:
                docs[position] = doc
                counts[position] = new_counts
                keep = stored.owners != position
                owner = position
            self._commit(snap, docs, counts, stored.vectors[keep], stored.owners[keep], vectors, owner)

    def remove(self, code: str) -> bool:
        """Drop one procedure; returns False when it was not indexed.

        Raises:
            IndexStoreError: as `upsert`.
        """
        with self._write_lock, self._store_writer_lock():
            snap = self._latest_for_write()
            position = snap.positions.get(code)
            if position is None:
                self._snapshot = snap
                return False
            stored = snap.stored
            docs = [d for i, d in enumerate(stored.documents) if i != position]
            counts = [c for i, c in enumerate(snap.counts) if i != position]
            keep = stored.owners != position
            owners = stored.owners[keep]
            owners = np.where(owners > position, owners - 1, owners).astype(np.int32)
            empty = np.zeros((0, stored.vectors.shape[1]), dtype=np.float32)
            self._commit(snap, docs, counts, stored.vectors[keep], owners, empty, -1)
            return True

    def _store_writer_lock(self) -> contextlib.AbstractContextManager[None]:
        return self.store.writer_lock() if self.store is not None else contextlib.nullcontext()

    def _latest_for_write(self) -> Snapshot:
        """The snapshot a change must be applied to: the live stored version when another writer saved one.

        Called under the store's writer lock, so the live version cannot move or be cleaned up meanwhile.
        """
        snap = self._snapshot
        if self.store is None:
            return snap
        current = self.store.current_version()
        if current is None or current == snap.version:
            return snap
        live = self._load_live(self.store)
        if live is None:
            return snap
        logger.info("index: applying the change on top of version %s saved by another writer (had %s)",
                    live.version, snap.version)
        return live

    def _commit(
        self,
        snap: Snapshot,
        docs: list[IndexDocument],
        counts: list[Mapping[str, float]],
        kept_vectors: np.ndarray,
        kept_owners: np.ndarray,
        new_vectors: np.ndarray,
        owner: int,
    ) -> None:
        stored = replace(
            snap.stored,
            documents=tuple(docs),
            vectors=np.vstack([kept_vectors, new_vectors]).astype(np.float32),
            owners=np.concatenate([kept_owners, np.full(new_vectors.shape[0], owner, dtype=np.int32)]),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        new = Snapshot.build(stored, counts, accents=snap.accents)
        if self.store is not None:
            new = replace(new, version=self.store.save(stored))
        self._snapshot = new
