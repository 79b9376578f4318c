"""A recording stand-in for Rasa's REST channel: answers derive from the message, every call is kept."""

from __future__ import annotations

import threading
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# Longer than Telegram's 64-byte callback_data, as real procedure-choice payloads can be.
LONG_PAYLOAD = '/choose{"procedure_code":"1.001193","level":"cấp xã","source":"gợi ý"}'


def scripted_reply(sender: str, message: str) -> list[dict[str, Any]]:
    """What the fake says: the question echoed, a short and a long button, as Rasa's REST answer."""
    return [{"recipient_id": sender, "text": f"Bạn hỏi: {message}",
             "buttons": [{"title": "Lệ phí", "payload": "/ask_fee"},
                         {"title": "Khai sinh cấp xã", "payload": LONG_PAYLOAD}]}]


class FakeRasa:
    def __init__(self, status_code: int = 200) -> None:
        self.status_code = status_code
        self._calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/webhooks/rest/webhook", self._webhook, methods=["POST"])])

    @property
    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._calls)

    async def _webhook(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self._lock:
            self._calls.append(body)
        if self.status_code != 200:
            return JSONResponse({"error": "down"}, status_code=self.status_code)
        return JSONResponse(scripted_reply(str(body["sender"]), str(body["message"])))
