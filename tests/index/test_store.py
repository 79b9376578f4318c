from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from index.documents import IndexDocument
from index.store import CURRENT_FILE, WRITER_LOCK_FILE, DenseIndex, IndexStore, IndexStoreError, StoredIndex


def _stored(n: int, dim: int = 8, tag: str = "") -> StoredIndex:
    rng = np.random.default_rng(n)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    docs = tuple(IndexDocument(code=f"{tag}{i}", name=f"Thủ tục số {i} {tag}") for i in range(n))
    return StoredIndex(
        documents=docs, vectors=vectors, owners=np.arange(n, dtype=np.int32), encoder_name="test:8"
    )


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    assert store.load() is None
    original = _stored(5)
    version = store.save(original)
    loaded = store.load()
    assert loaded is not None and store.current_version() == version
    assert loaded.documents == original.documents
    assert np.array_equal(loaded.vectors, original.vectors)
    manifest = store.manifest()
    assert manifest["documents"] == 5 and manifest["dim"] == 8 and manifest["encoder"] == "test:8"
    assert manifest["content_hashes"] == [d.content_hash() for d in original.documents]


def test_old_versions_are_cleaned_but_the_previous_one_is_kept(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    names = [store.save(_stored(3 + i)) for i in range(4)]
    left = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert left == names[-2:]
    assert (tmp_path / CURRENT_FILE).read_text() == names[-1]


def test_broken_version_is_reported(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    version = store.save(_stored(3))
    (tmp_path / version / "documents.jsonl").write_text("")
    with pytest.raises(IndexStoreError, match="does not match its manifest"):
        store.load()


def test_reader_during_swaps_sees_a_whole_old_or_new_index(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    sizes = [10, 40, 10, 40, 10, 40, 10, 40]
    store.save(_stored(sizes[0], tag="a"))
    seen: list[tuple[int, int, int]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        reader = IndexStore(tmp_path)
        while not done.is_set():
            try:
                loaded = reader.load()
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)
                return
            assert loaded is not None
            seen.append((len(loaded.documents), loaded.vectors.shape[0], int(loaded.owners.shape[0])))

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for size in sizes[1:]:
        store.save(_stored(size, tag="b"))
    done.set()
    for thread in threads:
        thread.join()
    assert not errors
    assert seen
    assert all(docs == rows == owners and docs in (10, 40) for docs, rows, owners in seen)


def _lock_is_free(root: Path) -> bool:
    """Whether another process could take the writer lock now (a separate descriptor, as it would have)."""
    fd = os.open(root / WRITER_LOCK_FILE, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_writer_lock_excludes_other_writers_and_lets_its_holder_save(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    with store.writer_lock():
        assert not _lock_is_free(tmp_path)
        version = store.save(_stored(3))  # re-entering on the holding thread must not wait for itself
        assert not _lock_is_free(tmp_path)
    assert _lock_is_free(tmp_path)
    assert store.current_version() == version
    loaded = store.load_versioned()
    assert loaded is not None and loaded[0] == version and len(loaded[1].documents) == 3


def test_dense_index_reduces_rows_to_their_document() -> None:
    vectors = np.eye(3, dtype=np.float32)
    dense = DenseIndex(vectors, np.array([0, 1, 1]), n_documents=3)
    scores = dense.scores(np.array([0.0, 0.0, 1.0], dtype=np.float32))
    assert scores[1] == pytest.approx(1.0)
    assert scores[0] == pytest.approx(0.0)
    assert scores[2] == -1.0
