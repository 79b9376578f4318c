"""A small HTTP load balancer for the scale-out test: one address in front of several app replicas.

Chat turns (`POST /api/chat`) are routed adversarially: each turn of a conversation goes to the next
replica after the one that took its previous turn, so every conversation crosses replicas on every turn.
Everything else (the action server's calls) goes round robin. It records which replica took which turn.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections import defaultdict

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_HOP_BY_HOP = {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}


class RoundRobinProxy:
    def __init__(self, upstreams: list[str]) -> None:
        if not upstreams:
            raise ValueError("The proxy needs at least one upstream URL.")
        self.upstreams = upstreams
        self._next = itertools.cycle(range(len(upstreams)))
        self._lock = threading.Lock()
        self.turns: dict[str, list[int]] = defaultdict(list)  # sender id -> replica index of each chat turn
        self.requests: list[int] = [0] * len(upstreams)
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.app = Starlette(routes=[Route("/{path:path}", self._forward,
                                           methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])])

    def _client_for_this_loop(self) -> httpx.AsyncClient:
        """One pooled client, made in the server's own event loop (a client is bound to the loop it ran in)."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=120.0, limits=httpx.Limits(max_connections=200))
            self._loop = asyncio.get_running_loop()
        return self._client

    def close(self) -> None:
        """Close the pooled client in the loop it lives in; call before stopping the server."""
        if self._client is not None and self._loop is not None and not self._loop.is_closed():
            asyncio.run_coroutine_threadsafe(self._client.aclose(), self._loop).result(timeout=10)
        self._client = None

    def _pick(self, request: Request, body: bytes) -> int:
        with self._lock:
            if request.method == "POST" and request.url.path == "/api/chat":
                sender = _sender(body)
                if sender is not None:
                    previous = self.turns[sender]
                    index = (previous[-1] + 1) % len(self.upstreams) if previous else next(self._next)
                    previous.append(index)
                    self.requests[index] += 1
                    return index
            index = next(self._next)
            self.requests[index] += 1
            return index

    async def _forward(self, request: Request) -> Response:
        body = await request.body()
        upstream = self.upstreams[self._pick(request, body)]
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["x-forwarded-for"] = request.client.host if request.client else "127.0.0.1"
        answer = await self._client_for_this_loop().request(
            request.method, f"{upstream}{request.url.path}", params=request.query_params, content=body,
            headers=headers)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP | {"content-encoding"}}
        return Response(answer.content, status_code=answer.status_code, headers=kept)


def _sender(body: bytes) -> str | None:
    try:
        sender = json.loads(body).get("sender_id")
    except (ValueError, AttributeError):
        return None
    return str(sender) if sender else None
