"""Console pages for procedures: list and filter, edit (draft, preview, publish), history and restore.

Publishing and restoring write a revision through `knowledge.crud` and then re-index that procedure
through the app's `SearchService`, so the very next citizen question is answered from the new content.
"""

from __future__ import annotations

import logging
import math
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db import session_scope
from assistant.deps import RowIdPath, SessionDep, StateDep
from assistant.errors import IndexNotReady
from assistant.search_service import SearchService
from index.normalize import folded_text
from index.store import IndexStoreError
from knowledge import crud
from knowledge.admin import texts_vi as T
from knowledge.admin.auth import CsrfDep, EditorDep, PublisherDep, StaffUser
from knowledge.admin.diff import diff_fields
from knowledge.admin.drafts import StaleDraft, Versions, discard_draft, draft_codes, get_draft, publish, save_draft
from knowledge.admin.procedure_form import ROW_FIELDS, FormState, form_from_content, form_from_submission, parse_form
from knowledge.admin.templating import render
from knowledge.answers import TOPICS, render_answer
from knowledge.crud import CONTENT_FIELDS, ImportOutcome
from knowledge.errors import ProcedureNotFound, RevisionNotFound, StaleEdit
from knowledge.models import Procedure
from knowledge.schemas import ProcedureBase, ProcedurePublic

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/admin/procedures", tags=["admin"])

CodePath = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z.\-_]+$")]
PAGE_SIZE = 50


def reindex(search: SearchService, codes: list[str]) -> bool:
    """Re-embed `codes` now; False (logged) when that cannot happen now.

    The database change is already committed either way: an index that is not loaded yet, or a shared
    index version that cannot be read at this moment, only delays search, and the page says so.
    """
    if not codes:
        return True
    try:
        search.reindex(codes)
    except IndexNotReady:
        logger.warning("index not ready; procedures %s will be searchable after the next index load", codes)
        return False
    except IndexStoreError:
        logger.exception("index: re-indexing %s failed; they will be searchable after the next index build",
                         codes)
        return False
    return True


def list_rows(session: Session, *, q: str = "", field: str = "", level: str = "", review: bool = False,
              drafts_only: bool = False) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Procedures matching the filters (diacritics optional in `q`), and the fields and levels to offer."""
    stmt = select(Procedure.code, Procedure.name, Procedure.field, Procedure.levels, Procedure.review_flags,
                  Procedure.updated_at).order_by(Procedure.code)
    rows = session.execute(stmt).all()
    with_drafts = draft_codes(session)
    fields = sorted({row.field for row in rows if row.field})
    levels = sorted({lvl for row in rows for lvl in (row.levels or [])})
    needle = folded_text(q.strip()) if q.strip() else ""
    result = []
    for row in rows:
        if field and row.field != field:
            continue
        if level and level not in (row.levels or []):
            continue
        if review and not row.review_flags:
            continue
        if drafts_only and row.code not in with_drafts:
            continue
        if needle and needle not in folded_text(f"{row.code} {row.name}"):
            continue
        result.append({"code": row.code, "name": row.name, "field": row.field, "levels": list(row.levels or []),
                       "needs_review": sorted(row.review_flags or {}), "has_draft": row.code in with_drafts,
                       # Shown on hover: what the importer doubted in each field, so a clerk knows where to look.
                       "review_reasons": [f"{name}: {reason}"
                                          for name, reason in sorted((row.review_flags or {}).items())],
                       "updated_at": row.updated_at})
    return result, fields, levels


@router.get("/admin/procedures")
def procedures_page(
    request: Request, user: EditorDep, session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "", field: Annotated[str, Query(max_length=255)] = "",
    level: Annotated[str, Query(max_length=100)] = "", review: bool = False, drafts: bool = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1, ok: str = "",
) -> Response:
    rows, fields, levels = list_rows(session, q=q, field=field, level=level, review=review, drafts_only=drafts)
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(page, pages)
    return render(request, "procedures_list.html", {
        "rows": rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], "total": len(rows), "page": page, "pages": pages,
        "fields": fields, "levels": levels,
        "filters": {"q": q, "field": field, "level": level, "review": review, "drafts": drafts},
        "flashes": _flashes(ok),
    })


@api.get("")
def procedures_api(user: EditorDep, session: SessionDep, q: Annotated[str, Query(max_length=200)] = "",
                   field: str = "", level: str = "", review: bool = False) -> dict[str, Any]:
    rows, _, _ = list_rows(session, q=q, field=field, level=level, review=review)
    for row in rows:
        row["updated_at"] = row["updated_at"].isoformat() if row["updated_at"] else ""
    return {"total": len(rows), "procedures": rows}


@api.get("/{code}")
def procedure_api(code: CodePath, user: EditorDep, session: SessionDep) -> dict[str, Any]:
    row = _procedure_or_404(session, code)
    draft = get_draft(session, code=code)
    return {"code": code, "version": row.version, "content": row.content, "review_flags": row.review_flags,
            "draft": None if draft is None else {"content": draft.content, "author": draft.author,
                                                 "draft_version": draft.draft_version}}


@router.get("/admin/procedures/{code}")
def edit_page(request: Request, code: CodePath, user: EditorDep, session: SessionDep, ok: str = "") -> Response:
    row = _procedure_or_404(session, code)
    draft = get_draft(session, code=code)
    content = ProcedureBase.model_validate(draft.content if draft is not None else row.content)
    state = form_from_content(content)
    versions = Versions(row.version, draft.draft_version if draft is not None else 0)
    return _edit(request, session, row, state, versions, draft_author=draft.author if draft else "",
                 flashes=_flashes(ok))


@router.post("/admin/procedures/{code}")
async def edit_submit(request: Request, code: CodePath, user: EditorDep, _csrf: CsrfDep,
                      state_dep: StateDep) -> Response:
    form = await request.form()
    action = str(form.get("action", "save_draft"))
    state = form_from_submission(code, form)
    opened = Versions(_form_int(form.get("version")), _form_int(form.get("draft_version")))
    factory = state_dep.session_factory
    if action.startswith("add_") and action.removeprefix("add_") in ROW_FIELDS:
        state.add_row(action.removeprefix("add_"))
        with factory() as session:
            return _edit(request, session, _procedure_or_404(session, code), state, opened)
    if action == "publish" and not user.is_publisher:
        raise HTTPException(403, detail={"code": "publisher_only", "message": T.PUBLISHER_ONLY})
    if action == "discard_draft":
        return _discard(request, code, user, state, opened, state_dep)
    content = parse_form(state)
    with factory() as session:
        row = _procedure_or_404(session, code)
        if content is None:
            return _edit(request, session, row, state, opened, status_code=422,
                         flashes=[("error", T.FORM_HAS_ERRORS.format(n=len(state.errors)))])
        if action == "preview":
            return _edit(request, session, row, state, opened, preview=_preview(row, content))
    try:
        with session_scope(factory) as session:
            if action == "publish":
                change = publish(session, content=content, author=user.username, opened=opened)
            else:
                save_draft(session, content=content, author=user.username, opened=opened)
    except (StaleEdit, StaleDraft) as exc:
        return _stale(request, code, state, opened, exc, factory)
    if action != "publish":
        return RedirectResponse(f"/admin/procedures/{code}?ok=draft_saved", status_code=303)
    if change.outcome is ImportOutcome.UNCHANGED:
        return RedirectResponse(f"/admin/procedures/{code}?ok=nothing_changed", status_code=303)
    indexed = reindex(state_dep.search, [code])
    return RedirectResponse(f"/admin/procedures/{code}?ok={'published' if indexed else 'published_not_indexed'}",
                            status_code=303)


def _discard(request: Request, code: str, user: StaffUser, state: FormState, opened: Versions,
             state_dep: StateDep) -> Response:
    try:
        with session_scope(state_dep.session_factory) as session:
            discard_draft(session, code=code, opened=opened)
    except (StaleEdit, StaleDraft) as exc:
        return _stale(request, code, state, opened, exc, state_dep.session_factory)
    logger.info("draft of procedure %s discarded by %s", code, user.username)
    return RedirectResponse(f"/admin/procedures/{code}?ok=draft_discarded", status_code=303)


def _stale(request: Request, code: str, state: FormState, opened: Versions, exc: Exception,
           factory: Any) -> Response:
    """Refuse a save made on an old copy: show the clerk's text again with a clear message."""
    with factory() as session:
        row = _procedure_or_404(session, code)
        who = getattr(exc, "author", "") or _last_author(row) or T.STALE_SOMEONE
        return _edit(request, session, row, state, opened, status_code=409,
                     flashes=[("error", T.STALE_EDIT.format(who=who))])


def _last_author(row: Procedure) -> str:
    return row.revisions[-1].author if row.revisions else ""


def _preview(row: Procedure, content: ProcedureBase) -> list[tuple[str, list[Any]]]:
    """Every topic's answer, exactly as `knowledge.answers` renders it for the bot."""
    changed = {name for name in CONTENT_FIELDS if row.content.get(name) != content.model_dump(mode="json")[name]}
    public = ProcedurePublic(**content.model_dump(), aliases=[a.text for a in row.aliases],
                             needs_review=sorted(k for k in row.review_flags if k not in changed))
    return [(T.PREVIEW_TOPICS[topic], render_answer(public, topic)) for topic in TOPICS]


def _edit(request: Request, session: Session, row: Procedure, state: FormState, versions: Versions, *,
          draft_author: str = "", preview: list[tuple[str, list[Any]]] | None = None, status_code: int = 200,
          flashes: list[tuple[str, str]] | None = None) -> Response:
    if not draft_author and versions.draft_version:
        draft = get_draft(session, code=row.code)
        draft_author = draft.author if draft is not None else ""
    return render(request, "procedure_edit.html", {
        "row": row, "form": state, "versions": versions, "draft_author": draft_author, "preview": preview,
        "review_flags": row.review_flags or {}, "flashes": flashes or [],
    }, status_code=status_code)


@router.get("/admin/procedures/{code}/history")
def history_page(request: Request, code: CodePath, user: EditorDep, session: SessionDep, ok: str = "") -> Response:
    row = _procedure_or_404(session, code)
    entries = []
    previous: dict[str, Any] = {}
    for revision in row.revisions:
        state = {**revision.snapshot.get("content", {}), "aliases": revision.snapshot.get("aliases", [])}
        entries.append({"revision": revision,
                        "diff": diff_fields(previous, state, (*CONTENT_FIELDS, "aliases")) if previous else [],
                        "first": not previous})
        previous = state
    entries.reverse()
    return render(request, "procedure_history.html", {"row": row, "entries": entries, "flashes": _flashes(ok)})


@router.post("/admin/procedures/{code}/restore/{number}")
def restore(code: CodePath, number: RowIdPath, user: PublisherDep, _csrf: CsrfDep,
            state_dep: StateDep) -> Response:
    try:
        with session_scope(state_dep.session_factory) as session:
            change = crud.restore_revision(session, code=code, number=number, author=user.username)
    except ProcedureNotFound as exc:
        raise HTTPException(404, T.PROCEDURE_NOT_FOUND.format(code=code)) from exc
    except RevisionNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    if change.outcome is ImportOutcome.UNCHANGED:
        return RedirectResponse(f"/admin/procedures/{code}/history?ok=nothing_changed", status_code=303)
    logger.info("procedure %s restored to revision %d by %s", code, number, user.username)
    flash = "published" if reindex(state_dep.search, [code]) else "published_not_indexed"
    return RedirectResponse(f"/admin/procedures/{code}/history?ok={flash}", status_code=303)


def _procedure_or_404(session: Session, code: str) -> Procedure:
    try:
        return crud.get_procedure(session, code=code)
    except ProcedureNotFound as exc:
        raise HTTPException(404, T.PROCEDURE_NOT_FOUND.format(code=code)) from exc


def _form_int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1


def _flashes(key: str) -> list[tuple[str, str]]:
    return [("ok", T.FLASHES[key])] if key in T.FLASHES else []
