"""Console pages about citizens' conversations: the unanswered inbox, the handover queue, the dashboard.

Any signed-in staff member (editor or publisher) works here: answering citizens and teaching the assistant
new wordings are the daily work of every clerk. Every form post carries the CSRF token.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from assistant.db import session_scope
from assistant.deps import OutboxDep, RowIdPath, SessionDep, StateDep
from assistant.errors import IndexNotReady
from channels.base import ChannelSendError
from knowledge import crud
from knowledge.admin import handover
from knowledge.admin import texts_vi as T
from knowledge.admin.auth import CsrfDep, EditorDep
from knowledge.admin.conversation_models import THREAD_CLOSED
from knowledge.admin.dashboard import build_dashboard
from knowledge.admin.procedures import reindex
from knowledge.admin.questions import link_questions, mark_out_of_scope, unanswered_page
from knowledge.admin.templating import render
from knowledge.errors import ProcedureNotFound

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
SUGGESTIONS = 3

QuestionIds = Annotated[list[int], Form(alias="question_id")]


def _flashes(ok: str) -> list[tuple[str, str]]:
    return [("ok", T.INBOX_FLASHES[ok])] if ok in T.INBOX_FLASHES else []


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ---------------------------------------------------------------- unanswered inbox


@router.get("/admin/questions")
def inbox_page(request: Request, user: EditorDep, session: SessionDep, state: StateDep, ok: str = "",
               error: str = "", page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    inbox = unanswered_page(session, page=page)
    groups = inbox.groups
    suggestions: dict[str, list[tuple[str, str]]] = {}
    for group in groups:
        try:
            hits = state.search.search(group.example, k=SUGGESTIONS).hits
        except IndexNotReady:
            break
        suggestions[group.key] = [(hit.code, hit.name) for hit in hits]
    flashes = _flashes(ok) + ([("error", error)] if error else [])
    return render(request, "questions_inbox.html", {"groups": groups, "suggestions": suggestions,
                                                    "flashes": flashes, "inbox": inbox})


@router.post("/admin/questions/link")
def link_group(request: Request, user: EditorDep, _csrf: CsrfDep, state: StateDep, session: SessionDep,
               question_ids: QuestionIds, procedure_code: Annotated[str, Form()]) -> Response:
    code = procedure_code.strip()
    try:
        with session_scope(state.session_factory) as write:
            added = link_questions(write, question_ids=question_ids, procedure_code=code, author=user.username)
    except ProcedureNotFound:
        inbox = unanswered_page(session)
        return render(request, "questions_inbox.html", {
            "groups": inbox.groups, "suggestions": {}, "inbox": inbox,
            "flashes": [("error", T.INBOX_UNKNOWN_CODE.format(code=code))]}, status_code=422)
    logger.info("inbox: %d questions linked to %s by %s (%d new aliases)", len(question_ids), code,
                user.username, len(added))
    indexed = reindex(state.search, [code]) if added else True
    return _see_other(f"/admin/questions?ok={'linked' if indexed else 'linked_not_indexed'}")


@router.post("/admin/questions/out-of-scope")
def out_of_scope(user: EditorDep, _csrf: CsrfDep, state: StateDep, question_ids: QuestionIds) -> Response:
    with session_scope(state.session_factory) as write:
        closed = mark_out_of_scope(write, question_ids=question_ids, author=user.username)
    logger.info("inbox: %d questions marked out of scope by %s", closed, user.username)
    return _see_other("/admin/questions?ok=out_of_scope")


# ---------------------------------------------------------------- handover queue


@router.get("/admin/handover")
def handover_queue(request: Request, user: EditorDep, session: SessionDep, ok: str = "") -> Response:
    return render(request, "handover_queue.html", {"threads": handover.open_threads(session),
                                                   "flashes": _flashes(ok)})


def _thread_page(request: Request, session: SessionDep, thread_id: int, *, flashes: list[tuple[str, str]],
                 draft: str = "", status_code: int = 200) -> Response:
    try:
        view = handover.thread_view(session, thread_id)
    except handover.ThreadNotFound as exc:
        raise HTTPException(404, "no such handover thread") from exc
    procedure = (crud.find_procedure(session, code=view.thread.active_procedure)
                 if view.thread.active_procedure else None)
    return render(request, "handover_thread.html", {
        "view": view, "procedure": procedure, "flashes": flashes, "draft": draft,
        "messages": handover.thread_messages(session, thread_id)}, status_code=status_code)


@router.get("/admin/handover/{thread_id}")
def handover_thread(request: Request, user: EditorDep, session: SessionDep, thread_id: RowIdPath,
                    ok: str = "") -> Response:
    return _thread_page(request, session, thread_id, flashes=_flashes(ok))


@router.post("/admin/handover/{thread_id}/take")
def take_thread(user: EditorDep, _csrf: CsrfDep, state: StateDep, thread_id: RowIdPath) -> Response:
    try:
        with session_scope(state.session_factory) as write:
            handover.take(write, thread_id=thread_id, clerk=user.username)
    except handover.ThreadNotFound as exc:
        raise HTTPException(404, "no such handover thread") from exc
    except handover.ThreadClosed:
        return _see_other(f"/admin/handover/{thread_id}")
    return _see_other(f"/admin/handover/{thread_id}?ok=taken")


@router.post("/admin/handover/{thread_id}/reply")
async def reply(request: Request, user: EditorDep, _csrf: CsrfDep, state: StateDep, session: SessionDep,
                outbox: OutboxDep, thread_id: RowIdPath, text: Annotated[str, Form(max_length=2000)] = "") -> Response:
    try:
        thread = handover.get_thread(session, thread_id)
    except handover.ThreadNotFound as exc:
        raise HTTPException(404, "no such handover thread") from exc
    text = text.strip()
    if not text or thread.status == THREAD_CLOSED:
        message = T.HANDOVER_EMPTY_REPLY if not text else T.HANDOVER_CLOSED_ALREADY
        return _thread_page(request, session, thread_id, flashes=[("error", message)], draft=text, status_code=422)
    try:
        await outbox.send(thread.conversation_id, thread.channel, text)
    except ChannelSendError as exc:
        logger.warning("handover: reply to conversation %s on %s failed: %s", thread.conversation_id,
                       thread.channel, exc)
        return _thread_page(request, session, thread_id, draft=text, status_code=502,
                            flashes=[("error", T.HANDOVER_SEND_FAILED.format(detail=thread.channel))])
    with session_scope(state.session_factory) as write:
        handover.record_reply(write, thread_id=thread_id, clerk=user.username, text=text)
    return _see_other(f"/admin/handover/{thread_id}?ok=sent")


@router.post("/admin/handover/{thread_id}/close")
def close_thread(user: EditorDep, _csrf: CsrfDep, state: StateDep, thread_id: RowIdPath) -> Response:
    try:
        with session_scope(state.session_factory) as write:
            handover.close(write, thread_id=thread_id, clerk=user.username)
    except handover.ThreadNotFound as exc:
        raise HTTPException(404, "no such handover thread") from exc
    return _see_other("/admin/handover?ok=closed")


# ---------------------------------------------------------------- dashboard


@router.get("/admin/dashboard")
def dashboard(request: Request, user: EditorDep, session: SessionDep, state: StateDep, days: int = 30) -> Response:
    days = min(max(days, 1), 366)
    board = build_dashboard(session, now=datetime.now(UTC), days=days, timezone=state.settings.office_timezone)
    return render(request, "dashboard.html", {"board": board})
