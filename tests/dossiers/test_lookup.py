"""Dossier guessing: parallel guesses on one code are each counted before any of them is answered."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy.orm import sessionmaker

from assistant.rate_limit import Limit, MemoryRateLimiter, RateLimiter
from dossiers.domain import DossierRecord
from dossiers.lookup import DossierLookup, DossierNotFound, DossierView, LookupRateLimited
from dossiers.sources import DossierSourceUnavailable
from tests.assistant.test_rate_limit import Clock, _redis_or_skip

CODE = "000.00.15.H29-260212-0003"


class SlowSource:
    """A source that takes a while to answer (as a provincial system does), so the guesses overlap."""

    mirrors = False

    def __init__(self, *, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    async def get(self, code: str) -> DossierRecord | None:
        self.calls += 1
        await asyncio.sleep(0.05)
        if self.fail:
            raise DossierSourceUnavailable("timeout")
        return None


@pytest.fixture(params=["memory", "redis"])
def limiter(request: pytest.FixtureRequest) -> RateLimiter:
    clock = Clock()
    return MemoryRateLimiter(clock=clock) if request.param == "memory" else _redis_or_skip(clock)


def _lookup(source: SlowSource, limiter: RateLimiter) -> DossierLookup:
    return DossierLookup(source=source, factory=sessionmaker(), limiter=limiter, pepper="p" * 32,
                         max_failures=5, window_s=900, today=lambda: date(2026, 2, 20))


def test_parallel_guesses_on_one_code_are_all_counted(limiter: RateLimiter) -> None:
    source = SlowSource()
    service = _lookup(source, limiter)

    async def scenario() -> list[DossierView | BaseException]:
        guesses = [service.lookup(CODE, f"{i:04d}", f"web-{i}") for i in range(12)]
        outcomes = await asyncio.gather(*guesses, return_exceptions=True)
        await limiter.aclose()
        return outcomes

    outcomes = asyncio.run(scenario())
    assert sum(isinstance(o, DossierNotFound) for o in outcomes) == 5
    assert sum(isinstance(o, LookupRateLimited) for o in outcomes) == 7
    assert source.calls == 5  # the refused ones cost nothing


def test_a_source_that_does_not_answer_costs_the_caller_no_failure(limiter: RateLimiter) -> None:
    service = _lookup(SlowSource(fail=True), limiter)

    async def scenario() -> None:
        for _ in range(8):
            with pytest.raises(DossierSourceUnavailable):
                await service.lookup(CODE, "1234", "web-1")
        await limiter.aclose()

    asyncio.run(scenario())


def test_the_callers_budgets_are_spent_with_the_failures() -> None:
    limiter = MemoryRateLimiter()
    service = _lookup(SlowSource(), limiter)
    budget = [("dossier:address:203.0.113.1", Limit(2, 900))]

    async def scenario() -> list[type]:
        kinds = []
        for i in range(3):
            try:
                await service.lookup(f"000.00.15.H29-260212-{i:04d}", "1234", f"web-{i}", budget)
            except (DossierNotFound, LookupRateLimited) as exc:
                kinds.append(type(exc))
        return kinds

    assert asyncio.run(scenario()) == [DossierNotFound, DossierNotFound, LookupRateLimited]
