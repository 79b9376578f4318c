"""Staff console area `/admin/service-centers`: list the directory, add, edit and remove centers.

Any signed-in clerk may add or edit a center, so a commune missing from the sample directory can put itself in;
removing one is for publishers only, because citizens of that commune then get no center address at all.
Opening hours are edited as lines such as "T2-T6 07:30-11:30" or "T7 07:30-11:30" (CN = Sunday); the same
validation as the API (`ServiceCenterData`) applies, and errors are shown on the form, never half-saved.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from assistant.db import session_scope
from assistant.deps import RowIdPath, StateDep
from assistant.routes.communes import MAX_ADDRESS_CHARS, ResolverDep
from communes import directory
from communes.errors import ServiceCenterNotFound
from communes.resolver import AddressResolver, Province, Status
from communes.schemas import CenterLevel, OpeningPeriod
from communes.texts_vi import COMMUNE_CENTER_OF, PROVINCE_CENTER_OF
from knowledge.admin import texts_vi as T
from knowledge.admin.auth import CsrfDep, EditorDep, PublisherDep
from knowledge.admin.templating import render

logger = logging.getLogger(__name__)

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
def list_page(request: Request, user: EditorDep, state: StateDep, province: str = "", deleted: str = "") -> Response:
    with session_scope(state.session_factory) as session:
        centers = [directory.to_public(r) for r in directory.list_centers(session, province_code=province or None)]
    return render(request, "service_centers_list.html",
                  {"centers": centers, "province": province, "flashes": [("ok", T.CENTER_DELETED)] if deleted else []})


class PlaceError(ValueError):
    """The typed place does not name exactly one commune (or province); `choices` lists what it might be."""

    def __init__(self, message: str, choices: list[str] | None = None) -> None:
        super().__init__(message)
        self.choices = choices or []


@dataclass(frozen=True)
class Place:
    """The commune (or, for a province center, only the province) a new center serves."""

    province_code: str
    province_name: str
    commune_code: str | None = None
    commune_name: str = ""


def place_of(resolver: AddressResolver, text: str, level: CenterLevel) -> Place:
    """Resolve the clerk's free-text place with the citizens' resolver, so old and new names both work.

    Raises PlaceError with a Vietnamese message when the text names nothing, or several places.
    """
    query = " ".join(text.split())
    if not query:
        raise PlaceError(T.CENTER_PLACE_EMPTY)
    resolution = resolver.resolve(query)
    if level is CenterLevel.PROVINCE:
        provinces: dict[str, Province] = {c.commune.province.code: c.commune.province for c in resolution.candidates}
        province = resolution.province or (next(iter(provinces.values())) if len(provinces) == 1 else None)
        if province is not None:
            return Place(province.code, province.name)
        if provinces:
            raise PlaceError(T.CENTER_PLACE_AMBIGUOUS.format(query=query), [p.name for p in provinces.values()])
        raise PlaceError(T.CENTER_PLACE_UNKNOWN.format(query=query))
    if resolution.status is Status.RESOLVED:
        commune = resolution.candidates[0].commune
        return Place(commune.province.code, commune.province.name, commune.code, commune.name)
    if resolution.status is Status.AMBIGUOUS:
        choices = []
        for candidate in resolution.candidates:
            choice = f"{candidate.commune.name}, {candidate.commune.province.name}"
            old = candidate.matched_old
            if old is not None and old.name != candidate.commune.name:
                choice += f" (trước: {old.full_name})"
            choices.append(choice)
        if resolution.truncated:
            choices.append(T.CENTER_PLACE_MORE.format(count=resolution.truncated))
        raise PlaceError(T.CENTER_PLACE_AMBIGUOUS.format(query=query), choices)
    if resolution.reason == "no_commune" and resolution.province is not None:
        raise PlaceError(T.CENTER_PLACE_NO_COMMUNE.format(query=query, province=resolution.province.name))
    raise PlaceError(T.CENTER_PLACE_UNKNOWN.format(query=query))


class CenterFields(BaseModel):
    """The edit form's fields, kept as typed so a refused form comes back filled in."""

    name: str = Field(default="", max_length=255)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=64)
    map_url: str = Field(default="", max_length=500)
    hours: str = Field(default="", max_length=2000)
    receives_levels: list[Annotated[str, Field(max_length=16)]] = Field(default_factory=list, max_length=4)
    accepts_codes: str = Field(default="", max_length=2000)
    refuses_codes: str = Field(default="", max_length=2000)
    sample_data: str = Field(default="", max_length=8)  # a ticked checkbox sends "1"

    @classmethod
    def of(cls, center: directory.ServiceCenterPublic) -> CenterFields:
        """The form as it opens on a stored center."""
        return cls(name=center.name, address=center.address, phone=center.phone, map_url=center.map_url,
                   hours=hours_to_lines(center.opening_hours),
                   receives_levels=[level.value for level in center.receives_levels],
                   accepts_codes=", ".join(center.accepts_codes), refuses_codes=", ".join(center.refuses_codes),
                   sample_data="1" if center.sample_data else "")

    def values(self) -> dict[str, Any]:
        """The `ServiceCenterData` values these fields set (raises ValueError for unreadable hours or levels)."""
        return {"name": self.name.strip(), "address": self.address.strip(), "phone": self.phone,
                "map_url": self.map_url, "opening_hours": lines_to_hours(self.hours),
                "receives_levels": [CenterLevel(v) for v in self.receives_levels],
                "accepts_codes": [c for c in _CODES.split(self.accepts_codes) if c],
                "refuses_codes": [c for c in _CODES.split(self.refuses_codes) if c],
                "sample_data": bool(self.sample_data)}


class NewCenterFields(CenterFields):
    """The new-center form: the edit fields plus the place the center serves and its level."""

    place: str = Field(default="", max_length=MAX_ADDRESS_CHARS)
    level: str = Field(default="", max_length=16)


def _message(exc: ValueError | ValidationError) -> str:
    """One line per problem, led by the form label of the field it is about."""
    if not isinstance(exc, ValidationError):
        return str(exc)
    lines = []
    for error in exc.errors():
        label = T.CENTER_FIELD_LABELS.get(str(error["loc"][0]) if error["loc"] else "", "")
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{label}: {message}" if label else message)
    return "; ".join(lines)


def _new_form(request: Request, form: NewCenterFields, *, error: str = "", choices: list[str] | None = None,
              existing_id: int | None = None, status_code: int = 200) -> Response:
    return render(request, "service_center_new.html",
                  {"form": form, "error": error, "choices": choices or [], "existing_id": existing_id},
                  status_code=status_code)


def _new_data(form: NewCenterFields, place: Place, level: CenterLevel) -> directory.ServiceCenterData:
    """Validate the form like an edit; a blank name becomes the usual "Trung tâm Phục vụ hành chính công …"."""
    default_name = (COMMUNE_CENTER_OF.format(commune=place.commune_name) if level is CenterLevel.COMMUNE
                    else PROVINCE_CENTER_OF.format(province=place.province_name))
    values = form.values()
    return directory.ServiceCenterData.model_validate({
        **values, "name": values["name"] or default_name, "level": level, "province_code": place.province_code,
        "province_name": place.province_name, "commune_code": place.commune_code,
        "commune_name": place.commune_name})


@router.get("/admin/service-centers/new")
def new_page(request: Request, user: EditorDep) -> Response:
    commune = CenterLevel.COMMUNE.value
    return _new_form(request, NewCenterFields(level=commune, receives_levels=[commune]))


@router.post("/admin/service-centers/new")
def create(request: Request, user: EditorDep, _csrf: CsrfDep, state: StateDep, resolver: ResolverDep,
           form: Annotated[NewCenterFields, Form()]) -> Response:
    try:
        try:
            center_level = CenterLevel(form.level)
        except ValueError:
            raise PlaceError(T.CENTER_LEVEL_INVALID) from None
        where = place_of(resolver, form.place, center_level)
        data = _new_data(form, where, center_level)
    except PlaceError as exc:
        return _new_form(request, form, error=str(exc), choices=exc.choices, status_code=422)
    except (ValueError, ValidationError) as exc:
        return _new_form(request, form, error=_message(exc), status_code=422)
    with session_scope(state.session_factory) as session:
        existing = (directory.commune_center(session, commune_code=where.commune_code) if where.commune_code
                    else directory.province_center(session, province_code=where.province_code))
        existing_id = existing.id if existing is not None else None
        if existing is None:
            directory.create_center(session, data=data, author=user.username)
    if existing_id is not None:
        error = (T.CENTER_EXISTS_COMMUNE.format(commune=where.commune_name, province=where.province_name)
                 if where.commune_code else T.CENTER_EXISTS_PROVINCE.format(province=where.province_name))
        return _new_form(request, form, error=error, existing_id=existing_id, status_code=409)
    logger.info("service center for %s created by %s", where.commune_code or where.province_code, user.username)
    return RedirectResponse(f"/admin/service-centers?province={where.province_code}", status_code=303)


def _load(state: StateDep, center_id: int) -> directory.ServiceCenterPublic:
    with session_scope(state.session_factory) as session:
        try:
            return directory.to_public(directory.get_center(session, center_id=center_id))
        except ServiceCenterNotFound as exc:
            raise HTTPException(404, str(exc)) from exc


def _edit_form(request: Request, center: directory.ServiceCenterPublic, form: CenterFields | None = None, *,
               error: str = "", delete_error: str = "", status_code: int = 200) -> Response:
    """The edit page, with what removing the center would mean for citizens spelled out next to the button."""
    effect = (T.CENTER_DELETE_EFFECT_COMMUNE.format(commune=center.commune_name)
              if center.level is CenterLevel.COMMUNE
              else T.CENTER_DELETE_EFFECT_PROVINCE.format(province=center.province_name))
    return render(request, "service_center_edit.html",
                  {"center": center, "form": form or CenterFields.of(center), "error": error,
                   "delete_error": delete_error,
                   "delete_effect": effect}, status_code=status_code)


@router.get("/admin/service-centers/{center_id}")
def edit_page(request: Request, user: EditorDep, state: StateDep, center_id: RowIdPath) -> Response:
    center = _load(state, center_id)
    return _edit_form(request, center)


@router.post("/admin/service-centers/{center_id}")
def save(request: Request, user: EditorDep, _csrf: CsrfDep, state: StateDep, center_id: RowIdPath,
         form: Annotated[CenterFields, Form()]) -> Response:
    center = _load(state, center_id)
    try:
        values = center.model_dump(exclude={"id", "opening_hours_text", "updated_at"})
        data = directory.ServiceCenterData.model_validate({**values, **form.values()})
    except (ValueError, ValidationError) as exc:
        return _edit_form(request, center, form, error=_message(exc), status_code=422)
    with session_scope(state.session_factory) as session:
        directory.update_center(session, center_id=center_id, data=data, author=user.username)
    return RedirectResponse(f"/admin/service-centers?province={center.province_code}", status_code=303)


@router.post("/admin/service-centers/{center_id}/delete")
def delete(request: Request, user: PublisherDep, _csrf: CsrfDep, state: StateDep, center_id: RowIdPath,
           confirm: Annotated[str, Form(max_length=8)] = "") -> Response:
    """Remove a center once the publisher ticked "Tôi chắc chắn"; without the tick nothing happens."""
    center = _load(state, center_id)
    if not confirm:
        return _edit_form(request, center, delete_error=T.CENTER_DELETE_NOT_CONFIRMED, status_code=422)
    with session_scope(state.session_factory) as session:
        try:
            directory.delete_center(session, center_id=center_id)
        except ServiceCenterNotFound as exc:  # removed by someone else meanwhile
            raise HTTPException(404, str(exc)) from exc
    logger.info("service center %s deleted by %s", center_id, user.username)
    return RedirectResponse(f"/admin/service-centers?province={center.province_code}&deleted=1", status_code=303)
