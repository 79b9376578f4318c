"""Console routes of bulk work: export, dry-run check of an upload, and the all-or-nothing import."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from assistant.db import session_scope
from assistant.deps import SessionDep, StateDep
from knowledge import crud
from knowledge.admin import texts_vi as T
from knowledge.admin.auth import CsrfDep, EditorDep, PublisherDep
from knowledge.admin.bulk import BulkFileError, DryRun, apply, dry_run, export_csv, export_xlsx, read_table
from knowledge.admin.procedures import reindex
from knowledge.admin.templating import render
from knowledge.errors import StaleEdit

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/admin/bulk")
def bulk_page(request: Request, user: EditorDep, ok: str = "") -> Response:
    return render(request, "bulk.html", {"report": None, "error": "",
                                         "flashes": [("ok", T.FLASHES[ok])] if ok in T.FLASHES else []})


@router.get("/admin/bulk/export.xlsx")
def export_procedures_xlsx(user: EditorDep, session: SessionDep) -> Response:
    return Response(export_xlsx(crud.all_procedures(session)), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="thu-tuc.xlsx"'})


@router.get("/admin/bulk/export.csv")
def export_procedures_csv(user: EditorDep, session: SessionDep) -> Response:
    return Response(export_csv(crud.all_procedures(session)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="thu-tuc.csv"'})


def _check(session: SessionDep, data: bytes, filename: str) -> DryRun:
    return dry_run(session, read_table(data, filename))


@router.post("/admin/bulk/dry-run")
async def bulk_dry_run(request: Request, user: EditorDep, _csrf: CsrfDep, session: SessionDep,
                       file: Annotated[UploadFile, File()]) -> Response:
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    filename = file.filename or ""
    try:
        if len(data) > MAX_UPLOAD_BYTES:
            raise BulkFileError(T.BULK_TOO_MANY.format(n="10 MB"))
        report = _check(session, data, filename)
    except BulkFileError as exc:
        return render(request, "bulk.html", {"report": None, "error": exc.message}, status_code=422)
    return render(request, "bulk.html", {
        "report": report, "error": "", "payload": base64.b64encode(data).decode("ascii"), "filename": filename,
        "versions": json.dumps(report.versions),
    })


@router.post("/admin/bulk/apply")
def bulk_apply(request: Request, user: PublisherDep, _csrf: CsrfDep, state: StateDep, session: SessionDep,
               payload: Annotated[str, Form()], filename: Annotated[str, Form(max_length=255)],
               versions: Annotated[str, Form(max_length=1_000_000)]) -> Response:
    try:
        data = base64.b64decode(payload, validate=True)
        seen = {str(k): int(v) for k, v in json.loads(versions).items()}
        report = _check(session, data, filename)
    except (binascii.Error, ValueError, AttributeError) as exc:
        message = exc.message if isinstance(exc, BulkFileError) else T.BULK_FILE_CHANGED
        return render(request, "bulk.html", {"report": None, "error": message}, status_code=422)
    if report.rejected:
        return render(request, "bulk.html", {"report": report, "error": T.BULK_FIX_FIRST}, status_code=422)
    moved = [code for code, version in report.versions.items() if seen.get(code) != version]
    if moved or set(seen) != set(report.versions):
        return render(request, "bulk.html", {"report": None, "error": T.BULK_STALE.format(code=", ".join(moved))},
                      status_code=409)
    try:
        with session_scope(state.session_factory) as write:
            changed = apply(write, report, author=user.username)
    except StaleEdit as exc:
        return render(request, "bulk.html", {"report": None, "error": T.BULK_STALE.format(code=exc.code)},
                      status_code=409)
    reindex(state.search, changed)
    logger.info("bulk import by %s changed %d procedures", user.username, len(changed))
    return RedirectResponse("/admin/bulk?ok=imported", status_code=303)
