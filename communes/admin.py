"""Staff console area `/admin/service-centers`: list the directory and edit one center (any signed-in clerk).

Opening hours are edited as lines such as "T2-T6 07:30-11:30" or "T7 07:30-11:30" (CN = Sunday); the same
validation as the API (`ServiceCenterData`) applies, and errors are shown on the form, never half-saved.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from assistant.db import session_scope
from assistant.deps import StateDep
from communes import directory
from communes.errors import ServiceCenterNotFound
from communes.schemas import CenterLevel, OpeningPeriod
from knowledge.admin.auth import CsrfDep, EditorDep
from knowledge.admin.templating import render

router = APIRouter(tags=["admin"])

_DAY = {"t2": 0, "t3": 1, "t4": 2, "t5": 3, "t6": 4, "t7": 5, "cn": 6}
_LINE = re.compile(r"^(t[2-7]|cn)(?:\s*-\s*(t[2-7]|cn))?\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$")
_CODES = re.compile(r"[\s,;]+")


def hours_to_lines(periods: list[OpeningPeriod]) -> str:
    names = {v: k.upper() if k != "cn" else "CN" for k, v in _DAY.items()}
    lines = []
    for p in periods:
        days = names[p.first_day] if p.first_day == p.last_day else f"{names[p.first_day]}-{names[p.last_day]}"
        lines.append(f"{days} {p.opens}-{p.closes}")
    return "\n".join(lines)


def lines_to_hours(text: str) -> list[OpeningPeriod]:
    """Parse the textarea; raises ValueError naming the line that is not understood."""
    periods = []
    for raw in text.splitlines():
        line = raw.strip().lower()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"Dòng giờ làm việc \"{raw.strip()}\" không đúng mẫu \"T2-T6 07:30-11:30\".")
        first = _DAY[match.group(1)]
        last = _DAY[match.group(2)] if match.group(2) else first
        try:
            periods.append(OpeningPeriod(first_day=first, last_day=last, opens=match.group(3),
                                         closes=match.group(4)))
        except ValidationError as exc:
            raise ValueError(f"Dòng giờ làm việc \"{raw.strip()}\": {exc.errors()[0]['msg']}") from exc
    return periods


@router.get("/admin/service-centers")
def list_page(request: Request, user: EditorDep, state: StateDep, province: str = "") -> Response:
    with session_scope(state.session_factory) as session:
        centers = [directory.to_public(r) for r in directory.list_centers(session, province_code=province or None)]
    return render(request, "service_centers_list.html", {"centers": centers, "province": province})


def _load(state: StateDep, center_id: int) -> directory.ServiceCenterPublic:
    with session_scope(state.session_factory) as session:
        try:
            return directory.to_public(directory.get_center(session, center_id=center_id))
        except ServiceCenterNotFound as exc:
            raise HTTPException(404, str(exc)) from exc


@router.get("/admin/service-centers/{center_id}")
def edit_page(request: Request, user: EditorDep, state: StateDep, center_id: int) -> Response:
    center = _load(state, center_id)
    return render(request, "service_center_edit.html",
                  {"center": center, "hours": hours_to_lines(center.opening_hours), "error": ""})


@router.post("/admin/service-centers/{center_id}")
def save(
    request: Request, user: EditorDep, _csrf: CsrfDep, state: StateDep, center_id: int,
    name: Annotated[str, Form(max_length=255)] = "", address: Annotated[str, Form(max_length=500)] = "",
    phone: Annotated[str, Form(max_length=64)] = "", map_url: Annotated[str, Form(max_length=500)] = "",
    hours: Annotated[str, Form(max_length=2000)] = "",
    receives_levels: Annotated[list[str] | None, Form()] = None,
    accepts_codes: Annotated[str, Form(max_length=2000)] = "",
    refuses_codes: Annotated[str, Form(max_length=2000)] = "",
    sample_data: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    center = _load(state, center_id)
    try:
        values = center.model_dump(exclude={"id", "opening_hours_text", "updated_at"})
        values.update(name=name.strip(), address=address.strip(), phone=phone, map_url=map_url,
                      opening_hours=lines_to_hours(hours),
                      receives_levels=[CenterLevel(v) for v in receives_levels or []],
                      accepts_codes=[c for c in _CODES.split(accepts_codes) if c],
                      refuses_codes=[c for c in _CODES.split(refuses_codes) if c], sample_data=bool(sample_data))
        data = directory.ServiceCenterData.model_validate(values)
    except (ValueError, ValidationError) as exc:
        message = "; ".join(e["msg"] for e in exc.errors()) if isinstance(exc, ValidationError) else str(exc)
        return render(request, "service_center_edit.html",
                      {"center": center, "hours": hours, "error": message}, status_code=422)
    with session_scope(state.session_factory) as session:
        directory.update_center(session, center_id=center_id, data=data, author=user.username)
    return RedirectResponse(f"/admin/service-centers?province={center.province_code}", status_code=303)
