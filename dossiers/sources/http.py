"""A provincial dossier system (hệ thống thông tin giải quyết TTHC cấp tỉnh) as a source, over HTTP.

Wire format (what the provincial side implements, or an adapter in front of it):

    GET {ASSISTANT_DOSSIER_HTTP_URL}/dossiers/{code}        Accept: application/json

    200 {"code": "000.00.15.H29-250714-0001",
         "procedure_code": "1.001193", "procedure_name": "Thủ tục đăng ký khai sinh",
         "agency": "UBND xã Yên Thịnh",
         "received_at": "2025-07-14T08:30:00+07:00",          # ISO 8601, with offset
         "due_date": "2025-07-15", "expected_date": null,       # ISO dates; expected = re-scheduled date
         "status": "received|in_process|additions_requested|rejected|ready_for_pickup|returned",
         "history": [{"status": "received", "at": "2025-07-14T08:30:00+07:00", "note": ""}],
         "missing_documents": ["..."], "pickup_place": "..." | null,
         "applicant": {"phone_last4": "1234", "id_last4": "5678"}}
    404 the code is unknown (any body)
    5xx or no answer within ASSISTANT_DOSSIER_HTTP_TIMEOUT_S: retried ASSISTANT_DOSSIER_HTTP_RETRIES times
        with exponential backoff, then the lookup answers 503 "try again later".

`applicant` carries only the last four digits; they are turned into peppered digests here and dropped,
so they are never stored, logged, or passed further.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import httpx

from dossiers.domain import STATUS_VALUES, DossierRecord, DossierStatus, StatusEntry
from dossiers.sources import DossierSourceUnavailable
from dossiers.verification import digest

logger = logging.getLogger(__name__)


class DossierWireError(ValueError):
    """The provincial system answered 200 with a body that does not follow the wire format."""


def _dt(value: Any, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise DossierWireError(f"`{name}` is not an ISO 8601 date-time.") from exc
    if parsed.tzinfo is None:
        raise DossierWireError(f"`{name}` has no UTC offset.")
    return parsed


def _date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise DossierWireError(f"`{name}` is not an ISO date.") from exc


def _status(value: Any) -> DossierStatus:
    if value not in STATUS_VALUES:
        raise DossierWireError(f"Unknown status {value!r}; expected one of {sorted(STATUS_VALUES)}.")
    return DossierStatus(value)


def parse_wire(body: Any, *, code: str, pepper: str) -> DossierRecord:
    """A wire-format body as a record; raises `DossierWireError` on anything off-format."""
    if not isinstance(body, dict):
        raise DossierWireError("The body is not a JSON object.")
    if body.get("code") != code:
        raise DossierWireError("The body is about another dossier code.")
    applicant = body.get("applicant") or {}
    if not isinstance(applicant, dict):
        raise DossierWireError("`applicant` is not an object.")
    digests = frozenset(digest(pepper, code, str(v)) for k in ("phone_last4", "id_last4")
                        if isinstance(v := applicant.get(k), str) and len(v) == 4 and v.isascii() and v.isdigit())
    history = body.get("history") or []
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise DossierWireError("`history` is not a list of objects.")
    missing = body.get("missing_documents") or []
    if not isinstance(missing, list):
        raise DossierWireError("`missing_documents` is not a list.")
    procedure_code = body.get("procedure_code")
    if not isinstance(procedure_code, str) or not procedure_code:
        raise DossierWireError("`procedure_code` is missing.")
    return DossierRecord(
        code=code, procedure_code=procedure_code, procedure_name=str(body.get("procedure_name") or ""),
        agency=str(body.get("agency") or ""), received_at=_dt(body.get("received_at"), "received_at"),
        status=_status(body.get("status")), due_date=_date(body.get("due_date"), "due_date"),
        expected_date=_date(body.get("expected_date"), "expected_date"),
        history=tuple(StatusEntry(_status(h.get("status")), _dt(h.get("at"), "history.at"), str(h.get("note") or ""))
                      for h in history),
        missing_documents=tuple(str(m) for m in missing), pickup_place=body.get("pickup_place") or None,
        verifier_digests=digests, source="http", synthetic=False,
    )


class HttpDossierSource:
    mirrors = True

    def __init__(self, client: httpx.AsyncClient, base_url: str, *, pepper: str, timeout_s: float = 5.0,
                 retries: int = 2, backoff_s: float = 0.25,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._pepper = pepper
        self._timeout = timeout_s
        self._retries = retries
        self._backoff = backoff_s
        self._sleep = sleep

    async def get(self, code: str) -> DossierRecord | None:
        url = f"{self._base}/dossiers/{quote(code, safe='')}"
        problem = ""
        for attempt in range(self._retries + 1):
            if attempt:
                await self._sleep(self._backoff * 2 ** (attempt - 1))
            try:
                response = await self._client.get(url, timeout=self._timeout,
                                                  headers={"Accept": "application/json"})
            except httpx.TimeoutException:
                problem = "timeout"
            except httpx.TransportError as exc:
                problem = type(exc).__name__
            else:
                if response.status_code == 404:
                    return None
                if response.status_code == 200:
                    try:
                        return parse_wire(response.json(), code=code, pepper=self._pepper)
                    except (ValueError, DossierWireError) as exc:
                        logger.error("provincial dossier system: bad answer for %s: %s", code, exc)
                        raise DossierSourceUnavailable("The provincial system answered off-format.") from exc
                problem = f"HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code != 429:
                    break
            logger.warning("provincial dossier system: %s for %s (attempt %d of %d)", problem, code,
                           attempt + 1, self._retries + 1)
        raise DossierSourceUnavailable(f"The provincial dossier system did not answer ({problem}).")
