"""Sliding-window rate limits, kept in memory (one process) or in Redis (shared by every replica).

Limits protect citizens from each other (one sender's flood must not slow the rest) and dossier codes
from guessing. `spend` checks and counts one event against several budgets in one atomic step (a Redis
script, or one step of this process's event loop), all or none: parallel requests cannot all pass a check
made before any of them was counted. An event spent provisionally (a lookup that may fail) is given back
with `give_back` once it turns out not to count. When Redis cannot be reached the limits fail open
(`FailOpenRateLimiter`): a citizen is never refused because of our outage, and the log says so.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
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
    #: The counted event (for `give_back`); empty when nothing was counted.
    event_id: str = ""


Budget = tuple[str, Limit]


class RateLimiter(Protocol):
    async def check(self, key: str, limit: Limit) -> Decision:
        """Whether one more event would be allowed, without counting it."""
        ...

    async def record(self, key: str, limit: Limit) -> None:
        """Count one event for `key`."""
        ...

    async def hit(self, key: str, limit: Limit) -> Decision:
        """Count one event if it is allowed (check + record in one atomic step)."""
        ...

    async def spend(self, budgets: Sequence[Budget]) -> Decision:
        """Count one event in every budget if each allows it, else in none, in one atomic step."""
        ...

    async def give_back(self, keys: Sequence[str], event_id: str) -> None:
        """Uncount the event `event_id` (from `spend`) in these keys."""
        ...

    async def reset(self, key: str) -> None:
        """Forget every event of `key` (e.g. after a successful login)."""
        ...

    async def aclose(self) -> None: ...


def _decision(times_in_window: Sequence[float], limit: Limit, now: float) -> Decision:
    used = len(times_in_window)
    if used < limit.count:
        return Decision(allowed=True, remaining=limit.count - used - 1)
    oldest = times_in_window[used - limit.count]
    return Decision(allowed=False, retry_after_s=max(0.0, oldest + limit.window_s - now), remaining=0)


def _combined(decisions: Sequence[Decision], event_id: str) -> Decision:
    refused = [d for d in decisions if not d.allowed]
    if refused:
        return Decision(allowed=False, retry_after_s=max(d.retry_after_s for d in refused), remaining=0)
    return Decision(allowed=True, remaining=min((d.remaining for d in decisions), default=0), event_id=event_id)


class MemoryRateLimiter:
    """One process's limits; the oldest keys are dropped past `max_keys`, so memory stays bounded.

    Every method runs without awaiting, so on the event loop each one is atomic.
    """

    def __init__(self, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._events: OrderedDict[str, deque[tuple[float, str]]] = OrderedDict()
        self._max_keys = max_keys
        self._clock = clock

    def _window(self, key: str, limit: Limit, now: float) -> deque[tuple[float, str]]:
        events = self._events.get(key)
        if events is None:
            events = deque()
            self._events[key] = events
            while len(self._events) > self._max_keys:
                self._events.popitem(last=False)
        else:
            self._events.move_to_end(key)
        while events and events[0][0] <= now - limit.window_s:
            events.popleft()
        return events

    async def check(self, key: str, limit: Limit) -> Decision:
        now = self._clock()
        return _decision([t for t, _ in self._window(key, limit, now)], limit, now)

    async def record(self, key: str, limit: Limit) -> None:
        now = self._clock()
        self._window(key, limit, now).append((now, uuid.uuid4().hex))

    async def hit(self, key: str, limit: Limit) -> Decision:
        return await self.spend([(key, limit)])

    async def spend(self, budgets: Sequence[Budget]) -> Decision:
        now = self._clock()
        windows = [(self._window(key, limit, now), limit) for key, limit in budgets]
        event_id = uuid.uuid4().hex
        decision = _combined([_decision([t for t, _ in events], limit, now) for events, limit in windows], event_id)
        if decision.allowed:
            for events, _ in windows:
                events.append((now, event_id))
        return decision

    async def give_back(self, keys: Sequence[str], event_id: str) -> None:
        for key in keys:
            events = self._events.get(key)
            if events is not None:
                kept = [event for event in events if event[1] != event_id]
                events.clear()
                events.extend(kept)

    async def reset(self, key: str) -> None:
        self._events.pop(key, None)

    async def aclose(self) -> None:
        self._events.clear()


# KEYS: the budgets' sorted sets. ARGV: now, the event id, then each budget's count and window. Either every
# set gets the event or none does; the answer is {allowed, retry_after (a string: Lua numbers become
# integers on the way out), remaining}.
_SPEND_SCRIPT = """
local now = tonumber(ARGV[1])
local wait, remaining, refused = 0, -1, false
for i, key in ipairs(KEYS) do
  local count, window = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local used = redis.call('ZCARD', key)
  if used >= count then
    refused = true
    local oldest = redis.call('ZRANGE', key, used - count, used - count, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  elseif remaining < 0 or count - used - 1 < remaining then
    remaining = count - used - 1
  end
end
if refused then
  return {0, tostring(wait), 0}
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('EXPIRE', key, math.ceil(tonumber(ARGV[2 + 2 * i])) + 1)
end
return {1, '0', remaining}
"""


class RedisRateLimiter:
    """Limits shared by all app replicas: one sorted set of event times per key, expiring with its window."""

    def __init__(self, client: Any, *, prefix: str = "assistant:rl:", clock: Callable[[], float] = time.time) -> None:
        self._redis = client
        self._prefix = prefix
        self._clock = clock
        self._spend = client.register_script(_SPEND_SCRIPT)

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
        return await self.spend([(key, limit)])

    async def spend(self, budgets: Sequence[Budget]) -> Decision:
        now = self._clock()
        event_id = uuid.uuid4().hex
        args: list[Any] = [repr(now), event_id]
        for _, limit in budgets:
            args += [limit.count, repr(float(limit.window_s))]
        allowed, wait, remaining = await self._spend(keys=[self._prefix + key for key, _ in budgets], args=args)
        if int(allowed):
            return Decision(allowed=True, remaining=max(0, int(remaining)), event_id=event_id)
        return Decision(allowed=False, retry_after_s=max(0.0, float(wait)), remaining=0)

    async def give_back(self, keys: Sequence[str], event_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.zrem(self._prefix + key, event_id)
            await pipe.execute()

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def aclose(self) -> None:
        await self._redis.aclose()


class FailOpenRateLimiter:
    """Another limiter whose failures (Redis down or slow) allow the event instead of raising.

    The README promises it: limits protect the service, an outage of the limiter must not refuse citizens
    or staff (a login or a dossier lookup answering 500). After a failure the limiter is not asked again for
    `pause_s` seconds, so an unreachable Redis (each call waiting for its connect timeout) does not slow every
    request. Failures are logged as a warning at most once every `warn_every_s` seconds.
    """

    def __init__(self, inner: RateLimiter, *, pause_s: float = 5.0, warn_every_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = inner
        self._pause_s = pause_s
        self._warn_every_s = warn_every_s
        self._clock = clock
        self._warned_at: float | None = None
        self._paused_until = float("-inf")

    def _available(self) -> bool:
        return self._clock() >= self._paused_until

    def _failed(self, operation: str, exc: Exception) -> None:
        now = self._clock()
        self._paused_until = now + self._pause_s
        if self._warned_at is None or now - self._warned_at >= self._warn_every_s:
            self._warned_at = now
            logger.warning("rate limits not enforced, the limiter failed (%s: %s); letting requests through",
                           operation, type(exc).__name__)

    async def check(self, key: str, limit: Limit) -> Decision:
        if not self._available():
            return Decision(allowed=True)
        try:
            return await self._inner.check(key, limit)
        except Exception as exc:  # any limiter failure: allow, say so
            self._failed("check", exc)
            return Decision(allowed=True)

    async def record(self, key: str, limit: Limit) -> None:
        if not self._available():
            return
        try:
            await self._inner.record(key, limit)
        except Exception as exc:  # any limiter failure: the event goes uncounted
            self._failed("record", exc)

    async def hit(self, key: str, limit: Limit) -> Decision:
        if not self._available():
            return Decision(allowed=True)
        try:
            return await self._inner.hit(key, limit)
        except Exception as exc:  # any limiter failure: allow, say so
            self._failed("hit", exc)
            return Decision(allowed=True)

    async def spend(self, budgets: Sequence[Budget]) -> Decision:
        if not self._available():
            return Decision(allowed=True)
        try:
            return await self._inner.spend(budgets)
        except Exception as exc:  # any limiter failure: allow, say so
            self._failed("spend", exc)
            return Decision(allowed=True)

    async def give_back(self, keys: Sequence[str], event_id: str) -> None:
        if not self._available() or not event_id:
            return
        try:
            await self._inner.give_back(keys, event_id)
        except Exception as exc:  # any limiter failure: the event stays counted until its window ends
            self._failed("give_back", exc)

    async def reset(self, key: str) -> None:
        if not self._available():
            return
        try:
            await self._inner.reset(key)
        except Exception as exc:  # any limiter failure: the key expires with its window instead
            self._failed("reset", exc)

    async def aclose(self) -> None:
        await self._inner.aclose()


def create_rate_limiter(redis_url: str) -> RateLimiter:
    """Redis when a URL is configured (several replicas, failing open), otherwise this process's memory."""
    if redis_url:
        logger.info("rate limits: shared in Redis")
        return FailOpenRateLimiter(RedisRateLimiter.from_url(redis_url))
    return MemoryRateLimiter()
