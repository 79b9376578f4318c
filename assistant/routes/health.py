"""`/healthz`: ready only when the database answers and the index is loaded; reports Rasa too."""

from __future__ import annotations

import logging

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from assistant.deps import StateDep

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(state: StateDep) -> JSONResponse:
    checks: dict[str, object] = {}
    try:
        with state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not ready"; the reason is reported, not raised
        logger.warning("health: database check failed: %s", type(exc).__name__)
        checks["database"] = f"error: {type(exc).__name__}"
    checks["index"] = state.search.status()
    checks["rasa"] = await _probe(state.http, f"{state.settings.rasa_url}/")
    checks["actions"] = await _probe(state.http, f"{state.settings.action_server_url}/health")
    ready = checks["database"] == "ok" and checks["index"] == "ok"
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


async def _probe(client: httpx.AsyncClient, url: str) -> str:
    try:
        response = await client.get(url, timeout=1.0)
    except httpx.HTTPError as exc:
        return f"down: {type(exc).__name__}"
    return "ok" if response.is_success else f"error: HTTP {response.status_code}"
