"""A database that is locked, restarting or unreachable answers 503 with a Vietnamese message.

Without this a driver error becomes a bare 500; with it citizens read a plain sentence, the widget shows
it (it displays a 503's messages), and Telegram/Zalo redeliver the webhook later, so nothing is lost.
The error is logged once with its type only: driver messages can quote the statement's parameters.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from assistant import messages_vi

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 5
# Errors that mean "the database is not there right now", not "this request is wrong".
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
)


def unavailable_body() -> dict[str, object]:
    text = messages_vi.DATABASE_UNAVAILABLE
    return {"detail": {"code": "database_unavailable", "message": text},
            "messages": [{"text": text, "buttons": [], "image": None}]}


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.error("database unavailable during %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse(unavailable_body(), status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})


def install(app: FastAPI) -> None:
    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, database_unavailable)
