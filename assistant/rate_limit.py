"""Sliding-window rate limits, kept in memory (one process) or in Redis (shared by every replica).

Limits protect citizens from each other (one sender's flood must not slow the rest) and dossier codes
from guessing: a caller counts only the events it cares about (e.g. failed lookups) with `record`, and
asks `check` before doing the work, so a blocked caller costs almost nothing.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `window_s` seconds for one key."""

    count: int
    window_s: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.window_s <= 0:
            raise ValueError(f"A limit needs count >= 1 and window_s > 0, got {self.count} per {self.window_s}s.")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_s: float = 0.0
    remaining: int = 0


class RateLimiter(Protocol):
    async def check(self, key: str, limit: Limit) -> Decision:
        """Whether one more event would be allowed, without counting it."""
        ...

    async def record(self, key: str, limit: Limit) -> None:
        """Count one event for `key`."""
        ...

    async def hit(self, key: str, limit: Limit) -> Decision:
        """Count one event if it is allowed (check + record in one step)."""
        ...

    async def reset(self, key: str) -> None:
        """Forget every event of `key` (e.g. after a successful login)."""
        ...

    async def aclose(self) -> None: ...


def _decision(times_in_window: list[float] | deque[float], limit: Limit, now: float) -> Decision:
    used = len(times_in_window)
    if used < limit.count:
        return Decision(allowed=True, remaining=limit.count - used - 1)
    oldest = times_in_window[used - limit.count]
    return Decision(allowed=False, retry_after_s=max(0.0, oldest + limit.window_s - now), remaining=0)


class MemoryRateLimiter:
    """One process's limits; the oldest keys are dropped past `max_keys`, so memory stays bounded."""

    def __init__(self, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._max_keys = max_keys
        self._clock = clock

    def _window(self, key: str, limit: Limit, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            events = deque()
            self._events[key] = events
            while len(self._events) > self._max_keys:
                self._events.popitem(last=False)
        else:
            self._events.move_to_end(key)
        while events and events[0] <= now - limit.window_s:
            events.popleft()
        return events

    async def check(self, key: str, limit: Limit) -> Decision:
        now = self._clock()
        return _decision(self._window(key, limit, now), limit, now)

    async def record(self, key: str, limit: Limit) -> None:
        now = self._clock()
        self._window(key, limit, now).append(now)

    async def hit(self, key: str, limit: Limit) -> Decision:
        now = self._clock()
        events = self._window(key, limit, now)
        decision = _decision(events, limit, now)
        if decision.allowed:
            events.append(now)
        return decision

    async def reset(self, key: str) -> None:
        self._events.pop(key, None)

    async def aclose(self) -> None:
        self._events.clear()


class RedisRateLimiter:
    """Limits shared by all app replicas: one sorted set of event times per key, expiring with its window."""

    def __init__(self, client: Any, *, prefix: str = "assistant:rl:", clock: Callable[[], float] = time.time) -> None:
        self._redis = client
        self._prefix = prefix
        self._clock = clock

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisRateLimiter:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0), **kwargs)

    async def _times(self, key: str, limit: Limit, now: float) -> list[float]:
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(name, "-inf", now - limit.window_s)
            pipe.zrange(name, 0, -1, withscores=True)
            _, members = await pipe.execute()
        return [float(score) for _, score in members]

    async def check(self, key: str, limit: Limit) -> Decision:
        now = self._clock()
        return _decision(await self._times(key, limit, now), limit, now)

    async def record(self, key: str, limit: Limit) -> None:
        now = self._clock()
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(name, {uuid.uuid4().hex: now})
            pipe.zremrangebyscore(name, "-inf", now - limit.window_s)
            pipe.expire(name, max(1, int(limit.window_s) + 1))
            await pipe.execute()

    async def hit(self, key: str, limit: Limit) -> Decision:
        # check-then-record: two concurrent hits may both pass at the edge, which a limit tolerates.
        decision = await self.check(key, limit)
        if decision.allowed:
            await self.record(key, limit)
        return decision

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def aclose(self) -> None:
        await self._redis.aclose()


def create_rate_limiter(redis_url: str) -> RateLimiter:
    """Redis when a URL is configured (several replicas), otherwise this process's memory."""
    if redis_url:
        logger.info("rate limits: shared in Redis")
        return RedisRateLimiter.from_url(redis_url)
    return MemoryRateLimiter()
