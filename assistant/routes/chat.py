"""`POST /api/chat`: the plain-HTTP door used by the web widget and integrators."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from assistant import abuse_limits, chat_identity, messages_vi
from assistant.config import Settings
from assistant.deps import ChatDep, RateLimiterDep, SettingsDep
from assistant.rasa_client import BotMessage, outcome_of, procedure_of
from assistant.rate_limit import Decision
from channels.base import IncomingMessage

router = APIRouter(prefix="/api", tags=["chat"])

MAX_TEXT_CHARS = 2000


class ChatIn(BaseModel):
    # An id from `POST /api/chat/session`; the conversation is the part before the dot.
    sender_id: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@\-]+$")]
    text: Annotated[str, Field(max_length=MAX_TEXT_CHARS)]

    @field_validator("sender_id")
    @classmethod
    def _own_namespace(cls, value: str) -> str:
        if chat_identity.foreign_namespace(value):
            raise ValueError(messages_vi.CHAT_FOREIGN_NAMESPACE)
        return value

    @field_validator("text")
    @classmethod
    def _clean_text(cls, value: str) -> str:
        # Rasa's featurizers expect composed Vietnamese; control characters are never meaningful.
        value = unicodedata.normalize("NFC", value)
        value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
        return value.strip()


class ButtonOut(BaseModel):
    title: str
    payload: str


class ProcedureRef(BaseModel):
    """The procedure a bubble is about (its national code), for clients and the chat evaluator."""

    code: str
    name: str


class MessageOut(BaseModel):
    text: str = ""
    buttons: list[ButtonOut] = Field(default_factory=list)
    image: str | None = None
    procedure: ProcedureRef | None = None
    # Set on the reply that says the question is not about a procedure ("out_of_scope"), names one the
    # knowledge base does not hold ("not_found"), or may not be among the candidates just listed
    # ("unsure"): clients can offer a clerk, the evaluator counts.
    outcome: Literal["out_of_scope", "not_found", "unsure"] | None = None


class ChatOut(BaseModel):
    messages: list[MessageOut]


class ChatSessionOut(BaseModel):
    """A new conversation: send `sender_id` with every message of it, and use it to poll clerk replies."""

    sender_id: str


class SessionRefused(BaseModel):
    detail: str


SESSION_REFUSED_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": SessionRefused, "description": "The id was not issued by this server (or its secret changed)."},
}


def owned_conversation(signed_id: str, settings: Settings) -> str:
    """The conversation a caller proved it owns with a signed id, or 401 (never logged: it is a credential)."""
    conversation = chat_identity.verify(settings.chat_secret, signed_id)
    if conversation is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=messages_vi.CHAT_SESSION_REFUSED)
    return conversation


def _out(messages: list[BotMessage]) -> ChatOut:
    return ChatOut(messages=[
        MessageOut(text=m.text, image=m.image,
                   buttons=[ButtonOut(title=b.title, payload=b.payload) for b in m.buttons],
                   procedure=ProcedureRef(**tag) if (tag := procedure_of(m)) else None,
                   outcome=outcome_of(m))  # type: ignore[arg-type]
        for m in messages
    ])


def _too_many(decision: Decision) -> JSONResponse:
    """429 in the chat's own shape, so the widget (which retries later) and integrators can show it."""
    minutes = max(1, round(decision.retry_after_s / 60))
    body = ChatOut(messages=[MessageOut(text=messages_vi.RATE_LIMITED.format(minutes=minutes))])
    return JSONResponse(body.model_dump(), status_code=429, headers=abuse_limits.retry_after_header(decision))


@router.post("/chat/session", response_model=ChatSessionOut, status_code=201, responses={429: {"model": ChatOut}})
async def new_session(request: Request, limiter: RateLimiterDep,
                      settings: SettingsDep) -> ChatSessionOut | JSONResponse:
    """Start a conversation: the server, not the caller, chooses its id (counted like a message per address)."""
    address = abuse_limits.client_address(request)
    by_address = await abuse_limits.hit(limiter, f"chat-ip:{address}", abuse_limits.chat_ip_limit(settings))
    if not by_address.allowed:
        return _too_many(by_address)
    return ChatSessionOut(sender_id=chat_identity.issue(settings.chat_secret))


@router.post("/chat", response_model=ChatOut,
             responses={503: {"model": ChatOut}, 429: {"model": ChatOut}, **SESSION_REFUSED_RESPONSES})
async def chat(body: ChatIn, request: Request, chat_service: ChatDep, limiter: RateLimiterDep,
               settings: SettingsDep) -> ChatOut | JSONResponse:
    conversation = owned_conversation(body.sender_id, settings)
    address = abuse_limits.client_address(request)
    by_address = await abuse_limits.hit(limiter, f"chat-ip:{address}", abuse_limits.chat_ip_limit(settings))
    if not by_address.allowed:
        return _too_many(by_address)
    by_sender = await abuse_limits.hit(limiter, f"chat:api:{conversation}", abuse_limits.sender_limit(settings))
    if not by_sender.allowed:
        return _too_many(by_sender)
    message = IncomingMessage(channel="api", sender_id=conversation, text=body.text)
    replies, answered = await chat_service.reply_or_apology(message)
    if not answered:
        return JSONResponse(_out(replies).model_dump(), status_code=503)
    return _out(replies)
