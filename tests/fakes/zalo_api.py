"""A local Zalo OpenAPI + OAuth server speaking Zalo's wire format, for the Zalo channel in tests.

`POST /v3.0/oa/message/cs` checks the `access_token` header (a stale or unknown token gets error -216,
as Zalo answers an expired token) and records the sends it accepts; `POST /v4/oa/access_token` checks
the `secret_key` header and spends the refresh token once, issuing a new pair. Failures can be queued.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass(frozen=True)
class ZaloSend:
    access_token: str
    body: dict[str, Any]

    @property
    def user_id(self) -> str:
        return str(self.body["recipient"]["user_id"])

    @property
    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = self.body["message"]
        return message


class FakeZaloApi:
    def __init__(self, app_id: str, app_secret: str, access_token: str = "AT-1",
                 refresh_token: str = "RT-1") -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.access_token = access_token
        self.refresh_token = refresh_token
        self._generation = 1
        self._sends: list[ZaloSend] = []
        self._attempts: list[ZaloSend] = []
        self._refreshes: list[dict[str, str]] = []
        self._failures: list[tuple[int, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self.app = Starlette(routes=[
            Route("/v3.0/oa/message/cs", self._send, methods=["POST"]),
            Route("/v4/oa/access_token", self._refresh, methods=["POST"]),
        ])

    # -- test controls -------------------------------------------------------------------------
    @property
    def sends(self) -> list[ZaloSend]:
        """Accepted sends, in order."""
        with self._lock:
            return list(self._sends)

    @property
    def attempts(self) -> list[ZaloSend]:
        """Every send request, accepted or not."""
        with self._lock:
            return list(self._attempts)

    @property
    def refreshes(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._refreshes)

    def expire_access_token(self) -> None:
        """The current access token stops working; only a refresh gets a usable one."""
        with self._lock:
            self.access_token = f"expired-{self.access_token}"

    def fail_next(self, status: int = 200, error: int = 0, times: int = 1) -> None:
        """Queue failures for the next sends: an HTTP status, or HTTP 200 with a Zalo error code."""
        body = {"error": error or -1, "message": f"fake failure {status}/{error}"}
        with self._lock:
            self._failures.extend([(status, body)] * times)

    def wait_for_sends(self, count: int, timeout_s: float = 10.0) -> list[ZaloSend]:
        deadline = time.monotonic() + timeout_s
        while len(found := self.sends) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} Zalo sends after {timeout_s} s, expected {count}")
            time.sleep(0.02)
        return found

    # -- the API -------------------------------------------------------------------------------
    async def _send(self, request: Request) -> JSONResponse:
        token = request.headers.get("access_token", "")
        body = await request.json()
        send = ZaloSend(token, body)
        with self._lock:
            self._attempts.append(send)
            failure = self._failures.pop(0) if self._failures else None
            valid = token == self.access_token
        if failure is not None:
            return JSONResponse(failure[1], status_code=failure[0])
        if not valid:
            return JSONResponse({"error": -216, "message": "Access token is invalid"})
        if not isinstance(body.get("recipient"), dict) or not isinstance(body.get("message"), dict):
            return JSONResponse({"error": -201, "message": "Parameters are invalid"})
        with self._lock:
            self._sends.append(send)
            number = len(self._sends)
        return JSONResponse({"error": 0, "message": "Success",
                             "data": {"message_id": f"m{number}", "user_id": send.user_id}})

    async def _refresh(self, request: Request) -> JSONResponse:
        form = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
        with self._lock:
            self._refreshes.append(form)
            if request.headers.get("secret_key") != self.app_secret:
                return JSONResponse({"error": -14002, "error_name": "Invalid secret key",
                                     "error_description": "secret_key is invalid"})
            if (form.get("grant_type") != "refresh_token" or form.get("app_id") != self.app_id
                    or form.get("refresh_token") != self.refresh_token):
                return JSONResponse({"error": -14014, "error_name": "Invalid refresh token",
                                     "error_description": "refresh_token is invalid or used"})
            self._generation += 1
            self.access_token = f"AT-{self._generation}"
            self.refresh_token = f"RT-{self._generation}"
            return JSONResponse({"access_token": self.access_token, "refresh_token": self.refresh_token,
                                 "expires_in": "90000"})
