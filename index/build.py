"""Full index builds from documents, reusing cached embeddings of unchanged procedures.

A build embeds each procedure's passages with the configured encoder; the previous live version of the
index directory serves as the cache (keyed by `IndexDocument.content_hash()` and the encoder name), so a
rebuild after a few staff edits re-embeds only those procedures.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.documents import IndexDocument
from index.encoders import Encoder, embed_documents
from index.searcher import HybridSearcher
from index.store import IndexStore, IndexStoreError, StoredIndex

logger = logging.getLogger(__name__)


class DuplicateCodeError(ValueError):
    """Two documents passed to one build share a procedure code."""


def _cache_from(store: IndexStore, encoder: Encoder) -> dict[str, np.ndarray]:
    try:
        previous = store.load()
    except IndexStoreError:
        logger.warning("Previous index in %s is unreadable; embedding everything", store.root)
        return {}
    if previous is None or previous.encoder_name != encoder.name or previous.dim != encoder.dim:
        return {}
    return previous.vectors_by_hash()


def build_stored_index(
    documents: Iterable[IndexDocument],
    encoder: Encoder,
    store: IndexStore | None = None,
    progress: bool = True,
) -> StoredIndex:
    """Embed `documents` (reusing the store's cached vectors) and, given a store, make the result live."""
    return _build_and_save(documents, encoder, store, progress)[0]


def _build_and_save(
    documents: Iterable[IndexDocument], encoder: Encoder, store: IndexStore | None, progress: bool
) -> tuple[StoredIndex, str | None]:
    """The built index and the version it was saved as, which a searcher needs to follow later swaps."""
    docs = tuple(documents)
    seen: set[str] = set()
    for doc in docs:
        if doc.code in seen:
            raise DuplicateCodeError(f"Procedure code {doc.code!r} appears twice in one index build.")
        seen.add(doc.code)
    started = time.perf_counter()
    cache = _cache_from(store, encoder) if store is not None else {}
    vectors, owners, embedded = embed_documents(docs, encoder, cache=cache, progress=progress)
    stored = StoredIndex(
        documents=docs,
        vectors=vectors,
        owners=owners,
        encoder_name=encoder.name,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    version = store.save(stored) if store is not None else None
    logger.info(
        "Built index of %d documents (%d embedded, %d cached) in %.1f s",
        len(docs),
        embedded,
        len(docs) - embedded,
        time.perf_counter() - started,
    )
    return stored, version


def build_index(
    documents: Iterable[IndexDocument],
    encoder: Encoder,
    index_dir: Path | str | None = None,
    progress: bool = True,
) -> HybridSearcher:
    """A searcher over `documents`, persisted in `index_dir` when one is given."""
    store = IndexStore(index_dir) if index_dir is not None else None
    stored, version = _build_and_save(documents, encoder, store, progress)
    return HybridSearcher(encoder, stored, store=store, version=version)


def load_index(index_dir: Path | str, encoder: Encoder) -> HybridSearcher:
    """A searcher over the live version of `index_dir`.

    Raises:
        IndexStoreError: when the directory holds no index or one built with another encoder.
    """
    store = IndexStore(index_dir)
    loaded = store.load_versioned()
    if loaded is None:
        raise IndexStoreError(f"No index has been built in {index_dir}; run a build first.")
    version, stored = loaded
    if stored.encoder_name != encoder.name:
        raise IndexStoreError(
            f"The index in {index_dir} was built with {stored.encoder_name!r}, "
            f"not {encoder.name!r}; rebuild it."
        )
    return HybridSearcher(encoder, stored, store=store, version=version)
