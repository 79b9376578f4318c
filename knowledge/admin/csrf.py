"""CSRF tokens: one per staff session for every form post, and a double-submit cookie for the login form.

Cookies are SameSite=Lax already; the token also protects against same-site attackers and old browsers.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
LOGIN_CSRF_COOKIE = "staff_login_csrf"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison; an empty expected token never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


async def submitted_token(request: Request) -> str | None:
    """The token a request carries: the X-CSRF-Token header (scripts) or the form field (pages)."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette caches the parsed form for the route's own Form(...) fields
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None
