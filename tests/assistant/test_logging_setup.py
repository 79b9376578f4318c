from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from assistant.logging_setup import REDACTED, build_handler, conversation_context, redact


@pytest.fixture
def json_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = build_handler("json")
    handler.setStream(stream)  # type: ignore[attr-defined]
    logger = logging.getLogger("tests.json_log")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    logger.propagate = True


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_level_logger_and_the_conversation_of_the_turn(
    json_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = json_log
    with conversation_context("telegram", "telegram:abc"):
        logger.info("turn handled in %d ms", 120)
    logger.warning("outside a turn")
    inside, outside = _lines(stream)
    assert inside["level"] == "INFO" and inside["logger"] == "tests.json_log"
    assert inside["message"] == "turn handled in 120 ms"
    assert (inside["channel"], inside["conversation_id"]) == ("telegram", "telegram:abc")
    assert str(inside["timestamp"]).endswith("+00:00")
    assert (outside["channel"], outside["conversation_id"]) == ("", "")


def test_phone_and_id_numbers_and_verification_answers_never_reach_the_log(
    json_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = json_log
    logger.info("citizen wrote %s and %s", "0912 345 678", "+84 912.345.678")
    logger.info("cccd 001203004567 lookup verification=%s", "Nguyen Van A")
    logger.info("dossier %s checked", "000.00.15.H29-250714-0001")
    phones, ids, dossier = (str(line["message"]) for line in _lines(stream))
    assert "912" not in phones and phones.count(REDACTED) == 2
    assert "001203004567" not in ids and "Nguyen" not in ids
    assert dossier == "dossier 000.00.15.H29-250714-0001 checked"


def test_exceptions_are_logged_redacted() -> None:
    stream = io.StringIO()
    handler = build_handler("json")
    handler.setStream(stream)  # type: ignore[attr-defined]
    logger = logging.getLogger("tests.json_exc")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise ValueError("bad phone 0987654321")
    except ValueError:
        logger.exception("update failed")
    logger.removeHandler(handler)
    entry = json.loads(stream.getvalue())
    assert "ValueError" in entry["exception"] and "0987654321" not in entry["exception"]


def test_text_format_keeps_the_conversation_too() -> None:
    stream = io.StringIO()
    handler = build_handler("text")
    handler.setStream(stream)  # type: ignore[attr-defined]
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    with conversation_context("zalo", "zalo:42"):
        handler.handle(record)
    assert "[zalo zalo:42] hello world" in stream.getvalue()


@pytest.mark.parametrize("text", ["port 8000 ready", "took 145.4 ms", "procedure 1.001193", "2026-11-24",
                                  "GET /api/x?a=1&b=2 HTTP/1.1", "at 12:30:45"])
def test_ordinary_numbers_stay(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("gọi 0912/345/678", f"gọi {REDACTED}"),
    ("gọi 0912  345  678 nhé", f"gọi {REDACTED} nhé"),
    ("foo: password=abc x=1&token=\"zz\"", f"foo: password={REDACTED} x=1&token=\"{REDACTED}\""),
    ('{"verification_answer": "7394", "secret_key" = s3cr3t}', f'{{"verification_answer": "{REDACTED}", '
                                                                f'"secret_key" = {REDACTED}}}'),
    ("phone: +84 912.345.678", f"phone: {REDACTED}"),
])
def test_secrets_written_the_other_ways_are_redacted_too(text: str, expected: str) -> None:
    assert redact(text) == expected


TELEGRAM_TOKEN = "7312345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-x_9"


def test_the_telegram_bot_token_in_httpx_request_lines_is_redacted_whole(
    json_log: tuple[logging.Logger, io.StringIO],
) -> None:
    """httpx logs every request URL at INFO, and a Bot API URL holds the whole token ("…/bot<id>:<secret>/…")."""
    import httpx

    _, stream = json_log
    httpx_logger = logging.getLogger("httpx")
    handler = logging.getLogger("tests.json_log").handlers[0]
    httpx_logger.addHandler(handler)
    level, httpx_logger.level = httpx_logger.level, logging.INFO  # even when someone turns it up again
    try:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
        with httpx.Client(transport=transport) as client:
            client.post(f"https://api.telegram.org/bot{TELEGRAM_TOKEN}/sendMessage", json={"chat_id": 1})
    finally:
        httpx_logger.removeHandler(handler)
        httpx_logger.setLevel(level)
    output = stream.getvalue()
    assert "sendMessage" in output and f"/bot{REDACTED}/sendMessage" in output
    secret = TELEGRAM_TOKEN.split(":", 1)[1]
    for piece in (TELEGRAM_TOKEN, secret, secret[:12], secret[-12:]):
        assert piece not in output


def test_httpx_request_lines_are_not_logged_by_default() -> None:
    from assistant.logging_setup import configure_logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        configure_logging("INFO")
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert logging.getLogger("httpx").isEnabledFor(logging.WARNING)
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)


def test_the_chat_path_tags_its_log_lines_with_channel_and_conversation(
    json_log: tuple[logging.Logger, io.StringIO],
) -> None:
    import asyncio

    from assistant.chat_service import ChatService
    from assistant.rasa_client import BotMessage
    from channels.base import IncomingMessage

    logger, stream = json_log

    class SilentRasa:
        async def send(self, sender_id: str, text: str, metadata: dict[str, object] | None = None) -> list[BotMessage]:
            logger.info("rasa called")
            return []

    service = ChatService(SilentRasa())  # type: ignore[arg-type]
    asyncio.run(service.handle(IncomingMessage(channel="telegram", sender_id="9001", text="khai sinh")))
    (entry,) = _lines(stream)
    assert (entry["channel"], entry["conversation_id"]) == ("telegram", "telegram:9001")
