"""Rate limits in memory and in the Redis that replicas share."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

from assistant.rate_limit import Limit, MemoryRateLimiter, RateLimiter, RedisRateLimiter

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
