"""`/api/dossiers`: parse a dossier code, look a dossier up, subscribe to its changes, read queued notices.

Request bodies are read by hand rather than by a pydantic parameter: FastAPI's default 422 echoes the
offending input, and here the input may be a phone or ID number. Every error body is fixed text.

Lookups, subscriptions and notices spend from the caller's budgets (per client address, or per
conversation for the action server, and global; `abuse_limits.lookup_budgets`) together with the
failure budgets of the code and the sender, in one atomic step (`dossiers.lookup`).
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from assistant import abuse_limits
from assistant.deps import RateLimiterDep, SettingsDep, StateDep
from assistant.rate_limit import Budget
from dossiers import texts_vi
from dossiers.codes import MalformedDossierCode, find_code
from dossiers.lookup import DossierLookup, DossierNotFound, LookupRateLimited
from dossiers.sources import DossierSourceUnavailable
from dossiers.sources.factory import build_source
from dossiers.verification import MalformedVerification

router = APIRouter(prefix="/api/dossiers", tags=["dossiers"])

_SENDER = re.compile(r"^[A-Za-z0-9_.:@\-]{1,160}$")
_CHANNEL = re.compile(r"^[a-z]{2,16}$")
MAX_BODY_BYTES = 4096


class ParseCodeIn(BaseModel):
    text: str


class LookupIn(BaseModel):
    code: str
    verification: str
    sender_id: str


class SubscriptionIn(LookupIn):
    channel: str


def get_lookup(state: StateDep, limiter: RateLimiterDep) -> DossierLookup:
    settings = state.settings
    return DossierLookup(source=build_source(settings, state.session_factory, state.http),
                         factory=state.session_factory, limiter=limiter,
                         pepper=settings.dossier_pepper.get_secret_value(),
                         max_failures=settings.dossier_max_failed_lookups,
                         window_s=settings.dossier_failed_lookup_window_s)


LookupDep = Annotated[DossierLookup, Depends(get_lookup)]


def _error(status: int, code: str, message: str, **extra: Any) -> HTTPException:
    return HTTPException(status, {"code": code, "message": message, **extra})


NOT_FOUND = {"code": "not_found", "message": texts_vi.NOT_FOUND}


async def _body(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    raw = await request.body()
    try:
        data = json.loads(raw) if len(raw) <= MAX_BODY_BYTES else None
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested deeper than the parser goes
        data = None
    if not isinstance(data, dict) or not all(isinstance(data.get(f), str | int) for f in fields):
        raise _error(422, "invalid_request", texts_vi.INVALID_REQUEST)
    return {f: str(data[f]) for f in fields}


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


async def _guarded(call: Any) -> Any:
    try:
        return await call
    except MalformedDossierCode as exc:
        raise _error(422, "malformed_code", exc.message_vi) from None
    except MalformedVerification:
        raise _error(422, "malformed_verification", texts_vi.MALFORMED_VERIFICATION) from None
    except LookupRateLimited as exc:
        minutes = max(1, -(-exc.retry_after_s // 60))
        raise _error(429, "rate_limited", texts_vi.RATE_LIMITED.format(minutes=minutes),
                     retry_after_s=exc.retry_after_s) from None
    except DossierNotFound:
        raise HTTPException(404, NOT_FOUND) from None
    except DossierSourceUnavailable:
        raise _error(503, "source_unavailable", texts_vi.SOURCE_UNAVAILABLE) from None


def _check_sender(sender_id: str) -> None:
    if not _SENDER.fullmatch(sender_id):
        raise _error(422, "invalid_request", texts_vi.INVALID_REQUEST)


def _budgets(request: Request, settings: SettingsDep, sender_id: str) -> list[Budget]:
    return abuse_limits.lookup_budgets(
        "dossier", request, settings, per_address=settings.rate_limit_dossier_per_ip,
        overall=settings.rate_limit_dossier_global, window_s=settings.dossier_failed_lookup_window_s,
        conversation=sender_id)


@router.post("/parse-code", openapi_extra=_schema(ParseCodeIn))
async def parse_code(request: Request) -> dict[str, str]:
    body = await _body(request, ("text",))
    try:
        return {"code": str(find_code(body["text"]))}
    except MalformedDossierCode as exc:
        raise _error(422, "malformed_code", exc.message_vi) from None


@router.post("/lookup", openapi_extra=_schema(LookupIn))
async def lookup(request: Request, service: LookupDep, settings: SettingsDep) -> dict[str, Any]:
    body = await _body(request, ("code", "verification", "sender_id"))
    _check_sender(body["sender_id"])
    view = await _guarded(service.lookup(body["code"], body["verification"], body["sender_id"],
                                         _budgets(request, settings, body["sender_id"])))
    return dataclasses.asdict(view)


@router.post("/subscriptions", status_code=201, openapi_extra=_schema(SubscriptionIn))
async def subscribe(request: Request, service: LookupDep, settings: SettingsDep) -> JSONResponse:
    body = await _body(request, ("code", "verification", "sender_id", "channel"))
    _check_sender(body["sender_id"])
    if not _CHANNEL.fullmatch(body["channel"]):
        raise _error(422, "invalid_request", texts_vi.INVALID_REQUEST)
    text = await _guarded(service.subscribe(body["code"], body["verification"], body["sender_id"],
                                            body["channel"], _budgets(request, settings, body["sender_id"])))
    return JSONResponse({"text": text}, status_code=201)


@router.post("/notifications", openapi_extra=_schema(LookupIn))
async def notifications(request: Request, service: LookupDep,
                        settings: SettingsDep) -> dict[str, list[dict[str, Any]]]:
    """Queued and sent status-change messages of one conversation about one dossier (what the outbox
    delivers, or will), behind the same verification and budgets as a lookup."""
    body = await _body(request, ("code", "verification", "sender_id"))
    _check_sender(body["sender_id"])
    found = await _guarded(service.notifications(body["code"], body["verification"], body["sender_id"],
                                                 _budgets(request, settings, body["sender_id"])))
    return {"notifications": found}
