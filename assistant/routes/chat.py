"""`POST /api/chat`: the plain-HTTP door used by the web widget and integrators."""

from __future__ import annotations

import logging
import unicodedata
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from assistant import messages_vi
from assistant.deps import StateDep
from assistant.rasa_client import BotMessage, RasaClient, RasaUnavailable

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])

MAX_TEXT_CHARS = 2000


class ChatIn(BaseModel):
    sender_id: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@\-]+$")]
    text: Annotated[str, Field(max_length=MAX_TEXT_CHARS)]

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


class MessageOut(BaseModel):
    text: str = ""
    buttons: list[ButtonOut] = Field(default_factory=list)
    image: str | None = None


class ChatOut(BaseModel):
    messages: list[MessageOut]


def _out(messages: list[BotMessage]) -> ChatOut:
    return ChatOut(messages=[
        MessageOut(text=m.text, image=m.image,
                   buttons=[ButtonOut(title=b.title, payload=b.payload) for b in m.buttons])
        for m in messages
    ])


@router.post("/chat", response_model=ChatOut, responses={503: {"model": ChatOut}})
async def chat(body: ChatIn, state: StateDep) -> ChatOut | JSONResponse:
    if not body.text:
        return ChatOut(messages=[MessageOut(text=messages_vi.EMPTY_MESSAGE)])
    client = RasaClient(state.http, state.settings.rasa_url, state.settings.rasa_timeout_s)
    try:
        replies = await client.send(body.sender_id, body.text, metadata={"channel": "api"})
    except RasaUnavailable as exc:
        logger.error("chat: %s (conversation %s)", exc, body.sender_id)
        unavailable = ChatOut(messages=[MessageOut(text=messages_vi.ASSISTANT_UNAVAILABLE)])
        return JSONResponse(unavailable.model_dump(), status_code=503)
    if not replies:
        # Rasa answers nothing when an action failed (e.g. the action server is down): never stay silent.
        logger.warning("chat: Rasa sent no reply (conversation %s)", body.sender_id)
        return ChatOut(messages=[MessageOut(text=messages_vi.NO_REPLY)])
    return _out(replies)
