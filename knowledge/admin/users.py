"""Publishers manage staff accounts: create editors and publishers, disable and re-enable them.

Disabling an account signs it out everywhere at once (its sessions are deleted).
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response

from assistant.db import session_scope
from assistant.deps import RowIdPath, SessionDep, StateDep
from knowledge.admin import texts_vi as T
from knowledge.admin.accounts import AccountError, create_account, list_accounts
from knowledge.admin.auth import CsrfDep, PublisherDep
from knowledge.admin.models import StaffAccount
from knowledge.admin.sessions import close_account_sessions
from knowledge.admin.templating import render

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)


@router.get("/admin/users")
def users_page(request: Request, user: PublisherDep, session: SessionDep, ok: str = "") -> Response:
    return _page(request, session, flashes=[("ok", T.FLASHES[ok])] if ok in T.FLASHES else [])


def _page(request: Request, session: SessionDep, *, flashes: list[tuple[str, str]],
          values: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "users.html", {"accounts": list_accounts(session), "flashes": flashes,
                                          "values": values or {}}, status_code=status_code)


@router.post("/admin/users")
def create_user(
    request: Request, user: PublisherDep, _csrf: CsrfDep, state: StateDep, session: SessionDep,
    username: Annotated[str, Form(max_length=200)] = "", display_name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "editor", password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        with session_scope(state.session_factory) as write:
            create_account(write, username=username, password=password, role=role, display_name=display_name)
    except AccountError as exc:
        return _page(request, session, flashes=[("error", exc.message)], status_code=422,
                     values={"username": username, "display_name": display_name, "role": role})
    logger.info("staff %s created account %s (%s)", user.username, username.strip().lower(), role)
    return RedirectResponse("/admin/users?ok=user_created", status_code=303)


@router.post("/admin/users/{account_id}/{action}")
def set_active(
    request: Request, account_id: RowIdPath,
    action: Annotated[str, Path(pattern="^(disable|enable)$")],
    user: PublisherDep, _csrf: CsrfDep, state: StateDep, session: SessionDep,
) -> Response:
    if account_id == user.id and action == "disable":
        return _page(request, session, flashes=[("error", T.USER_CANNOT_DISABLE_SELF)], status_code=422)
    with session_scope(state.session_factory) as write:
        account = write.get(StaffAccount, account_id)
        if account is None:
            raise HTTPException(404, T.USER_NOT_FOUND)
        account.active = action == "enable"
        if action == "disable":
            close_account_sessions(write, account_id=account_id)
    logger.info("staff %s: %s account id %d", user.username, action, account_id)
    return RedirectResponse(f"/admin/users?ok=user_{action}d", status_code=303)
