"""Sending with retries: a platform that is briefly down or rate-limiting must not cost a reply."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from assistant.rasa_client import BotMessage
from channels.base import ChannelSender, ChannelSendError

logger = logging.getLogger(__name__)


class RetryableSendError(ChannelSendError):
    """The platform failed in a way worth trying again (network, HTTP 429/5xx, rate limit)."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff; a platform's own "retry after" wins when it asks for longer, up to the cap."""

    attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0

    def delay(self, failed_attempts: int, retry_after_s: float | None = None) -> float:
        backoff = self.base_delay_s * (2 ** (failed_attempts - 1))
        if retry_after_s is not None:
            backoff = max(backoff, retry_after_s)
        return min(backoff, self.max_delay_s)


@dataclass
class SendOutcome:
    sent: int = 0  # bot messages delivered, in order
    attempts: int = 0  # calls to the sender, including failed ones
    error: str = ""


async def send_all(sender: ChannelSender, recipient_id: str, messages: list[BotMessage],
                   policy: RetryPolicy) -> SendOutcome:
    """Deliver messages one by one, retrying each, so a retry never repeats an already-delivered one.

    Stops at the first message that cannot be delivered: later ones would read out of order.
    """
    outcome = SendOutcome()
    for message in messages:
        failures = 0
        while True:
            outcome.attempts += 1
            try:
                await sender.send(recipient_id, [message])
            except RetryableSendError as exc:
                failures += 1
                outcome.error = str(exc)
                if failures >= policy.attempts:
                    return outcome
                wait = policy.delay(failures, exc.retry_after_s)
                logger.warning("send to %s failed (%s), retry %d/%d in %.2f s", recipient_id, exc,
                               failures, policy.attempts - 1, wait)
                await asyncio.sleep(wait)
                continue
            except ChannelSendError as exc:
                outcome.error = str(exc)
                return outcome
            outcome.sent += 1
            outcome.error = ""
            break
    return outcome
