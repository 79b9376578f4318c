from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from index.documents import IndexDocument
from index.encoders import (
    CachedQueryEncoder,
    E5BundledEncoder,
    Encoder,
    EncoderError,
    HashingEncoder,
    SentenceTransformerEncoder,
    create_encoder,
    embed_documents,
    passage_texts,
)

PASSAGES = [
    "Thủ tục đăng ký khai sinh cho trẻ em mới sinh",
    "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "Thủ tục hải quan đối với hàng hóa xuất khẩu",
]


def _check_unit_rows(vectors: np.ndarray, rows: int, dim: int) -> None:
    assert vectors.shape == (rows, dim)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("fixture", ["e5_encoder", "minilm_encoder", "hashing_encoder"])
def test_encoders_return_unit_float32_rows(fixture: str, request: pytest.FixtureRequest) -> None:
    encoder: Encoder = request.getfixturevalue(fixture)
    assert isinstance(encoder, Encoder)
    _check_unit_rows(encoder.encode_passages(PASSAGES), len(PASSAGES), encoder.dim)
    _check_unit_rows(encoder.encode_queries(["khai sinh"]), 1, encoder.dim)
    assert encoder.encode_queries([]).shape == (0, encoder.dim)


def test_e5_ranks_the_related_passage_first(e5_encoder: E5BundledEncoder) -> None:
    passages = e5_encoder.encode_passages(PASSAGES)
    query = e5_encoder.encode_queries(["làm giấy khai sinh cho con mới đẻ"])[0]
    assert int(np.argmax(passages @ query)) == 0
    query = e5_encoder.encode_queries(["xin phép xây nhà"])[0]
    assert int(np.argmax(passages @ query)) == 1


def test_sentence_transformer_backend_loads_offline_and_ranks(
    minilm_encoder: SentenceTransformerEncoder,
) -> None:
    assert minilm_encoder.name.startswith("sentence-transformers:")
    passages = minilm_encoder.encode_passages(
        ["birth registration for a newborn child", "customs clearance of goods"]
    )
    query = minilm_encoder.encode_queries(["register the birth of my baby"])[0]
    assert int(np.argmax(passages @ query)) == 0


def test_factory_rejects_unknown_backend_and_missing_model(tmp_path: object) -> None:
    with pytest.raises(EncoderError, match="Unknown encoder backend 'word2vec'"):
        create_encoder("word2vec", "", 2)
    with pytest.raises(EncoderError, match="needs a model name or path"):
        create_encoder("sentence-transformers", "", 2)
    with pytest.raises(EncoderError, match="does not exist"):
        create_encoder("sentence-transformers", "/nonexistent/models/e5-small", 2)
    assert isinstance(create_encoder("hashing", "", 1), HashingEncoder)


def test_passage_texts_give_aliases_their_own_vectors() -> None:
    doc = IndexDocument(code="1", name="Đăng ký kết hôn", field="Hộ tịch", aliases=("lấy vợ", "cưới chồng"))
    texts = passage_texts(doc)
    assert texts[0].startswith("Đăng ký kết hôn. Hộ tịch")
    assert texts[1:] == ["lấy vợ", "cưới chồng"]


def test_embed_documents_reuses_cached_vectors(hashing_encoder: HashingEncoder) -> None:
    docs = [
        IndexDocument(code="1", name="Đăng ký kết hôn", aliases=("lấy vợ",)),
        IndexDocument(code="2", name="Đăng ký khai sinh"),
    ]
    vectors, owners, embedded = embed_documents(docs, hashing_encoder)
    assert embedded == 2 and owners.tolist() == [0, 0, 1]
    marker = np.full((1, hashing_encoder.dim), 0.5, dtype=np.float32)
    again, owners_again, embedded_again = embed_documents(
        docs, hashing_encoder, cache={docs[1].content_hash(): marker}
    )
    assert embedded_again == 1
    assert np.array_equal(again[2], marker[0]) and np.array_equal(again[:2], vectors[:2])
    assert owners_again.tolist() == [0, 0, 1]


class _CountingEncoder(HashingEncoder):
    """The hashing encoder, counting the query texts it had to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return super().encode_queries(texts)


def test_query_cache_embeds_a_repeated_question_once_and_returns_the_same_vector() -> None:
    inner = _CountingEncoder()
    cached = CachedQueryEncoder(inner, size=8)
    first = cached.encode_queries(["đăng ký khai sinh"])
    again = cached.encode_queries(["đăng ký khai sinh", "cấp sổ đỏ", "đăng ký khai sinh"])
    assert inner.embedded == ["đăng ký khai sinh", "cấp sổ đỏ"]
    assert again.shape == (3, inner.dim) and again.dtype == np.float32
    np.testing.assert_array_equal(again[0], first[0])
    np.testing.assert_array_equal(again[2], first[0])
    np.testing.assert_array_equal(again[1], inner.encode_queries(["cấp sổ đỏ"])[0])
    again[0] += 1.0  # a caller's array is its own: the remembered vector stays as it was
    np.testing.assert_array_equal(cached.encode_queries(["đăng ký khai sinh"])[0], first[0])
    assert cached.encode_queries([]).shape == (0, inner.dim)
    assert cached.name == inner.name and cached.dim == inner.dim


def test_query_cache_forgets_the_least_recently_asked_first() -> None:
    inner = _CountingEncoder()
    cached = CachedQueryEncoder(inner, size=2)
    cached.encode_queries(["a"])
    cached.encode_queries(["b"])
    cached.encode_queries(["a"])  # "a" is now the most recent
    cached.encode_queries(["c"])  # evicts "b"
    assert len(cached) == 2
    inner.embedded.clear()
    cached.encode_queries(["a", "c", "b"])
    assert inner.embedded == ["b"]


def test_query_cache_never_caches_passages() -> None:
    inner = _CountingEncoder()
    cached = CachedQueryEncoder(inner, size=8)
    cached.encode_passages(["đăng ký khai sinh"])
    cached.encode_queries(["đăng ký khai sinh"])
    assert inner.embedded == ["đăng ký khai sinh"] and len(cached) == 1
