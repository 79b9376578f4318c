"""Route dependencies that spend a public lookup's budgets (per address and global) before any work.

`/api/procedures/search` and `/api/communes/resolve` are public, cheap to call and not cheap to answer
(an embedding, a scan of the commune library): a flood from one address, or from many, is refused with a
Vietnamese 429 and Retry-After before the route runs.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request

from assistant import abuse_limits, messages_vi
from assistant.deps import RateLimiterDep, SettingsDep


def public_lookup_budget(area: str) -> Callable[[Request, SettingsDep, RateLimiterDep], Awaitable[None]]:
    """A dependency spending one call of `area` from the search/resolve budgets (ASSISTANT_RATE_LIMIT_SEARCH_*)."""

    async def spend_budget(request: Request, settings: SettingsDep, limiter: RateLimiterDep) -> None:
        budgets = abuse_limits.lookup_budgets(
            area, request, settings, per_address=settings.rate_limit_search_per_ip,
            overall=settings.rate_limit_search_global, window_s=settings.rate_limit_window_s)
        decision = await abuse_limits.spend(limiter, budgets)
        if not decision.allowed:
            minutes = max(1, math.ceil(decision.retry_after_s / 60))
            raise HTTPException(429, {"code": "rate_limited", "message": messages_vi.RATE_LIMITED.format(
                minutes=minutes)}, headers=abuse_limits.retry_after_header(decision))

    return spend_budget


search_budget = public_lookup_budget("search")
resolve_budget = public_lookup_budget("resolve")
