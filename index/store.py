"""Dense vectors in FAISS, and the versioned on-disk layout that makes index swaps atomic.

On disk an index directory holds one sub-directory per version plus a small `CURRENT` file naming the live
one. A writer fills a fresh `tmp-*` directory, renames it to its version name, then replaces `CURRENT`
with `os.replace`, which is atomic on POSIX: a reader resolves `CURRENT` once and reads a complete
version, old or new, never a half-written one. The previous version is kept for readers that resolved
`CURRENT` just before a swap; older ones are deleted.

Several processes (app replicas on one volume) may write to one directory. Writers serialise through an
exclusive `flock` on a lock file in the directory, so a read-modify-save of one replica cannot overwrite
the version another replica saved a moment earlier, and one writer's cleanup never deletes another's
staging directory. Readers take no lock.

Each version carries the vectors with the content hash of the document they came from, which doubles as
the embedding cache: a rebuild re-embeds only documents whose text changed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import faiss
import numpy as np

from index.documents import IndexDocument

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
CURRENT_FILE = "CURRENT"
MANIFEST_FILE = "manifest.json"
WRITER_LOCK_FILE = "writer.lock"


class IndexStoreError(RuntimeError):
    """An index directory is missing, incomplete or built with another encoder."""


@dataclass(frozen=True)
class StoredIndex:
    """Everything needed to serve searches: documents, their vectors and which document owns each row."""

    documents: tuple[IndexDocument, ...]
    vectors: np.ndarray  # (rows, dim) float32, unit length
    owners: np.ndarray  # (rows,) int32: position in `documents` of each vector row
    encoder_name: str
    built_at: str = ""

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0

    def vectors_by_hash(self) -> dict[str, np.ndarray]:
        """Rows of each document keyed by its content hash: the embedding cache."""
        out: dict[str, np.ndarray] = {}
        for position, doc in enumerate(self.documents):
            out[doc.content_hash()] = self.vectors[self.owners == position]
        return out


class DenseIndex:
    """Exact inner-product search over unit vectors (cosine), reduced to the best row per document."""

    def __init__(self, vectors: np.ndarray, owners: np.ndarray, n_documents: int) -> None:
        self.n_documents = n_documents
        self.owners = np.asarray(owners, dtype=np.int64)
        dim = int(vectors.shape[1]) if vectors.ndim == 2 and vectors.shape[0] else 1
        self.index = faiss.IndexFlatIP(dim)
        if vectors.shape[0]:
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def scores(self, query_vector: np.ndarray, depth: int = 200) -> np.ndarray:
        """Cosine of each document's best vector to the query; documents outside the top rows get -1."""
        out = np.full(self.n_documents, -1.0, dtype=np.float32)
        if self.index.ntotal == 0:
            return out
        depth = min(depth, self.index.ntotal)
        sims, rows = self.index.search(
            np.ascontiguousarray(query_vector.reshape(1, -1), dtype=np.float32), depth
        )
        valid = rows[0] >= 0
        owners = self.owners[rows[0][valid]]
        np.maximum.at(out, owners, sims[0][valid])
        return out


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive `flock` on `path`, which other processes on the same (lock-capable) volume honour."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _write_json(path: Path, payload: object) -> None:
    with path.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())


class IndexStore:
    """Versioned index directory with an atomically switched `CURRENT` pointer."""

    def __init__(self, root: Path | str, keep: int = 2) -> None:
        self.root = Path(root)
        self.keep = max(keep, 2)
        # Re-entrant so that `save` can run inside a caller's `writer_lock` on the same thread.
        self._lock = threading.RLock()
        self._writer_depth = 0

    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Exclusive right to change the directory, across threads and processes, until the block ends.

        Held around a whole read-modify-save so no other writer can slip a version in between. The
        thread lock comes first and the file lock is taken only by the outermost holder: `flock` also
        excludes a second descriptor of this process, so a nested `save` would otherwise wait for itself.
        """
        with self._lock:
            outermost = self._writer_depth == 0
            with _file_lock(self.root / WRITER_LOCK_FILE) if outermost else contextlib.nullcontext():
                self._writer_depth += 1
                try:
                    yield
                finally:
                    self._writer_depth -= 1

    def current_version(self) -> str | None:
        """Name of the live version, or None when nothing has been saved yet."""
        try:
            name = (self.root / CURRENT_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def save(self, stored: StoredIndex) -> str:
        """Write a new version and make it live; returns its name."""
        with self.writer_lock():
            name = f"v{time.time_ns():020d}-{uuid.uuid4().hex[:6]}"
            staging = self.root / f"tmp-{name}"
            staging.mkdir()
            np.save(staging / "vectors.npy", np.ascontiguousarray(stored.vectors, dtype=np.float32))
            np.save(staging / "owners.npy", np.asarray(stored.owners, dtype=np.int32))
            with (staging / "documents.jsonl").open("w", encoding="utf-8") as handle:
                for doc in stored.documents:
                    handle.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
            manifest = {
                "format": FORMAT_VERSION,
                "encoder": stored.encoder_name,
                "dim": stored.dim,
                "documents": len(stored.documents),
                "vectors": int(stored.vectors.shape[0]),
                "content_hashes": [doc.content_hash() for doc in stored.documents],
                "built_at": stored.built_at or datetime.now(UTC).isoformat(timespec="seconds"),
            }
            _write_json(staging / MANIFEST_FILE, manifest)
            staging.rename(self.root / name)
            pointer = self.root / f"{CURRENT_FILE}.{uuid.uuid4().hex[:6]}.tmp"
            pointer.write_text(name, encoding="utf-8")
            os.replace(pointer, self.root / CURRENT_FILE)
            self._cleanup(name)
            logger.info("Index version %s is live (%d documents)", name, len(stored.documents))
            return name

    def _cleanup(self, live: str) -> None:
        versions = sorted(p for p in self.root.iterdir() if p.is_dir() and p.name.startswith("v"))
        stale = [p for p in versions if p.name != live][: max(len(versions) - self.keep, 0)]
        stale += [p for p in self.root.iterdir() if p.name.startswith("tmp-") and p.is_dir()]
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)

    def manifest(self, version: str | None = None) -> dict[str, object]:
        """The manifest of a version (the live one by default)."""
        version = version or self.current_version()
        if version is None:
            raise IndexStoreError(f"No index has been saved in {self.root}.")
        try:
            return dict(json.loads((self.root / version / MANIFEST_FILE).read_text(encoding="utf-8")))
        except FileNotFoundError as exc:
            raise IndexStoreError(f"Index version {version!r} in {self.root} has no manifest.") from exc

    def load(self, attempts: int = 3) -> StoredIndex | None:
        """The live version, or None when the directory holds no index yet."""
        loaded = self.load_versioned(attempts)
        return None if loaded is None else loaded[1]

    def load_versioned(self, attempts: int = 3) -> tuple[str, StoredIndex] | None:
        """The live version with its name, so a reader can later tell whether `CURRENT` has moved on.

        A version can vanish between reading `CURRENT` and opening its files when two swaps happen in
        quick succession; the pointer is then read again.
        """
        for _ in range(attempts):
            version = self.current_version()
            if version is None:
                return None
            try:
                return version, self._load_version(version)
            except FileNotFoundError:
                logger.info("Index version %s was replaced while loading; reading CURRENT again", version)
        raise IndexStoreError(f"Could not load a stable index version from {self.root}.")

    def _load_version(self, version: str) -> StoredIndex:
        directory = self.root / version
        manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
        vectors = np.load(directory / "vectors.npy")
        owners = np.load(directory / "owners.npy")
        with (directory / "documents.jsonl").open(encoding="utf-8") as handle:
            documents = tuple(_document_from_json(line) for line in handle if line.strip())
        if len(documents) != manifest["documents"] or vectors.shape[0] != manifest["vectors"]:
            raise IndexStoreError(f"Index version {version!r} in {self.root} does not match its manifest.")
        return StoredIndex(
            documents=documents,
            vectors=vectors,
            owners=owners,
            encoder_name=str(manifest["encoder"]),
            built_at=str(manifest.get("built_at", "")),
        )


def _document_from_json(line: str) -> IndexDocument:
    data = json.loads(line)
    data["levels"] = tuple(data.get("levels", ()))
    data["aliases"] = tuple(data.get("aliases", ()))
    return IndexDocument(**data)
