from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.build import DuplicateCodeError, build_index, build_stored_index, load_index
from index.documents import IndexDocument
from index.encoders import E5BundledEncoder, HashingEncoder
from index.store import IndexStore, IndexStoreError


def test_rebuild_reembeds_only_changed_documents(
    tmp_path: Path,
    e5_encoder: E5BundledEncoder,
    sample_documents: tuple[IndexDocument, ...],
    caplog: pytest.LogCaptureFixture,
) -> None:
    build_index(sample_documents, e5_encoder, tmp_path, progress=False)
    changed = list(sample_documents)
    changed[0] = replace(changed[0], aliases=changed[0].aliases + ("khai sinh cho bé",))
    caplog.set_level("INFO", logger="index.build")
    searcher = build_index(changed, e5_encoder, tmp_path, progress=False)
    assert f"({1} embedded, {len(changed) - 1} cached)" in caplog.text
    assert searcher.documents == len(changed)
    assert searcher.search("khai sinh cho bé").hits[0].code == changed[0].code


def test_load_index_serves_the_saved_index(
    tmp_path: Path, e5_encoder: E5BundledEncoder, sample_documents: tuple[IndexDocument, ...]
) -> None:
    build_index(sample_documents, e5_encoder, tmp_path, progress=False)
    loaded = load_index(tmp_path, e5_encoder)
    assert loaded.documents == len(sample_documents)
    assert loaded.search("dang ky ket hon").hits[0].code == "1.000894"


def test_load_index_refuses_another_encoder_or_an_empty_directory(
    tmp_path: Path,
    hashing_encoder: HashingEncoder,
    e5_encoder: E5BundledEncoder,
    sample_documents: tuple[IndexDocument, ...],
) -> None:
    with pytest.raises(IndexStoreError, match="No index has been built"):
        load_index(tmp_path, hashing_encoder)
    build_stored_index(sample_documents[:3], hashing_encoder, IndexStore(tmp_path), progress=False)
    with pytest.raises(IndexStoreError, match="rebuild it"):
        load_index(tmp_path, e5_encoder)


def test_duplicate_codes_are_rejected(hashing_encoder: HashingEncoder) -> None:
    doc = IndexDocument(code="1.000894", name="Đăng ký kết hôn")
    with pytest.raises(DuplicateCodeError, match="1.000894"):
        build_stored_index([doc, doc], hashing_encoder, progress=False)
