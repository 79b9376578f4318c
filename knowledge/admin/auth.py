"""Who is signed in to the staff console, and what they may do: FastAPI dependencies for every area.

`EditorDep` admits any signed-in clerk, `PublisherDep` only publishers, `CsrfDep` checks the session's
CSRF token on a form post (or the X-CSRF-Token header). Anonymous requests to HTML pages are sent to the
login page; `/api/admin/*` answers 401 JSON (anonymous) or 403 JSON (wrong role or missing token).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status

from assistant.db import session_scope
from assistant.deps import StateDep
from knowledge.admin import texts_vi as T
from knowledge.admin.csrf import submitted_token, tokens_match
from knowledge.admin.models import StaffAccount
from knowledge.admin.sessions import find_session

SESSION_COOKIE = "staff_session"
LOGIN_PATH = "/admin/login"


@dataclass(frozen=True)
class StaffUser:
    """The signed-in clerk, as routes see it (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: str  # "editor" | "publisher"
    csrf_token: str = field(default="", repr=False, compare=False)

    @property
    def is_publisher(self) -> bool:
        return self.role == "publisher"

    @classmethod
    def from_account(cls, account: StaffAccount, csrf_token: str = "") -> StaffUser:
        return cls(account.id, account.username, account.display_name, account.role, csrf_token)


def is_api_path(path: str) -> bool:
    return path == "/api/admin" or path.startswith("/api/admin/")


def current_staff(request: Request, state: StateDep) -> StaffUser | None:
    """The user of the request's session cookie, or None; looked up once per request."""
    if hasattr(request.state, "staff_user"):
        cached: StaffUser | None = request.state.staff_user
        return cached
    user: StaffUser | None = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with session_scope(state.session_factory) as session:
            active = find_session(session, token=token, settings=state.settings)
            if active is not None:
                user = StaffUser.from_account(active.account, active.session.csrf_token)
    request.state.staff_user = user
    return user


def _refuse_anonymous(request: Request) -> HTTPException:
    if is_api_path(request.url.path):
        return HTTPException(status.HTTP_401_UNAUTHORIZED,
                             detail={"code": "not_signed_in", "message": T.NOT_SIGNED_IN})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(status.HTTP_303_SEE_OTHER, detail=T.NOT_SIGNED_IN,
                         headers={"Location": f"{LOGIN_PATH}?next={quote(target, safe='')}"})


def require_editor(request: Request, user: Annotated[StaffUser | None, Depends(current_staff)]) -> StaffUser:
    if user is None:
        raise _refuse_anonymous(request)
    return user


EditorDep = Annotated[StaffUser, Depends(require_editor)]


def require_publisher(user: EditorDep) -> StaffUser:
    if not user.is_publisher:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail={"code": "publisher_only", "message": T.PUBLISHER_ONLY})
    return user


PublisherDep = Annotated[StaffUser, Depends(require_publisher)]


async def require_csrf(request: Request, user: EditorDep) -> None:
    if not tokens_match(user.csrf_token, await submitted_token(request)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail={"code": "csrf", "message": T.CSRF_FAILED})


CsrfDep = Annotated[None, Depends(require_csrf)]
