"""Logging for the app and the CLI: text for a terminal, one JSON object per line for a collector.

Every record carries the channel and conversation id of the chat turn being handled (set by the chat
path through `conversation_context`), so one conversation can be followed across replicas. A redaction
filter masks phone-like and ID-like digit runs and verification answers in every message: code must not
log personal data in the first place, the filter is the second line of defence.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Literal

LogFormat = Literal["json", "text"]

CHANNEL: ContextVar[str] = ContextVar("log_channel", default="")
CONVERSATION_ID: ContextVar[str] = ContextVar("log_conversation_id", default="")

REDACTED = "[redacted]"
# Every pattern here runs on every log line, on the event loop, over text a client controls (the request
# path of an access-log line): each one is linear in the line's length. No pattern starts a match inside a
# word or digit run (a look-behind refuses it), repetitions are bounded or cannot overlap what follows them,
# and which words name a secret is decided in Python one word at a time (an unanchored `\w*(key)\w*` took
# quadratic time: 27 s for a 3 KB path).
# Phone numbers (0912 345 678, +84 912.345.678, 0912/345/678, 0912  345  678) and ID numbers (9-digit CMND,
# 12-digit CCCD) and any longer digit run. Dossier codes (000.00.15.H29-250714-0001) have shorter runs and
# stay readable.
_PHONE = re.compile(r"(?<![\w.])(?:\+84|84|0)(?:[ .\-/]{0,3}\d){8,10}(?!\w)")
_DIGIT_RUN = re.compile(r"\d{9,}")
# A Telegram bot token (`<bot id>:<secret>`, e.g. inside httpx's "…/bot123456:AAE…/sendMessage" line): the
# whole token, not only its digits.
_BOT_TOKEN = re.compile(r"(?<!\d)\d{3,20}:[A-Za-z0-9_\-]{20,}")
# key=value or "key": "value" for secrets and verification answers. `_KEY` finds a whole word followed by an
# optional closing quote and the separator; only when that word names a secret is `_VALUE` matched at the
# position right after it (a quoted value or one up to the next delimiter), so a value is scanned once.
_SECRET_KEY = re.compile(r"(?i)verification|verify|answer|password|passwd|token|secret|otp|phone|cccd|cmnd")
_KEY = re.compile(r"""(?<!\w)(\w+)["']?[ \t]*[:=][ \t]*""")
_VALUE = re.compile(r"""(["']?)[^\s,;&"'}]+\1""")


def _redact_secret_values(text: str) -> str:
    pieces: list[str] = []
    kept_from = position = 0
    while (key := _KEY.search(text, position)) is not None:
        position = key.end()
        if _SECRET_KEY.search(key.group(1)) is None:
            continue
        value = _VALUE.match(text, position)
        if value is None:
            continue
        quote = value.group(1)
        pieces.append(text[kept_from:position])
        pieces.append(f"{quote}{REDACTED}{quote}")
        kept_from = position = value.end()
    pieces.append(text[kept_from:])
    return "".join(pieces)


def redact(text: str) -> str:
    """`text` with bot tokens, phone-like and ID-like digit runs and secrets after known keys replaced."""
    text = _BOT_TOKEN.sub(REDACTED, text)
    text = _PHONE.sub(REDACTED, text)
    text = _DIGIT_RUN.sub(REDACTED, text)
    return _redact_secret_values(text)


class RedactionFilter(logging.Filter):
    """Formats the message once, redacted, so no handler can print the raw arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed %-format: keep the template, drop the arguments
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class ContextFilter(logging.Filter):
    """Copies the chat turn's channel and conversation id onto the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.channel = CHANNEL.get()
        record.conversation_id = CONVERSATION_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, channel, conversation_id."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            # timezone.utc, not datetime.UTC: Rasa and the action server (Python 3.10) use this formatter too.
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(  # noqa: UP017
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "channel": getattr(record, "channel", ""),
            "conversation_id": getattr(record, "conversation_id", ""),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(channel)s %(conversation_id)s] %(message)s"


@contextmanager
def conversation_context(channel: str, conversation_id: str) -> Iterator[None]:
    """Tag every log record written inside the block (same task or thread) with this conversation."""
    channel_token = CHANNEL.set(channel)
    conversation_token = CONVERSATION_ID.set(conversation_id)
    try:
        yield
    finally:
        CHANNEL.reset(channel_token)
        CONVERSATION_ID.reset(conversation_token)


def build_handler(fmt: LogFormat = "text") -> logging.Handler:
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


# Loggers that write a line per outgoing HTTP request at INFO, URL included: a Telegram Bot API URL carries
# the bot token. The redaction removes it anyway; their failures (WARNING and up) are still logged.
QUIET_LOGGERS = ("httpx", "httpcore")


def configure_logging(level: str, fmt: LogFormat = "text") -> None:
    """Replace the root handlers with one stream handler (uvicorn's loggers propagate to it)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(build_handler(fmt))
    root.setLevel(level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
