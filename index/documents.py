"""What the index knows of a procedure, and what a search returns.

The index never reads the database: `assistant.indexing` turns knowledge rows into these documents,
so the index can be rebuilt, tested and benchmarked on its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class IndexDocument:
    """The searchable text of one procedure."""

    code: str
    name: str
    field: str = ""
    levels: tuple[str, ...] = ()
    summary: str = ""  # citizen-facing summary (applicants, result, short steps)
    result: str = ""
    aliases: tuple[str, ...] = ()  # staff aliases and example questions: the strongest signal

    def content_hash(self) -> str:
        """Stable hash of the text, so unchanged procedures keep their cached embeddings."""
        payload = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SearchHit:
    """One ranked procedure."""

    code: str
    name: str
    levels: tuple[str, ...]
    field: str
    score: float  # fused score, comparable only within one query
    confidence: float  # calibrated 0..1: how likely this hit is what the citizen means


@dataclass(frozen=True)
class SearchResult:
    """Hits plus what the dialogue needs to decide whether to answer, ask back, or hand over."""

    query: str
    hits: list[SearchHit] = field(default_factory=list)
    backend: str = "hybrid"
    took_ms: float = 0.0

    @property
    def confidence(self) -> float:
        return self.hits[0].confidence if self.hits else 0.0
