"""A publish whose re-index cannot happen now still reports honestly instead of failing the clerk's save."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from assistant.errors import IndexNotReady
from index.store import IndexStoreError
from knowledge.admin.procedures import reindex


class _FailingSearch:
    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.calls: list[list[str]] = []

    def reindex(self, codes: Sequence[str]) -> None:
        self.calls.append(list(codes))
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize("error", [IndexNotReady("loading"), IndexStoreError("version vanished")])
def test_reindex_reports_false_when_the_index_cannot_take_the_change(
        error: Exception, caplog: pytest.LogCaptureFixture) -> None:
    search = _FailingSearch(error)
    with caplog.at_level(logging.WARNING):
        assert reindex(search, ["1.000001"]) is False  # type: ignore[arg-type]
    assert search.calls == [["1.000001"]]
    assert "1.000001" in caplog.text


def test_reindex_reports_true_when_it_happened_and_skips_empty_lists() -> None:
    search = _FailingSearch(None)
    assert reindex(search, ["1.000002"]) is True  # type: ignore[arg-type]
    assert reindex(search, []) is True  # type: ignore[arg-type]
    assert search.calls == [["1.000002"]]
