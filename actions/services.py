"""The one HTTP client through which actions reach the assistant app.

Actions stay thin: every call to the app goes through `AssistantApi`, which owns the base URL, the
timeouts and the translation of HTTP failures into a few exceptions the actions turn into friendly
replies. The session is opened lazily inside the running event loop, so importing the actions package
(which rasa-sdk does at start-up) opens no connection.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import aiohttp

logger = logging.getLogger(__name__)

API_URL_ENV = "ASSISTANT_API_URL"
DEFAULT_API_URL = "http://127.0.0.1:8000"
# A citizen waits for the whole turn; an answer later than this is worse than an apology.
DEFAULT_TIMEOUT_S = 2.5
DEFAULT_CONNECT_TIMEOUT_S = 0.5


class ServiceError(Exception):
    """The assistant app gave no usable answer (down, slow, or malformed)."""


class QueryRejected(ServiceError):
    """The app refused the search text (empty or too long)."""


class ProcedureNotFound(ServiceError):
    """The app knows no procedure with the requested code."""


@dataclass(frozen=True)
class ProcedureHit:
    """One search candidate."""

    code: str
    name: str
    levels: tuple[str, ...] = ()
    field: str = ""
    score: float = 0.0
    confidence: float = 0.0


@dataclass(frozen=True)
class SearchResult:
    """Candidates best first, with the app's calibrated confidence in the best one."""

    query: str
    confidence: float
    hits: tuple[ProcedureHit, ...] = ()


@dataclass(frozen=True)
class AnswerButton:
    """A quick reply; the payload is a Rasa intent payload."""

    title: str
    payload: str


@dataclass(frozen=True)
class AnswerMessage:
    """One chat bubble rendered by the app."""

    text: str
    buttons: tuple[AnswerButton, ...] = ()


@dataclass(frozen=True)
class ProcedureAnswer:
    """A topic of one procedure, already rendered as chat bubbles."""

    code: str
    name: str
    messages: tuple[AnswerMessage, ...] = field(default_factory=tuple)


class Services(Protocol):
    """What actions need from the app; tests pass fakes with the same methods."""

    async def search(self, query: str, k: int = 3) -> SearchResult:
        """Candidate procedures for a citizen's question."""

    async def answer(self, code: str, topic: str) -> ProcedureAnswer:
        """One topic of a procedure as chat messages."""


class AssistantApi:
    """HTTP client of the app's procedure API."""

    def __init__(
        self,
        base_url: str,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, connect=connect_timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    @property
    def base_url(self) -> str:
        """Where the app is reached."""
        return self._base_url

    async def search(self, query: str, k: int = 3) -> SearchResult:
        """Search procedures; raises `QueryRejected` when the app refuses the text."""
        status, body = await self._get("/api/procedures/search", {"q": query, "k": str(k)})
        if status == 422:
            raise QueryRejected(f"The app rejected a search text of {len(query)} characters.")
        _raise_for_status(status, "search")
        try:
            hits = tuple(
                ProcedureHit(
                    code=str(hit["code"]),
                    name=str(hit["name"]),
                    levels=tuple(str(level) for level in hit.get("levels", ())),
                    field=str(hit.get("field", "")),
                    score=float(hit.get("score", 0.0)),
                    confidence=float(hit.get("confidence", 0.0)),
                )
                for hit in body["hits"]
            )
            return SearchResult(query=str(body.get("query", query)), confidence=float(body["confidence"]),
                                hits=hits)
        except (KeyError, TypeError, ValueError) as exc:
            raise ServiceError(f"The search answer has an unexpected shape: {exc!r}.") from exc

    async def answer(self, code: str, topic: str) -> ProcedureAnswer:
        """Fetch a rendered topic; raises `ProcedureNotFound` for an unknown code."""
        status, body = await self._get(f"/api/procedures/{code}/answer", {"topic": topic})
        if status == 404:
            raise ProcedureNotFound(f"The app has no procedure with the code {code!r}.")
        _raise_for_status(status, f"answer {topic}")
        try:
            messages = tuple(
                AnswerMessage(
                    text=str(message["text"]),
                    buttons=tuple(
                        AnswerButton(title=str(b["title"]), payload=str(b["payload"]))
                        for b in message.get("buttons") or ()
                    ),
                )
                for message in body["messages"]
            )
            return ProcedureAnswer(
                code=str(body.get("code", code)), name=str(body["name"]), messages=messages
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ServiceError(f"The answer for {code!r} has an unexpected shape: {exc!r}.") from exc

    async def close(self) -> None:
        """Close the pooled connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def _get(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        session = self._client()
        url = f"{self._base_url}{path}"
        try:
            async with session.get(url, params=params) as response:
                if response.status >= 400:
                    return response.status, None
                return response.status, await response.json(content_type=None)
        except asyncio.TimeoutError as exc:  # noqa: UP041 (not the builtin before Python 3.11)
            raise ServiceError(f"The app at {self._base_url} did not answer {path} in time.") from exc
        except aiohttp.ClientError as exc:
            raise ServiceError(
                f"The app at {self._base_url} could not be reached for {path}: {exc}."
            ) from exc
        except ValueError as exc:
            raise ServiceError(f"The app answered {path} with invalid JSON.") from exc

    def _client(self) -> aiohttp.ClientSession:
        """A pooled session bound to the running loop (recreated if the loop changed)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._session_loop = loop
        return self._session


def _raise_for_status(status: int, what: str) -> None:
    if not 200 <= status < 300:
        raise ServiceError(f"The app answered {what} with HTTP {status}.")


def api_url_from_env() -> str:
    """The app's base URL: `ASSISTANT_API_URL`, or the local default."""
    return os.environ.get(API_URL_ENV, "").strip() or DEFAULT_API_URL


@lru_cache(maxsize=1)
def get_services() -> AssistantApi:
    """The process-wide client, built on first use."""
    api = AssistantApi(api_url_from_env())
    logger.info("Actions reach the assistant app at %s.", api.base_url)
    return api
