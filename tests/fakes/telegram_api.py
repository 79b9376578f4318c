"""A local Telegram Bot API server speaking the real wire format, for python-telegram-bot in tests.

Implements the methods the project calls (getMe, sendMessage, sendPhoto, answerCallbackQuery, setWebhook,
deleteWebhook, getUpdates), answers `{"ok": true, "result": ...}` like Telegram, records every call and
can be told to fail the next calls of a method (HTTP 429 with retry_after, 500, 400).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Trợ lý thủ tục", "username": "thu_tuc_bot"}
JSON_PARAMS = ("reply_markup", "allowed_updates", "entities")


@dataclass(frozen=True)
class BotApiCall:
    method: str
    params: dict[str, Any]


class FakeTelegramApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self._calls: list[BotApiCall] = []
        self._failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._updates: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._next_message_id = 1
        self.webhook: dict[str, Any] = {}
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])

    # -- test controls -------------------------------------------------------------------------
    @property
    def calls(self) -> list[BotApiCall]:
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[BotApiCall]:
        return [call for call in self.calls if call.method == method]

    def fail_next(self, method: str, status: int, times: int = 1, retry_after: int | None = None) -> None:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": f"fake failure {status}"}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        with self._lock:
            self._failures.setdefault(method, []).extend([(status, body)] * times)

    def queue_update(self, update: dict[str, Any]) -> None:
        with self._lock:
            self._updates.append(update)

    def wait_for(self, method: str, count: int, timeout_s: float = 10.0) -> list[BotApiCall]:
        deadline = time.monotonic() + timeout_s
        while len(found := self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{method}: {len(found)} calls after {timeout_s} s, expected {count}")
            time.sleep(0.02)
        return found

    # -- the Bot API ---------------------------------------------------------------------------
    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        method = request.path_params["method"]
        params = await self._params(request)
        with self._lock:
            self._calls.append(BotApiCall(method, params))
            failures = self._failures.get(method)
            failure = failures.pop(0) if failures else None
        if failure is not None:
            return JSONResponse(failure[1], status_code=failure[0])
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        result = await handler(params)
        return JSONResponse({"ok": True, "result": result})

    @staticmethod
    async def _params(request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
            return dict(body)
        # python-telegram-bot posts url-encoded forms (multipart only with files, which this fake refuses).
        form = parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True)
        return {key: json.loads(value) if key in JSON_PARAMS else value for key, value in form}

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        with self._lock:
            message_id = self._next_message_id
            self._next_message_id += 1
        chat_id = int(params["chat_id"])
        message = {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                   "chat": {"id": chat_id, "type": "private"}, **content}
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _m_getMe(self, _params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, text=params["text"])

    async def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = {"file_id": "photo-1", "file_unique_id": "p1", "width": 1, "height": 1}
        return self._message(params, photo=[photo])

    async def _m_answerCallbackQuery(self, _params: dict[str, Any]) -> bool:
        return True

    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = dict(params)
        return True

    async def _m_deleteWebhook(self, _params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0) or 0)
        deadline = time.monotonic() + min(float(params.get("timeout", 0) or 0), 1.0)
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                pending = list(self._updates)
            if pending or time.monotonic() >= deadline:
                return pending
            await asyncio.sleep(0.02)
