"""Console routes of bulk work: export, dry-run check of an upload, and the all-or-nothing import.

The dry run keeps the checked file in the database (`knowledge.admin.bulk_uploads`) and the apply form
names it by id, so applying never sends the file through the browser again (a form field is capped at
1 MB; a full export is several). Checking and applying run in worker threads: thousands of rows take
seconds, which must not stall chat on the event loop.
"""

from __future__ import annotations

import logging
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from assistant.db import session_scope
from assistant.deps import SessionDep, StateDep
from knowledge import crud
from knowledge.admin import bulk_uploads
from knowledge.admin import texts_vi as T
from knowledge.admin.auth import CsrfDep, EditorDep, PublisherDep
from knowledge.admin.bulk import BulkFileError, DryRun, apply, dry_run, export_csv, export_xlsx, read_table
from knowledge.admin.procedures import reindex
from knowledge.admin.templating import render
from knowledge.errors import StaleEdit

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
# The largest file the console takes: a full export of the 2,642 bundled procedures is about 22 MB as CSV
# (2.6 MB as XLSX), and must import again. docker/nginx/nginx.conf lets /admin/bulk/ bodies this big, plus the
# multipart framing, through (`client_max_body_size`); tests/deploy/test_proxy_config.py keeps them in step.
MAX_UPLOAD_MB = 32
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
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


@router.post("/admin/bulk/dry-run")
async def bulk_dry_run(request: Request, user: EditorDep, _csrf: CsrfDep, state: StateDep,
                       file: Annotated[UploadFile, File()]) -> Response:
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    filename = file.filename or ""

    def check_and_keep() -> tuple[DryRun, str]:
        with session_scope(state.session_factory) as session:
            report = dry_run(session, read_table(data, filename))
            if not (report.changes and not report.rejected and user.is_publisher):
                return report, ""
            return report, bulk_uploads.keep(session, username=user.username, filename=filename, data=data,
                                             versions=report.versions)

    try:
        if len(data) > MAX_UPLOAD_BYTES:
            raise BulkFileError(T.BULK_TOO_MANY.format(n=f"{MAX_UPLOAD_MB} MB"))
        report, upload_id = await anyio.to_thread.run_sync(check_and_keep)
    except BulkFileError as exc:
        return render(request, "bulk.html", {"report": None, "error": exc.message}, status_code=422)
    return render(request, "bulk.html", {"report": report, "error": "", "upload_id": upload_id})


@router.post("/admin/bulk/apply")
def bulk_apply(request: Request, user: PublisherDep, _csrf: CsrfDep, state: StateDep, session: SessionDep,
               upload_id: Annotated[str, Form(max_length=64)]) -> Response:
    upload = bulk_uploads.find(session, upload_id=upload_id, username=user.username)
    if upload is None:
        return render(request, "bulk.html", {"report": None, "error": T.BULK_UPLOAD_GONE}, status_code=409)
    seen = {str(code): int(version) for code, version in upload.versions.items()}
    try:
        report = dry_run(session, read_table(upload.data, upload.filename))
    except BulkFileError as exc:
        return render(request, "bulk.html", {"report": None, "error": exc.message}, status_code=422)
    if report.rejected:
        return render(request, "bulk.html", {"report": report, "error": T.BULK_FIX_FIRST}, status_code=422)
    moved = [code for code, version in report.versions.items() if seen.get(code) != version]
    if moved or set(seen) != set(report.versions):
        return render(request, "bulk.html", {"report": None, "error": T.BULK_STALE.format(code=", ".join(moved))},
                      status_code=409)
    try:
        with session_scope(state.session_factory) as write:
            changed = apply(write, report, author=user.username)
            bulk_uploads.discard(write, upload_id=upload_id)
    except StaleEdit as exc:
        return render(request, "bulk.html", {"report": None, "error": T.BULK_STALE.format(code=exc.code)},
                      status_code=409)
    reindex(state.search, changed)
    logger.info("bulk import by %s changed %d procedures", user.username, len(changed))
    return RedirectResponse("/admin/bulk?ok=imported", status_code=303)
