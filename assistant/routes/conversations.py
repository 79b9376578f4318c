"""What the dialogue reports about a conversation, and what the widget polls while a clerk answers.

The three POSTs are the action server's (`X-Assistant-Token` when `ASSISTANT_ACTIONS_TOKEN` is set).

- `POST /api/questions`: a question and how the bot fared (feeds the console's unanswered inbox).
- `POST /api/handover`: the citizen asked for a person (or the bot gave up): queue it, say when.
- `POST /api/feedback`: the citizen's rating at the end of a conversation.
- `GET /api/chat/{sender_id}/messages?after=<id>`: clerk replies stored for a web/API conversation, readable
  only with the signed id the app issued for it (`POST /api/chat/session`).
"""

from __future__ import annotations

import asyncio
import logging
import pathlib
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Response
from pydantic import BaseModel, Field

from assistant import chat_identity, messages_vi, metrics
from assistant.action_auth import ACTIONS_ONLY, ACTIONS_ONLY_RESPONSES
from assistant.db import MAX_ROW_ID, session_scope
from assistant.deps import OutboxDep, SettingsDep, StateDep
from assistant.routes.chat import SESSION_REFUSED_RESPONSES, owned_conversation
from dossiers.calendar import HolidayCalendar
from knowledge.admin.conversation_models import OUTCOMES, FeedbackRating
from knowledge.admin.handover import request_handover
from knowledge.admin.masking import mask_personal_numbers
from knowledge.admin.office_hours import OfficeHours
from knowledge.admin.questions import MAX_QUESTION_CHARS, record_question

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["conversations"])

Channel = Literal["web", "api", "telegram", "zalo"]
ConversationId = Annotated[str, Field(min_length=1, max_length=160)]
SENDER_PATTERN = r"^[A-Za-z0-9_.:@\-]+$"


def now() -> datetime:
    """The clock, as a dependency so tests can stand inside or outside office hours."""
    return datetime.now(UTC)


NowDep = Annotated[datetime, Depends(now)]


@lru_cache(maxsize=8)
def office_hours(spec: str, timezone: str, holidays_file: pathlib.Path) -> OfficeHours:
    return OfficeHours.parse(spec, timezone).with_holidays(HolidayCalendar.from_file(holidays_file))


class QuestionIn(BaseModel):
    conversation_id: ConversationId
    channel: Channel
    text: Annotated[str, Field(min_length=1, max_length=MAX_QUESTION_CHARS)]
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    confidence: Annotated[float | None, Field(ge=0.0, le=1.0)] = None
    procedure_code: Annotated[str | None, Field(max_length=32)] = None


class HandoverIn(BaseModel):
    conversation_id: ConversationId
    channel: Channel
    reason: Literal["asked", "gave_up"]
    active_procedure: Annotated[str | None, Field(max_length=32)] = None


class HandoverOut(BaseModel):
    text: str
    queued: bool
    in_hours: bool


class FeedbackIn(BaseModel):
    conversation_id: ConversationId
    channel: Channel
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, Field(max_length=1000)] = ""


class OutboxItem(BaseModel):
    id: int
    text: str
    at: datetime


class OutboxOut(BaseModel):
    messages: list[OutboxItem]
    handover: bool  # the conversation is still with (or waiting for) a clerk: keep polling


@router.post("/questions", status_code=204, dependencies=ACTIONS_ONLY, responses=ACTIONS_ONLY_RESPONSES)
async def post_question(body: QuestionIn, state: StateDep) -> Response:
    def write() -> None:
        with session_scope(state.session_factory) as session:
            record_question(session, conversation_id=body.conversation_id, channel=body.channel, text=body.text,
                            outcome=body.outcome, confidence=body.confidence, procedure_code=body.procedure_code)

    await asyncio.to_thread(write)
    return Response(status_code=204)


def when_text(opening: datetime, moment: datetime) -> str:
    """"07:30 ngày mai (thứ Ba, 09/12)": the citizen's own calendar words."""
    local_now = moment.astimezone(opening.tzinfo)
    day = opening.strftime("%d/%m")
    weekday = messages_vi.WEEKDAYS[opening.weekday()]
    if opening.date() == local_now.date():
        return f"{opening:%H:%M} {messages_vi.TODAY}"
    if opening.date() == (local_now + timedelta(days=1)).date():
        return f"{opening:%H:%M} {messages_vi.TOMORROW} ({weekday}, {day})"
    return f"{opening:%H:%M} {weekday}, ngày {day}"


@router.post("/handover", response_model=HandoverOut, dependencies=ACTIONS_ONLY, responses=ACTIONS_ONLY_RESPONSES)
async def post_handover(body: HandoverIn, state: StateDep, settings: SettingsDep, moment: NowDep) -> HandoverOut:
    hours = office_hours(settings.office_hours, settings.office_timezone, settings.dossier_holidays_file)
    in_hours = hours.is_open(moment)

    def write() -> None:
        with session_scope(state.session_factory) as session:
            request_handover(session, conversation_id=body.conversation_id, channel=body.channel,
                             reason=body.reason, active_procedure=body.active_procedure, in_hours=in_hours)

    await asyncio.to_thread(write)
    metrics.HANDOVERS.labels(body.channel, body.reason).inc()
    logger.info("handover queued (channel %s, conversation %s, reason %s, in hours %s)", body.channel,
                body.conversation_id, body.reason, in_hours)
    if in_hours:
        return HandoverOut(text=messages_vi.HANDOVER_IN_HOURS, queued=True, in_hours=True)
    opening = hours.next_opening(moment)
    text = (messages_vi.HANDOVER_OUT_OF_HOURS.format(when=when_text(opening, moment)) if opening is not None
            else messages_vi.HANDOVER_OUT_OF_HOURS_UNKNOWN)
    return HandoverOut(text=text, queued=True, in_hours=False)


@router.post("/feedback", status_code=204, dependencies=ACTIONS_ONLY, responses=ACTIONS_ONLY_RESPONSES)
async def post_feedback(body: FeedbackIn, state: StateDep) -> Response:
    def write() -> None:
        with session_scope(state.session_factory) as session:
            session.add(FeedbackRating(conversation_id=body.conversation_id, channel=body.channel,
                                       rating=body.rating, comment=mask_personal_numbers(body.comment.strip())))

    await asyncio.to_thread(write)
    return Response(status_code=204)


@router.get("/chat/{sender_id}/messages", response_model=OutboxOut, responses=SESSION_REFUSED_RESPONSES)
async def clerk_messages(
    sender_id: Annotated[str, Path(min_length=1, max_length=128, pattern=SENDER_PATTERN)],
    outbox: OutboxDep,
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
    signed: Annotated[str | None, Header(alias=chat_identity.CHAT_SESSION_HEADER, max_length=128)] = None,
) -> OutboxOut:
    """The signed id in the path, or (as the widget does, keeping it out of access logs) the conversation id
    in the path and the signed id in the `X-Chat-Session` header."""
    if chat_identity.foreign_namespace(sender_id):
        raise HTTPException(422, detail=messages_vi.CHAT_FOREIGN_NAMESPACE)
    # Web and API conversations are keyed by the conversation id the signed id carries.
    conversation = owned_conversation(signed if signed is not None else sender_id, settings)
    if signed is not None and sender_id not in (conversation, signed):
        raise HTTPException(401, detail=messages_vi.CHAT_SESSION_REFUSED)
    stored, handover = await asyncio.to_thread(outbox.pending, conversation, after)
    return OutboxOut(messages=[OutboxItem(id=m.id, text=m.text, at=m.created_at) for m in stored],
                     handover=handover)
