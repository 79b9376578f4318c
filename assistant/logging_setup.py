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
# Phone numbers (0912 345 678, +84 912.345.678) and ID numbers (9-digit CMND, 12-digit CCCD) and any
# longer digit run. Dossier codes (000.00.15.H29-250714-0001) have shorter runs and stay readable.
_PHONE = re.compile(r"(?<![\w.])(?:\+84|84|0)(?:[ .\-]?\d){8,10}(?![\w])")
_DIGIT_RUN = re.compile(r"\d{9,}")
# key=value or "key": "value" for secrets and verification answers.
_SECRET_KEYS = r"verification|verify|answer|password|passwd|token|secret|otp|phone|cccd|cmnd"
_KEY_VALUE = re.compile(rf"""(?i)(["']?(?:\w*(?:{_SECRET_KEYS})\w*)["']?\s*[:=]\s*)(["']?)[^\s,;&"'}}]+\2""")


def redact(text: str) -> str:
    """`text` with secrets after known keys, phone-like and ID-like digit runs replaced."""
    text = _KEY_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}{m.group(2)}", text)
    text = _PHONE.sub(REDACTED, text)
    return _DIGIT_RUN.sub(REDACTED, text)


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


def configure_logging(level: str, fmt: LogFormat = "text") -> None:
    """Replace the root handlers with one stream handler (uvicorn's loggers propagate to it)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(build_handler(fmt))
    root.setLevel(level.upper())
