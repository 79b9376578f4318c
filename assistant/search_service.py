"""The app's search: loads the persisted index (or builds it from the database) and keeps it current.

The index is derived data: it is always rebuilt from the knowledge base, never the other way round, and a
changed procedure is re-embedded alone (`reindex`) so a staff edit is searchable at once. Replicas sharing
the index directory pick up a version another replica saved by following it (`follow`, run periodically
by `start_following`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from assistant.background import PeriodicTask
from assistant.config import Settings
from assistant.errors import IndexNotReady
from assistant.indexing import build_index_document
from index.build import build_index, load_index
from index.documents import IndexDocument, SearchResult
from index.encoders import CachedQueryEncoder, Encoder, create_encoder
from index.searcher import HybridSearcher
from index.store import IndexStoreError
from knowledge import crud
from knowledge.models import Procedure

logger = logging.getLogger(__name__)


def _document(row: Procedure) -> IndexDocument:
    return build_index_document(crud.procedure_content(row), [alias.text for alias in row.aliases])


class SearchService:
    def __init__(self, settings: Settings, session_factory: sessionmaker[Session],
                 encoder: Encoder | None = None) -> None:
        self._settings = settings
        self._factory = session_factory
        self._encoder = encoder
        self._searcher: HybridSearcher | None = None
        self._state = "not loaded"
        self._thread: threading.Thread | None = None

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            encoder = create_encoder(self._settings.encoder_backend, self._settings.encoder_model,
                                     self._settings.encoder_threads, self._settings.encoder_onnx_path)
            cache = self._settings.query_vector_cache
            self._encoder = CachedQueryEncoder(encoder, cache) if cache > 0 else encoder
        return self._encoder

    def elsewhere(self, index_dir: Path) -> SearchService:
        """The same knowledge and encoder with the index in another directory (benchmarks, rebuild checks)."""
        settings = self._settings.model_copy(update={"index_dir": index_dir})
        return SearchService(settings, self._factory, encoder=self.encoder)

    @property
    def searcher(self) -> HybridSearcher:
        if self._searcher is None:
            raise IndexNotReady(f"The search index is not ready ({self._state}).")
        return self._searcher

    def status(self) -> str:
        return "ok" if self._searcher is not None else self._state

    def start(self) -> None:
        """Load the index in the background (building it if there is none) so the app answers health checks."""
        self._thread = threading.Thread(target=self._load_or_build, name="index-loader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=0.1)

    def _load_or_build(self) -> None:
        try:
            self.load()
        except IndexStoreError as exc:
            logger.warning("index: %s; building it from the database", exc)
            try:
                self.rebuild(progress=False)
            except Exception:
                logger.exception("index: build failed")
                self._state = "error: build failed"

    def load(self) -> HybridSearcher:
        self._state = "loading"
        searcher = load_index(self._settings.index_dir, self.encoder)
        self._searcher = searcher
        logger.info("index: loaded %d procedures from %s", searcher.documents, self._settings.index_dir)
        return searcher

    def rebuild(self, *, progress: bool = True) -> dict[str, float | int]:
        """Build the whole index from the database and swap it in atomically."""
        self._state = "building"
        started = time.perf_counter()
        documents = self._documents()
        searcher = build_index(documents, self.encoder, self._settings.index_dir, progress=progress)
        self._searcher = searcher
        caught_up = self._catch_up(searcher, {doc.code: doc.content_hash() for doc in documents})
        return {"procedures": searcher.documents, "build_s": round(time.perf_counter() - started, 2),
                "caught_up": caught_up}

    def _documents(self) -> list[IndexDocument]:
        with self._factory() as session:
            return [_document(row) for row in crud.all_procedures(session)]

    def _catch_up(self, searcher: HybridSearcher, built: dict[str, str]) -> int:
        """Apply what staff saved while the build ran; the number of procedures that needed it.

        A build reads the database once, at its start, and saves minutes later over any version an edit's
        own re-index wrote meanwhile; comparing with the database again after the save brings those edits
        back (an edit saved after this read is re-indexed on top of the new version by its own upsert).
        """
        current = self._documents()
        changed = [doc for doc in current if built.get(doc.code) != doc.content_hash()]
        gone = built.keys() - {doc.code for doc in current}
        for doc in changed:
            searcher.upsert(doc)
        for code in gone:
            searcher.remove(code)
        if changed or gone:
            logger.info("index: %d procedures changed during the build were re-indexed", len(changed) + len(gone))
        return len(changed) + len(gone)

    def reindex(self, codes: Sequence[str]) -> None:
        """Re-embed just these procedures (or drop the ones that no longer exist)."""
        searcher = self.searcher
        with self._factory() as session:
            for code in codes:
                row = crud.find_procedure(session, code=code)
                if row is None:
                    searcher.remove(code)
                else:
                    searcher.upsert(_document(row))

    def follow(self) -> bool:
        """Serve the index version another replica saved since; True when a new one was swapped in.

        Before the index is loaded there is nothing to follow: the load itself reads the live version.
        """
        searcher = self._searcher
        if searcher is None:
            return False
        return searcher.refresh_from_store()

    def search(self, query: str, k: int = 5, backend: str = "hybrid") -> SearchResult:
        return self.searcher.search(query, k=k, backend=backend)


def start_following(search: SearchService, interval_s: float) -> PeriodicTask | None:
    """Follow the shared index every `interval_s` seconds (None when 0 turns it off).

    The reload reads files and rebuilds the BM25 and dense indexes, so it runs in a worker thread to keep
    the event loop answering.
    """
    if interval_s <= 0:
        logger.info("index: following other replicas' index versions is off")
        return None
    return PeriodicTask("index-follow", lambda: asyncio.to_thread(search.follow), interval_s).start()


async def stop_following(task: PeriodicTask | None) -> None:
    if task is not None:
        await task.stop()
