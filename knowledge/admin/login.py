"""Sign-in and sign-out pages of the staff console.

The login form carries a double-submit CSRF token (cookie + hidden field) because there is no session
yet; failed attempts count against the account (lockout) and against the client's IP address (rate limit).

Checking a password is deliberately slow (argon2: tens of milliseconds of CPU and 64 MiB each), so it and
the database work around it run in worker threads, at most `LOGIN_CONCURRENCY` at a time: a flood of
sign-ins waits its turn instead of stalling chat, webhooks and health checks on the event loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from assistant.db import session_scope
from assistant.deps import RateLimiterDep, StateDep
from assistant.rate_limit import Limit
from knowledge.admin import texts_vi as T
from knowledge.admin.accounts import sign_in
from knowledge.admin.auth import SESSION_COOKIE, CsrfDep, EditorDep, current_staff
from knowledge.admin.csrf import LOGIN_CSRF_COOKIE, new_token, tokens_match
from knowledge.admin.sessions import close_session, open_session
from knowledge.admin.templating import render

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

# Failed sign-ins allowed from one address; an office behind one NAT address shares it, so it is generous.
LOGIN_IP_LIMIT = Limit(count=30, window_s=15 * 60)
HOME_PATH = "/admin/procedures"
# Password checks running at once per app; the rest wait without holding a thread (or 64 MiB) each.
LOGIN_CONCURRENCY = 2


@dataclass(frozen=True)
class _Outcome:
    """What a sign-in attempt came to, read out of its database session."""

    token: str  # the new session's cookie value; "" when refused
    username: str
    reason: str


def _login_limiter(request: Request) -> anyio.CapacityLimiter:
    # Created on first use inside the app's event loop, one per app.
    limiter = getattr(request.app.state, "login_limiter", None)
    if limiter is None:
        limiter = request.app.state.login_limiter = anyio.CapacityLimiter(LOGIN_CONCURRENCY)
    return limiter


def safe_next(value: str | None) -> str:
    """Only paths inside the console: a login link must not send clerks to another site."""
    if value and value.startswith("/admin") and not value.startswith("//") and "\\" not in value:
        return value
    return HOME_PATH


def _secure(state: StateDep) -> bool:
    return state.settings.environment != "development"


def _login_page(request: Request, state: StateDep, *, error: str = "", username: str = "", next_path: str = "",
                status_code: int = 200) -> Response:
    token = new_token()
    request.state.login_csrf = token
    response = render(request, "login.html", {"error": error, "username": username,
                                              "next_path": safe_next(next_path)}, status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="lax",
                        secure=_secure(state), path="/admin")
    return response


@router.get("/admin")
def admin_home(user: EditorDep) -> RedirectResponse:
    return RedirectResponse(HOME_PATH, status_code=303)


@router.get("/admin/login")
def login_form(request: Request, state: StateDep, next: str = "") -> Response:
    if current_staff(request, state) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, state, next_path=next)


@router.post("/admin/login")
async def login_submit(
    request: Request, state: StateDep, limiter: RateLimiterDep,
    username: Annotated[str, Form(max_length=200)] = "", password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    settings = state.settings
    if not tokens_match(request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token):
        return _login_page(request, state, error=T.LOGIN_FORM_EXPIRED, username=username, next_path=next,
                           status_code=403)
    ip_key = f"admin-login:{request.client.host if request.client else 'unknown'}"
    ip_decision = await limiter.check(ip_key, LOGIN_IP_LIMIT)
    if not ip_decision.allowed:
        minutes = max(1, round(ip_decision.retry_after_s / 60))
        return _login_page(request, state, error=T.LOGIN_TOO_MANY.format(minutes=minutes), username=username,
                           next_path=next, status_code=429)
    lockout = timedelta(minutes=settings.admin_lockout_minutes)

    def check() -> _Outcome:
        with session_scope(state.session_factory) as session:
            result = sign_in(session, username=username, password=password,
                             max_failures=settings.admin_max_failed_logins, lockout=lockout)
            if result.account is None:
                return _Outcome(token="", username="", reason=result.reason)
            token, _ = open_session(session, account=result.account, settings=settings)
            return _Outcome(token=token, username=result.account.username, reason="")

    outcome = await anyio.to_thread.run_sync(check, limiter=_login_limiter(request))
    token = outcome.token
    if token:
        logger.info("staff %s signed in", outcome.username)
    else:
        await limiter.record(ip_key, LOGIN_IP_LIMIT)
        error = (T.LOGIN_LOCKED.format(minutes=settings.admin_lockout_minutes) if outcome.reason == "locked"
                 else T.LOGIN_INVALID)
        return _login_page(request, state, error=error, username=username, next_path=next, status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=settings.admin_session_lifetime_hours * 3600,
                        httponly=True, samesite="lax", secure=_secure(state), path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin")
    return response


@router.post("/admin/logout")
def logout(request: Request, state: StateDep, user: EditorDep, _csrf: CsrfDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    with session_scope(state.session_factory) as session:
        close_session(session, token=token)
    logger.info("staff %s signed out", user.username)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
