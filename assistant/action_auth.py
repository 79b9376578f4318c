"""The shared secret between the app and the action server, for the routes only the action server calls.

`POST /api/questions`, `/api/handover`, `/api/feedback` and `/api/procedures/search-turn` write what the
dialogue reports (the unanswered inbox, handovers, ratings). The compose proxy keeps them internal; a site
running the app without it relies on this check instead: with `ASSISTANT_ACTIONS_TOKEN` set, a call must
carry the same value in `X-Assistant-Token`. Without it the routes stay open (the embedded single-machine
default) and the app says so once at start. The presented value is never logged.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

from assistant.config import Settings
from assistant.deps import SettingsDep

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Assistant-Token"
# A shared secret shorter than this is a placeholder, not a secret.
MIN_TOKEN_CHARS = 16
GENERATE_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
REFUSED_CODE = "actions_token"
REFUSED_MESSAGE = (
    "This route is for the assistant's action server only: send its shared secret (ASSISTANT_ACTIONS_TOKEN) "
    f"in the {TOKEN_HEADER} header. / Đường dẫn này chỉ dành cho máy chủ hành động (action server) của trợ lý: "
    f"hãy gửi khoá bí mật dùng chung (ASSISTANT_ACTIONS_TOKEN) trong header {TOKEN_HEADER}."
)

_token_header = APIKeyHeader(
    name=TOKEN_HEADER, scheme_name="ActionServerToken", auto_error=False,
    description="The shared secret ASSISTANT_ACTIONS_TOKEN; required when the app has one set.",
)


class RefusalDetail(BaseModel):
    code: str
    message: str


class ActionTokenRefused(BaseModel):
    detail: RefusalDetail


def require_actions_token(
    request: Request, settings: SettingsDep, presented: Annotated[str | None, Security(_token_header)],
) -> None:
    """Admit the call when no token is configured or when the header matches it (in constant time)."""
    expected = settings.actions_token.get_secret_value()
    if not expected:
        return
    if presented is not None and hmac.compare_digest(presented.encode(), expected.encode()):
        return
    logger.warning("refused %s %s: %s header %s", request.method, request.url.path, TOKEN_HEADER,
                   "missing" if presented is None else "does not match ASSISTANT_ACTIONS_TOKEN")
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail={"code": REFUSED_CODE, "message": REFUSED_MESSAGE})


# For the route decorators: `dependencies=ACTIONS_ONLY, responses=ACTIONS_ONLY_RESPONSES`.
ACTIONS_ONLY = [Depends(require_actions_token)]
ACTIONS_ONLY_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ActionTokenRefused, "description": f"Missing or wrong {TOKEN_HEADER} (the app has a token set)."},
}


def warn_at_start(settings: Settings) -> None:
    """Say once, at start, when the action server's write routes take anyone's calls (or a guessable token)."""
    token = settings.actions_token.get_secret_value()
    if not token:
        logger.warning(
            "ASSISTANT_ACTIONS_TOKEN is not set: POST /api/questions, /api/handover, /api/feedback and "
            "/api/procedures/search-turn accept calls from anyone who reaches this port. Set the same random "
            "value for the app and the action server (%s), or keep these paths behind the proxy.", GENERATE_HINT)
    elif len(token) < MIN_TOKEN_CHARS or not all("!" <= ch <= "~" for ch in token):
        logger.warning(
            "ASSISTANT_ACTIONS_TOKEN has fewer than %d characters or characters an HTTP header cannot carry; "
            "use a random one (%s) for the app and the action server.", MIN_TOKEN_CHARS, GENERATE_HINT)
