"""`/api/communes/resolve` (which new commune, which center, where to file) and `/api/service-centers`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel

from assistant.deps import SessionDep
from assistant.routes.budgets import resolve_budget
from communes import directory
from communes import texts_vi as T
from communes.resolver import AddressResolver, default_resolver
from communes.schemas import CenterLevel, ServiceCenterPublic
from communes.service import resolve_answer

router = APIRouter(tags=["communes"])

MAX_ADDRESS_CHARS = 300


def get_resolver() -> AddressResolver:
    """The address resolver; tests may swap it through `app.dependency_overrides`."""
    return default_resolver()


ResolverDep = Annotated[AddressResolver, Depends(get_resolver)]


class CandidateOut(BaseModel):
    id: str
    name: str
    province: str
    old_units: list[str]
    service_center: ServiceCenterPublic | None


class ChoiceOut(BaseModel):
    title: str
    address: str


class ResolveOut(BaseModel):
    status: str
    query: str
    candidates: list[CandidateOut]
    filing: dict[str, Any] | None
    text: str
    choices: list[ChoiceOut]


@router.get("/api/communes/resolve", response_model=ResolveOut, dependencies=[Depends(resolve_budget)],
            responses={429: {"description": "Too many resolutions from this address, or from everyone."}})
def resolve(
    session: SessionDep,
    resolver: ResolverDep,
    address: Annotated[str, Query(description="Old or new address, possibly inside a sentence.")] = "",
    procedure: Annotated[str | None, Query(max_length=32, pattern=r"^[0-9A-Za-z.\-_]+$",
                                           description="Procedure code: also say where it is filed.")] = None,
) -> dict[str, Any]:
    text = address.strip()
    if not text:
        raise HTTPException(422, {"code": "empty_address", "message": T.EMPTY_ADDRESS})
    if len(text) > MAX_ADDRESS_CHARS:
        raise HTTPException(422, {"code": "address_too_long", "message": T.TOO_LONG_ADDRESS})
    return resolve_answer(session, resolver, address=text, procedure_code=procedure)


@router.get("/api/service-centers", response_model=list[ServiceCenterPublic])
def service_centers(
    session: SessionDep,
    province: Annotated[str | None, Query(max_length=8, description="Province code, e.g. 08.")] = None,
    commune: Annotated[str | None, Query(max_length=8, description="Commune code, e.g. 00925.")] = None,
    level: CenterLevel | None = None,
) -> list[ServiceCenterPublic]:
    rows = directory.list_centers(session, province_code=province, commune_code=commune, level=level)
    return [directory.to_public(row) for row in rows]
