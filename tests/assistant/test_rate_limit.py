"""Rate limits in memory and in the Redis that replicas share."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Sequence

import pytest

from assistant.rate_limit import Budget, Decision, Limit, MemoryRateLimiter, RateLimiter, RedisRateLimiter

REDIS_URL = os.environ.get("ASSISTANT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _redis_or_skip(clock: Clock) -> RedisRateLimiter:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return RedisRateLimiter.from_url(REDIS_URL, prefix=f"test:{uuid.uuid4().hex}:", clock=clock)


@pytest.fixture(params=["memory", "redis"])
def limiter_and_clock(request: pytest.FixtureRequest) -> tuple[RateLimiter, Clock]:
    clock = Clock()
    if request.param == "memory":
        return MemoryRateLimiter(clock=clock), clock
    return _redis_or_skip(clock), clock


def test_hits_beyond_the_limit_are_refused_until_the_window_moves(
        limiter_and_clock: tuple[RateLimiter, Clock]) -> None:
    limiter, clock = limiter_and_clock
    limit = Limit(count=3, window_s=60)

    async def scenario() -> None:
        assert [(await limiter.hit("sender-a", limit)).allowed for _ in range(4)] == [True, True, True, False]
        refused = await limiter.check("sender-a", limit)
        assert not refused.allowed and 59 <= refused.retry_after_s <= 60
        assert (await limiter.hit("sender-b", limit)).allowed, "another sender is not slowed by the flood"
        clock.now += 61
        assert (await limiter.hit("sender-a", limit)).allowed
        await limiter.aclose()

    asyncio.run(scenario())


def test_check_does_not_count_and_reset_forgets(limiter_and_clock: tuple[RateLimiter, Clock]) -> None:
    limiter, _ = limiter_and_clock
    limit = Limit(count=2, window_s=300)

    async def scenario() -> None:
        for _ in range(5):
            assert (await limiter.check("code-x", limit)).allowed
        await limiter.record("code-x", limit)
        await limiter.record("code-x", limit)
        assert not (await limiter.check("code-x", limit)).allowed
        await limiter.reset("code-x")
        assert (await limiter.check("code-x", limit)).allowed
        await limiter.aclose()

    asyncio.run(scenario())


def test_memory_limiter_keeps_a_bounded_number_of_keys() -> None:
    limiter = MemoryRateLimiter(max_keys=10)
    limit = Limit(count=1, window_s=60)

    async def scenario() -> None:
        for i in range(100):
            await limiter.record(f"k{i}", limit)
        assert len(limiter._events) == 10
        assert not (await limiter.check("k99", limit)).allowed
        assert (await limiter.check("k0", limit)).allowed

    asyncio.run(scenario())


def test_a_limit_must_allow_something() -> None:
    with pytest.raises(ValueError, match="count >= 1"):
        Limit(count=0, window_s=10)


def test_spend_counts_in_every_budget_or_in_none_and_gives_back(
        limiter_and_clock: tuple[RateLimiter, Clock]) -> None:
    limiter, _ = limiter_and_clock
    tight, loose = Limit(count=2, window_s=60), Limit(count=10, window_s=60)

    async def scenario() -> None:
        first = await limiter.spend([("tight", tight), ("loose", loose)])
        assert first.allowed and first.event_id and first.remaining == 1
        assert (await limiter.spend([("tight", tight), ("loose", loose)])).allowed
        refused = await limiter.spend([("tight", tight), ("loose", loose)])
        assert not refused.allowed and 59 <= refused.retry_after_s <= 60 and not refused.event_id
        # The refused spend counted nothing, not even in the budget that had room.
        assert (await limiter.check("loose", Limit(count=3, window_s=60))).allowed
        assert not (await limiter.check("loose", Limit(count=2, window_s=60))).allowed
        await limiter.give_back(["tight"], first.event_id)
        assert (await limiter.spend([("tight", tight)])).allowed
        await limiter.aclose()

    asyncio.run(scenario())


def test_parallel_spends_never_pass_together_beyond_the_budget(
        limiter_and_clock: tuple[RateLimiter, Clock]) -> None:
    """Check and count are one step: 30 spends racing for a budget of 5 let exactly 5 through."""
    limiter, _ = limiter_and_clock
    budget = [("race", Limit(count=5, window_s=60))]

    async def scenario() -> list[bool]:
        decisions = await asyncio.gather(*(limiter.spend(budget) for _ in range(30)))
        await limiter.aclose()
        return [d.allowed for d in decisions]

    assert sum(asyncio.run(scenario())) == 5


def test_an_unreachable_redis_lets_everything_through_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    from assistant.rate_limit import create_rate_limiter

    limiter = create_rate_limiter("redis://127.0.0.1:1/0")  # nothing listens on port 1: refused at once
    limit = Limit(count=1, window_s=60)

    async def scenario() -> list[bool]:
        outcomes = [(await limiter.spend([("k", limit)])).allowed, (await limiter.hit("k", limit)).allowed,
                    (await limiter.check("k", limit)).allowed]
        await limiter.record("k", limit)
        await limiter.give_back(["k"], "x")
        await limiter.reset("k")
        await limiter.aclose()
        return outcomes

    with caplog.at_level("WARNING", logger="assistant.rate_limit"):
        assert asyncio.run(scenario()) == [True, True, True]
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "rate limits not enforced" in warnings[0]  # once, not once per call


def test_after_a_failure_the_limiter_is_left_alone_for_a_pause() -> None:
    """An unreachable Redis costs its connect timeout per call: after one failure, calls skip it for a while."""
    from assistant.rate_limit import FailOpenRateLimiter

    class Broken(MemoryRateLimiter):
        calls = 0

        async def spend(self, budgets: Sequence[Budget]) -> Decision:
            Broken.calls += 1
            raise TimeoutError("redis did not answer")

    clock = Clock()
    limiter = FailOpenRateLimiter(Broken(), pause_s=5, clock=clock)
    budget = [("k", Limit(1, 60))]

    async def scenario() -> list[bool]:
        allowed = [(await limiter.spend(budget)).allowed for _ in range(4)]
        clock.now += 6
        allowed.append((await limiter.spend(budget)).allowed)
        return allowed

    assert asyncio.run(scenario()) == [True] * 5
    assert Broken.calls == 2  # the first call, then one more once the pause was over
