"""`POST /webhooks/telegram` and `POST /webhooks/zalo`: verify, remember, acknowledge, then answer.

Authentication comes before anything else is read or stored: a forged request costs one comparison.
The platform gets its 200 as soon as the message is remembered; the answer (Rasa, then the send with
retries) runs after the response. A disabled channel's webhook answers 404, as if it did not exist.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from assistant import abuse_limits, messages_vi
from assistant.config import Settings
from assistant.deps import ChatDep, RateLimiterDep
from assistant.rasa_client import BotMessage
from assistant.rate_limit import RateLimiter
from channels import zalo_signature
from channels.deliveries import Job
from channels.services import ChannelServices, telegram_webhook_enabled
from channels.telegram import TelegramChannel
from channels.zalo import ZaloChannel, parse_event

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

MAX_BODY_BYTES = 64 * 1024


def get_channels(request: Request) -> ChannelServices:
    channels: ChannelServices = request.app.state.channels
    return channels


ChannelsDep = Annotated[ChannelServices, Depends(get_channels)]


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refusing with 413 before more than `limit` bytes are held in memory."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, "body too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, "body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: "[[[[…" nested deeper
        raise HTTPException(400, "body is not JSON") from exc        # than the parser's stack, still < 64 KB
    if not isinstance(body, dict):
        raise HTTPException(400, "body is not a JSON object")
    return body


def _ok(duplicate: bool = False) -> JSONResponse:
    return JSONResponse({"ok": True, "duplicate": duplicate})


async def refuse_flooding_address(request: Request, limiter: RateLimiter, settings: Settings) -> None:
    """Per-address limit, checked before anything is read: a forged flood costs one counter."""
    address = abuse_limits.client_address(request)
    decision = await abuse_limits.hit(limiter, f"webhook-ip:{address}", abuse_limits.webhook_ip_limit(settings))
    if not decision.allowed:
        logger.warning("webhook %s: address over its rate limit", request.url.path)
        raise HTTPException(429, "too many requests", headers=abuse_limits.retry_after_header(decision))


async def limit_sender(job: Job, limiter: RateLimiter, settings: Settings) -> Job:
    """The job itself, or for a sender over the limit one polite reply per window and then silence.

    Rasa is not asked for a refused message; the delivery row still records it (as answered locally or
    ignored), so a redelivery stays a duplicate.
    """
    limit = abuse_limits.sender_limit(settings)
    key = f"chat:{job.message.channel}:{job.message.sender_id}"
    decision = await abuse_limits.hit(limiter, key, limit)
    if decision.allowed or limit is None:
        return job
    logger.info("%s: sender over the message limit (conversation %s:%s)", job.message.channel,
                job.message.channel, job.message.sender_id)
    if await abuse_limits.first_refusal(limiter, key, limit):
        minutes = max(1, round(decision.retry_after_s / 60))
        polite = BotMessage(text=messages_vi.RATE_LIMITED.format(minutes=minutes))
        return dataclasses.replace(job, local_replies=(polite,))
    return dataclasses.replace(job, local_replies=())


@router.post("/telegram")
async def telegram_webhook(
    request: Request, background: BackgroundTasks, chat: ChatDep, channels: ChannelsDep, limiter: RateLimiterDep,
    secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
) -> JSONResponse:
    telegram: TelegramChannel | None = channels.telegram
    if telegram is None or not telegram_webhook_enabled(channels.settings):
        raise HTTPException(404, "Telegram webhook is not configured")
    await refuse_flooding_address(request, limiter, channels.settings)
    if not secret:
        raise HTTPException(401, "missing secret token")
    expected = channels.settings.telegram_secret_token.get_secret_value()
    if not hmac.compare_digest(secret.encode("utf-8"), expected.encode("utf-8")):
        raise HTTPException(403, "wrong secret token")
    data = parse_json_object(await read_body(request))
    try:
        inbound = telegram.parse(data)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from exc
    if inbound is None:
        return _ok()
    job = await telegram.accept(inbound)
    if job is None:
        return _ok(duplicate=True)
    job = await limit_sender(job, limiter, channels.settings)
    background.add_task(telegram.process, job, chat)
    return _ok()


@router.post("/zalo")
async def zalo_webhook(
    request: Request, background: BackgroundTasks, chat: ChatDep, channels: ChannelsDep, limiter: RateLimiterDep,
    signature: Annotated[str | None, Header(alias="X-ZEvent-Signature")] = None,
) -> JSONResponse:
    zalo: ZaloChannel | None = channels.zalo
    if zalo is None:
        raise HTTPException(404, "Zalo channel is not configured")
    await refuse_flooding_address(request, limiter, channels.settings)
    try:
        mac = zalo_signature.mac_from_header(signature)
    except zalo_signature.SignatureMissing as exc:
        raise HTTPException(401, str(exc)) from exc
    raw = await read_body(request)
    body = parse_json_object(raw)
    settings = channels.settings
    try:
        zalo_signature.verify(mac, raw, body, settings.zalo_oa_secret.get_secret_value(), settings.zalo_app_id)
    except zalo_signature.SignatureInvalid as exc:
        logger.warning("zalo: rejected a webhook: %s", exc)
        raise HTTPException(403, str(exc)) from exc
    inbound = parse_event(body)
    if inbound is None:
        return _ok()
    job = await zalo.accept(inbound)
    if job is None:
        return _ok(duplicate=True)
    job = await limit_sender(job, limiter, channels.settings)
    background.add_task(zalo.process, job, chat)
    return _ok()
