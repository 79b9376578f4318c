"""Console routes of the printable kit: one procedure, or a list of codes, as an A4 PDF."""

from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from assistant.deps import SessionDep, SettingsDep
from knowledge import crud
from knowledge.admin import texts_vi as T
from knowledge.admin.auth import EditorDep
from knowledge.admin.kit_pdf import MAX_PROCEDURES, KitFontMissing, find_font, kit_page, render_kit
from knowledge.admin.templating import render

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)
_CODE = re.compile(r"^[0-9A-Za-z.\-_]{1,32}$")


@router.get("/admin/kit")
def kit_form(request: Request, user: EditorDep, codes: Annotated[str, Query(max_length=20_000)] = "") -> Response:
    return render(request, "kit.html", {"codes": codes, "error": "", "max": MAX_PROCEDURES})


@router.get("/admin/kit.pdf")
def kit_pdf(request: Request, user: EditorDep, session: SessionDep, settings: SettingsDep,
            codes: Annotated[str, Query(max_length=20_000)] = "") -> Response:
    wanted = list(dict.fromkeys(part for part in re.split(r"[\s,;]+", codes) if part))
    error = ""
    if not wanted:
        error = T.KIT_NO_CODES
    elif len(wanted) > MAX_PROCEDURES:
        error = T.KIT_TOO_MANY.format(n=MAX_PROCEDURES)
    else:
        unknown = [code for code in wanted if not _CODE.match(code) or crud.find_procedure(session, code=code) is None]
        if unknown:
            error = T.KIT_UNKNOWN_CODES.format(codes=", ".join(unknown[:20]))
    if error:
        return render(request, "kit.html", {"codes": codes, "error": error, "max": MAX_PROCEDURES}, status_code=422)
    return _pdf(request, session, settings, wanted)


@router.get("/admin/procedures/{code}/kit.pdf")
def procedure_kit_pdf(request: Request, code: Annotated[str, Path(pattern=r"^[0-9A-Za-z.\-_]{1,32}$")],
                      user: EditorDep, session: SessionDep, settings: SettingsDep) -> Response:
    return kit_pdf(request, user, session, settings, codes=code)


def _pdf(request: Request, session: SessionDep, settings: SettingsDep, codes: list[str]) -> Response:
    try:
        font = find_font(settings.pdf_font_path)
    except KitFontMissing as exc:
        logger.error("printable kit: %s", exc)
        return render(request, "kit.html", {"codes": "\n".join(codes), "max": MAX_PROCEDURES,
                                            "error": T.KIT_FONT_MISSING.format(detail=str(exc))}, status_code=503)
    pages = [kit_page(crud.to_public(crud.get_procedure(session, code=code)), settings.public_base_url)
             for code in codes]
    filename = f"to-qr-{codes[0]}.pdf" if len(codes) == 1 else f"to-qr-{len(codes)}-thu-tuc.pdf"
    return Response(render_kit(pages, font), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})
