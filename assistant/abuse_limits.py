"""Abuse limits of the public doors, on the app's shared rate limiter: chat, webhooks and lookups.

A sender's flood must cost almost nothing and never slow other citizens: a refused message is answered
from memory (or one Redis round trip) before Rasa, the database or the platform is touched. When the
limiter itself fails (Redis down) the message is let through: a citizen is never blocked by our outage.

Lookups (dossier status, search, address resolution) have budgets of one shape (`lookup_budgets`): per
client address, and global. The client address is the peer, or the client a trusted proxy names
(`assistant.proxies`); never anything from the body. The action server calls these routes for every
citizen of every channel from one address, so its calls (recognised by the actions token) are counted
per conversation instead, and against a global budget of their own that a public flood cannot use up.
"""

from __future__ import annotations

import hmac
import logging
import math

from fastapi import Request

from assistant.config import Settings
from assistant.rate_limit import Budget, Decision, Limit, RateLimiter

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
    """The client's address: the peer, or whom a trusted proxy forwarded for (`assistant.proxies`)."""
    return request.client.host if request.client is not None else "unknown"


def from_action_server(request: Request, settings: Settings) -> bool:
    """Whether the call carries the actions token (compared in constant time); never with no token set."""
    from assistant.action_auth import TOKEN_HEADER

    expected = settings.actions_token.get_secret_value()
    presented = request.headers.get(TOKEN_HEADER)
    return bool(expected) and presented is not None and hmac.compare_digest(presented.encode(), expected.encode())


def lookup_budgets(area: str, request: Request, settings: Settings, *, per_address: int, overall: int,
                   window_s: float, conversation: str | None = None) -> list[Budget]:
    """The budgets one lookup in `area` spends (0 turns one off).

    A public caller spends from its address's budget and the public global one. The action server spends
    from the conversation's budget (when the call names one) and the action server's global one.
    """
    bot = from_action_server(request, settings)
    budgets: list[Budget] = []
    if per_address > 0 and not (bot and conversation is None):
        who = f"conversation:{conversation}" if bot else f"address:{client_address(request)}"
        budgets.append((f"{area}:{who}", Limit(per_address, window_s)))
    if overall > 0:
        budgets.append((f"{area}:global:{'actions' if bot else 'public'}", Limit(overall, window_s)))
    return budgets


async def spend(limiter: RateLimiter, budgets: list[Budget]) -> Decision:
    """Spend one event from every budget at once; allowed when there is none or the limiter fails."""
    if not budgets:
        return ALLOWED
    try:
        return await limiter.spend(budgets)
    except Exception as exc:  # a broken limiter (Redis down) must not turn into refused citizens
        logger.warning("lookup budget %s not checked, limiter failed: %s", budgets[0][0].split(":", 1)[0],
                       type(exc).__name__)
        return ALLOWED


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
