"""The app remembers query vectors unless the operator turns that off."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import sessionmaker

from assistant.config import Settings
from assistant.search_service import SearchService
from index.encoders import CachedQueryEncoder, HashingEncoder


def _service(tmp_path: Path, **overrides: object) -> SearchService:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", index_dir=tmp_path / "index",
                        encoder_backend="hashing", **overrides)
    return SearchService(settings, sessionmaker())


def test_query_vectors_are_cached_by_default(tmp_path: Path) -> None:
    encoder = _service(tmp_path).encoder
    assert isinstance(encoder, CachedQueryEncoder)
    assert isinstance(encoder.inner, HashingEncoder)


def test_a_zero_cache_size_embeds_every_query(tmp_path: Path) -> None:
    assert isinstance(_service(tmp_path, query_vector_cache=0).encoder, HashingEncoder)
