"""The one HTTP client through which actions reach the assistant app.

Actions stay thin: every call to the app goes through `AssistantApi`, which owns the base URL, the
timeouts, the secret shared with the app (`ASSISTANT_ACTIONS_TOKEN`, sent on every call, never logged) and
the translation of HTTP failures into a few exceptions the actions turn into friendly replies. The session
is opened lazily inside the running event loop, so importing the actions package (which rasa-sdk does at
start-up) opens no connection.
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
API_TIMEOUT_ENV = "ASSISTANT_API_TIMEOUT_S"
API_TOKEN_ENV = "ASSISTANT_ACTIONS_TOKEN"
# The app checks the shared secret in this header on the routes only the action server calls.
TOKEN_HEADER = "X-Assistant-Token"
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


class ServiceRefused(ServiceError):
    """The app refused a request with a message meant for the citizen (404, 422, 429 with `detail`)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"The app refused the request with HTTP {status} ({code}).")
        self.status = status
        self.code = code
        self.message = message


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


@dataclass(frozen=True)
class SearchTurn:
    """A free question answered by the app in one call: the search, its judgement and, when the
    outcome is "answered", the rendered topics of the best hit."""

    result: SearchResult
    outcome: str  # "answered" | "ambiguous" | "unsure" | "low_confidence" | "off_topic"
    answers: tuple[ProcedureAnswer, ...] = ()


@dataclass(frozen=True)
class SearchTurnRequest:
    """What the app needs for a search turn; the thresholds are the dialogue's own."""

    text: str
    query: str
    conversation_id: str
    channel: str
    topics: tuple[str, ...]
    k: int
    confident: float
    choices_min: float
    ambiguity_margin: float
    # "gate" when the intent classifier did not take the message for a procedure question.
    route: str = "procedure"


class SearchTurnServices(Protocol):
    """The one call a search turn needs (the procedure actions and the gate of the other actions)."""

    async def search_turn(self, request: SearchTurnRequest) -> SearchTurn:
        """Search, judge, render and log a free question."""


class Services(SearchTurnServices, Protocol):
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
        token: str = "",
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, connect=connect_timeout_s)
        # Sent on every call (reads too): the app only checks it on the routes that write.
        self._headers = {TOKEN_HEADER: token.strip()} if token.strip() else {}
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    @property
    def base_url(self) -> str:
        """Where the app is reached."""
        return self._base_url

    @property
    def sends_token(self) -> bool:
        """Whether calls carry the shared secret (the secret itself is never shown)."""
        return bool(self._headers)

    async def search(self, query: str, k: int = 3) -> SearchResult:
        """Search procedures; raises `QueryRejected` when the app refuses the text."""
        status, body = await self._get("/api/procedures/search", {"q": query, "k": str(k)})
        if status == 422:
            raise QueryRejected(f"The app rejected a search text of {len(query)} characters.")
        _raise_for_status(status, "search")
        try:
            return _search_result(body, query)
        except (KeyError, TypeError, ValueError) as exc:
            raise ServiceError(f"The search answer has an unexpected shape: {exc!r}.") from exc

    async def answer(self, code: str, topic: str) -> ProcedureAnswer:
        """Fetch a rendered topic; raises `ProcedureNotFound` for an unknown code."""
        status, body = await self._get(f"/api/procedures/{code}/answer", {"topic": topic})
        if status == 404:
            raise ProcedureNotFound(f"The app has no procedure with the code {code!r}.")
        _raise_for_status(status, f"answer {topic}")
        try:
            return _procedure_answer(body, code)
        except (KeyError, TypeError, ValueError) as exc:
            raise ServiceError(f"The answer for {code!r} has an unexpected shape: {exc!r}.") from exc

    # --- dossiers, communes, handover, question log, feedback (contracts #2, #3, #4, #6, #7) ----------

    async def parse_dossier_code(self, text: str) -> str:
        """The normalised dossier code; raises `ServiceRefused` with the expected format when malformed."""
        status, body = await self._post("/api/dossiers/parse-code", {"text": text})
        _raise_refusal(status, body)
        _raise_for_status(status, "parse-code")
        return str(_field(body, "code", "parse-code"))

    async def lookup_dossier(self, code: str, verification: str, sender_id: str) -> str:
        """The ready-to-show status text; 404/422/429 raise `ServiceRefused` with the app's message."""
        payload = {"code": code, "verification": verification, "sender_id": sender_id}
        status, body = await self._post("/api/dossiers/lookup", payload)
        _raise_refusal(status, body)
        _raise_for_status(status, "dossier lookup")
        return str(_field(body, "text", "dossier lookup"))

    async def subscribe_dossier(self, code: str, verification: str, sender_id: str, channel: str) -> str:
        """Ask to be told of status changes; returns the confirmation text."""
        payload = {"code": code, "verification": verification, "sender_id": sender_id, "channel": channel}
        status, body = await self._post("/api/dossiers/subscriptions", payload)
        _raise_refusal(status, body)
        _raise_for_status(status, "dossier subscription")
        return str(_field(body, "text", "dossier subscription"))

    async def resolve_commune(self, address: str, procedure: str | None) -> dict[str, Any]:
        """The commune resolver's answer (`status`, `text`, `choices`); 422 raises `QueryRejected`."""
        params = {"address": address, **({"procedure": procedure} if procedure else {})}
        status, body = await self._get("/api/communes/resolve", params)
        if status == 422:
            raise QueryRejected(f"The app rejected an address of {len(address)} characters.")
        _raise_for_status(status, "commune resolve")
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise ServiceError("The commune answer has an unexpected shape.")
        return body

    async def request_handover(
        self, conversation_id: str, channel: str, reason: str, active_procedure: str | None
    ) -> str:
        """Queue the conversation for a clerk; returns the text to show the citizen."""
        payload = {"conversation_id": conversation_id, "channel": channel, "reason": reason,
                   "active_procedure": active_procedure}
        status, body = await self._post("/api/handover", payload)
        _raise_for_status(status, "handover")
        return str(_field(body, "text", "handover"))

    async def record_question(
        self, conversation_id: str, channel: str, text: str, outcome: str,
        confidence: float | None = None, procedure_code: str | None = None,
    ) -> None:
        """Log a question the bot could not answer, for the staff inbox."""
        payload: dict[str, Any] = {"conversation_id": conversation_id, "channel": channel, "text": text,
                                   "outcome": outcome}
        if confidence is not None:
            payload["confidence"] = confidence
        if procedure_code:
            payload["procedure_code"] = procedure_code
        status, _ = await self._post("/api/questions", payload)
        _raise_for_status(status, "question log")

    async def send_feedback(self, conversation_id: str, channel: str, rating: int, comment: str | None) -> None:
        """Store a 1–5 satisfaction rating with an optional remark."""
        payload: dict[str, Any] = {"conversation_id": conversation_id, "channel": channel, "rating": rating}
        if comment:
            payload["comment"] = comment
        status, _ = await self._post("/api/feedback", payload)
        _raise_for_status(status, "feedback")

    async def _post(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        """POST JSON; error bodies are returned too, because they carry the citizen-facing message."""
        session = self._client()
        url = f"{self._base_url}{path}"
        try:
            async with session.post(url, json=payload) as response:
                if response.status == 204:
                    return response.status, None
                try:
                    return response.status, await response.json(content_type=None)
                except ValueError:
                    if response.status >= 400:
                        return response.status, None
                    raise
        except asyncio.TimeoutError as exc:  # noqa: UP041 (not the builtin before Python 3.11)
            raise ServiceError(f"The app at {self._base_url} did not answer {path} in time.") from exc
        except aiohttp.ClientError as exc:
            raise ServiceError(
                f"The app at {self._base_url} could not be reached for {path}: {exc}."
            ) from exc
        except ValueError as exc:
            raise ServiceError(f"The app answered {path} with invalid JSON.") from exc

    async def search_turn(self, request: SearchTurnRequest) -> SearchTurn:
        """One call for a free question; raises `QueryRejected` when the app refuses the text."""
        payload = {"text": request.text, "query": request.query, "conversation_id": request.conversation_id,
                   "channel": request.channel, "topics": list(request.topics), "k": request.k,
                   "confident": request.confident, "choices_min": request.choices_min,
                   "ambiguity_margin": request.ambiguity_margin, "route": request.route}
        status, body = await self._post("/api/procedures/search-turn", payload)
        if status == 422:
            raise QueryRejected(f"The app rejected a search text of {len(request.query)} characters.")
        _raise_for_status(status, "search turn")
        try:
            result = _search_result(body, request.query)
            answers = tuple(_procedure_answer(answer, str(answer["code"])) for answer in body["answers"])
            return SearchTurn(result=result, outcome=str(body["outcome"]), answers=answers)
        except (KeyError, TypeError, ValueError) as exc:
            raise ServiceError(f"The search turn answer has an unexpected shape: {exc!r}.") from exc

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
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
            self._session_loop = loop
        return self._session


def _search_result(body: Any, query: str) -> SearchResult:
    """The app's search JSON (hits best first, calibrated confidence) as a `SearchResult`."""
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
    return SearchResult(query=str(body.get("query", query)), confidence=float(body["confidence"]), hits=hits)


def _procedure_answer(body: Any, code: str) -> ProcedureAnswer:
    """The app's rendered topic JSON as a `ProcedureAnswer`."""
    messages = tuple(
        AnswerMessage(
            text=str(message["text"]),
            buttons=tuple(
                AnswerButton(title=str(b["title"]), payload=str(b["payload"])) for b in message.get("buttons") or ()
            ),
        )
        for message in body["messages"]
    )
    return ProcedureAnswer(code=str(body.get("code", code)), name=str(body["name"]), messages=messages)


def _raise_for_status(status: int, what: str) -> None:
    if status == 401:
        raise ServiceError(f"The app refused {what} with HTTP 401: give the action server the app's "
                           f"{API_TOKEN_ENV} (the same value on both sides).")
    if not 200 <= status < 300:
        raise ServiceError(f"The app answered {what} with HTTP {status}.")


def _raise_refusal(status: int, body: Any) -> None:
    """404/422/429 with `{"detail": {"code", "message"}}` become `ServiceRefused`."""
    if status not in (404, 422, 429):
        return
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict) and isinstance(detail.get("message"), str):
        raise ServiceRefused(status, str(detail.get("code") or ""), detail["message"])
    raise ServiceError(f"The app refused the request with HTTP {status} and no message.")


def _field(body: Any, name: str, what: str) -> Any:
    if not isinstance(body, dict) or name not in body:
        raise ServiceError(f"The {what} answer has no {name!r} field.")
    return body[name]


def api_url_from_env() -> str:
    """The app's base URL: `ASSISTANT_API_URL`, or the local default."""
    return os.environ.get(API_URL_ENV, "").strip() or DEFAULT_API_URL


def api_timeout_from_env() -> float:
    """Seconds the app may take per call: `ASSISTANT_API_TIMEOUT_S`, or the default for live citizens.

    A slower machine, or a test that loads two shared cores on purpose, can allow more; an unusable value
    is reported and the default kept, so a typo never leaves the bot without a timeout.
    """
    raw = os.environ.get(API_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= 120:
        logger.warning("%s=%r is not a number of seconds between 0 and 120; using %.1f s.", API_TIMEOUT_ENV, raw,
                       DEFAULT_TIMEOUT_S)
        return DEFAULT_TIMEOUT_S
    return value


def api_token_from_env() -> str:
    """The secret shared with the app: `ASSISTANT_ACTIONS_TOKEN`, or empty when the app has none."""
    return os.environ.get(API_TOKEN_ENV, "").strip()


@lru_cache(maxsize=1)
def get_services() -> AssistantApi:
    """The process-wide client, built on first use."""
    api = AssistantApi(api_url_from_env(), timeout_s=api_timeout_from_env(), token=api_token_from_env())
    logger.info("Actions reach the assistant app at %s (%s).", api.base_url,
                f"with {API_TOKEN_ENV}" if api.sends_token else f"{API_TOKEN_ENV} not set")
    return api
