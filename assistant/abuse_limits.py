"""The chat doors' abuse limits: per sender and per client address, on the app's shared rate limiter.

A sender's flood must cost almost nothing and never slow other citizens: a refused message is answered
from memory (or one Redis round trip) before Rasa, the database or the platform is touched. When the
limiter itself fails (Redis down) the message is let through: a citizen is never blocked by our outage.
"""

from __future__ import annotations

import logging
import math

from fastapi import Request

from assistant.config import Settings
from assistant.rate_limit import Decision, Limit, RateLimiter

logger = logging.getLogger(__name__)

ALLOWED = Decision(allowed=True)


def _limit(count: int, settings: Settings) -> Limit | None:
    return Limit(count, settings.rate_limit_window_s) if count > 0 else None


def sender_limit(settings: Settings) -> Limit | None:
    """Messages one sender may send per window (None: no limit)."""
    return _limit(settings.rate_limit_chat_per_sender, settings)


def chat_ip_limit(settings: Settings) -> Limit | None:
    return _limit(settings.rate_limit_chat_per_ip, settings)


def webhook_ip_limit(settings: Settings) -> Limit | None:
    return _limit(settings.rate_limit_webhook_per_ip, settings)


def client_address(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers so this is the real client)."""
    return request.client.host if request.client is not None else "unknown"


async def hit(limiter: RateLimiter, key: str, limit: Limit | None) -> Decision:
    """Count one event for `key`; allowed when there is no limit or the limiter is unreachable."""
    if limit is None:
        return ALLOWED
    try:
        return await limiter.hit(key, limit)
    except Exception as exc:  # a broken limiter (Redis down) must not turn into refused citizens
        logger.warning("rate limit %s not checked, limiter failed: %s", key.split(":", 1)[0], type(exc).__name__)
        return ALLOWED


async def first_refusal(limiter: RateLimiter, key: str, limit: Limit) -> bool:
    """True once per window for a refused sender: tell them politely once, then stay silent.

    Answering every message of a flood would make the bot spam the platform on the flooder's behalf.
    """
    decision = await hit(limiter, f"notified:{key}", Limit(1, limit.window_s))
    return decision.allowed


def retry_after_header(decision: Decision) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(decision.retry_after_s)))}
