"""Zalo Official Account channel: webhook events in, customer-service messages out.

Replies go through `POST /v3.0/oa/message/cs` with the OA access token. An expired token (error -216) is
refreshed once and the send repeated; rate limits and server errors are raised as retryable so the
delivery layer backs off and tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from assistant import messages_vi
from assistant.chat_service import ChatService
from assistant.rasa_client import BotMessage, Button
from channels.base import ChannelSendError, IncomingMessage
from channels.deliveries import DeliveryStore, Job, answer, claim_job
from channels.inbound_text import clean_text, too_long_reply
from channels.rendering import please_type_replies, split_text
from channels.retry import RetryableSendError, RetryPolicy
from channels.zalo_tokens import ZaloTokens

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
TEXT_LIMIT = 2000
MAX_BUTTONS = 5
BUTTON_TITLE_LIMIT = 100
TOKEN_EXPIRED = -216
# Zalo error codes worth retrying: rate or quota limits and internal errors (others are final, e.g.
# -230: the user has not interacted for 7 days).
RETRYABLE_ERRORS = frozenset({-32, -50, -124, -500})
TEXT_EVENTS = frozenset({"user_send_text", "anonymous_send_text"})
UNREADABLE_EVENTS = frozenset({"user_send_audio", "user_send_voice", "user_send_video", "user_send_sticker",
                               "user_send_file", "anonymous_send_audio", "anonymous_send_sticker",
                               "anonymous_send_file"})
IMAGE_EVENTS = frozenset({"user_send_image", "user_send_gif", "anonymous_send_image", "anonymous_send_gif"})
LOCATION_EVENTS = frozenset({"user_send_location"})
# Events about the OA's own messages: nothing to answer.
SILENT_EVENTS = frozenset({"user_received_message", "user_seen_message"})
GREETING_PAYLOAD = "/greet"


@dataclass(frozen=True)
class ZaloInbound:
    message: IncomingMessage
    user_id: str
    local_replies: tuple[BotMessage, ...] | None = None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text_of(body: dict[str, Any]) -> str:
    message = _dict(body.get("message"))
    return clean_text(str(message.get("text") or message.get("payload") or ""))


def parse_event(body: dict[str, Any]) -> ZaloInbound | None:
    """The inbound message of one webhook event, or None when there is nothing to answer."""
    event = str(body.get("event_name") or "")
    if event in SILENT_EVENTS or event.startswith("oa_"):
        return None
    sender, follower = _dict(body.get("sender")), _dict(body.get("follower"))
    user_id = str(follower.get("id") or sender.get("id") or body.get("user_id_by_app") or "")
    if not user_id:
        return None
    message = _dict(body.get("message"))
    timestamp = str(body.get("timestamp") or "")
    message_id = str(message.get("msg_id") or f"{event}:{user_id}:{timestamp}")[:128]

    def inbound(text: str, kind: str, local: list[BotMessage] | None = None) -> ZaloInbound:
        incoming = IncomingMessage(channel=CHANNEL, sender_id=user_id, text=text, message_id=message_id,
                                   kind=kind)
        return ZaloInbound(incoming, user_id, tuple(local) if local is not None else None)

    if event == "follow":
        return inbound(GREETING_PAYLOAD, "follow")
    if event == "unfollow":
        return inbound("", "unfollow", [])
    if event in UNREADABLE_EVENTS:
        return inbound("", "voice", please_type_replies("voice"))
    if event in IMAGE_EVENTS:
        return inbound("", "image", please_type_replies("image"))
    if event in LOCATION_EVENTS:
        return inbound("", "location", please_type_replies("location"))
    text = _text_of(body)
    if event in TEXT_EVENTS or event == "user_send_link" or (text and event.startswith("user_")):
        # A button press may come back as typed text carrying its payload, or as its own event.
        kind = "button" if event not in TEXT_EVENTS or text.startswith("/") else "text"
        too_long = too_long_reply(text)
        return inbound(text, kind, [too_long] if too_long else None)
    logger.info("zalo: event %s not answered", event)
    return None


def _button(button: Button) -> dict[str, str]:
    return {"title": (button.title or button.payload)[:BUTTON_TITLE_LIMIT], "type": "oa.query.show",
            "payload": button.payload}


def render(message: BotMessage) -> list[dict[str, Any]]:
    """The `message` objects of the Zalo requests for one bot reply, in sending order."""
    rendered: list[dict[str, Any]] = []
    if message.image:
        rendered.append({"attachment": {"type": "template", "payload": {
            "template_type": "media", "elements": [{"media_type": "image", "url": message.image}]}}})
    pieces = split_text(message.text, TEXT_LIMIT) if message.text else []
    groups = [message.buttons[i:i + MAX_BUTTONS] for i in range(0, len(message.buttons), MAX_BUTTONS)]
    for piece in pieces[:-1] if groups else pieces:
        rendered.append({"text": piece})
    for index, group in enumerate(groups):
        text = pieces[-1] if index == 0 and pieces else messages_vi.MORE_CHOICES
        rendered.append({"text": text, "attachment": {"type": "template", "payload": {
            "buttons": [_button(b) for b in group]}}})
    return rendered


class ZaloChannel:
    """Receives events and sends replies for one Official Account."""

    def __init__(self, http: httpx.AsyncClient, tokens: ZaloTokens, store: DeliveryStore,
                 policy: RetryPolicy, *, api_base: str) -> None:
        self._http = http
        self.tokens = tokens
        self._store = store
        self.policy = policy
        self._url = f"{api_base.rstrip('/')}/v3.0/oa/message/cs"

    async def accept(self, inbound: ZaloInbound) -> Job | None:
        """Remember the event; None when it was already received (a redelivery)."""
        return await claim_job(self._store, inbound.message, inbound.user_id, inbound.local_replies)

    async def process(self, job: Job, chat: ChatService) -> str:
        return await answer(job, chat=chat, sender=self, store=self._store, policy=self.policy)

    async def send(self, recipient_id: str, messages: list[BotMessage]) -> None:
        for message in messages:
            for body in render(message):
                await self._post({"recipient": {"user_id": recipient_id}, "message": body})

    async def _post(self, payload: dict[str, Any]) -> None:
        token = await self.tokens.access_token()
        refreshed = False
        while True:
            try:
                response = await self._http.post(self._url, json=payload, headers={"access_token": token},
                                                 timeout=15.0)
            except httpx.HTTPError as exc:
                raise RetryableSendError(f"zalo unreachable: {type(exc).__name__}") from exc
            if response.status_code == 429 or response.status_code >= 500:
                raise RetryableSendError(f"zalo answered HTTP {response.status_code}",
                                         _retry_after(response.headers.get("retry-after")))
            if not response.is_success:
                raise ChannelSendError(f"zalo answered HTTP {response.status_code}")
            try:
                body = response.json()
                error = int(body.get("error", 0))
            except (ValueError, TypeError, AttributeError) as exc:
                raise RetryableSendError("zalo answered with a body that is not a JSON result") from exc
            if error == 0:
                return
            detail = f"zalo error {error}: {body.get('message', '')}"
            if error == TOKEN_EXPIRED and not refreshed:
                token = await self.tokens.refresh(token)
                refreshed = True
                continue
            if error in RETRYABLE_ERRORS:
                raise RetryableSendError(detail)
            raise ChannelSendError(detail)


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
