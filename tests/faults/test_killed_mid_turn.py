"""SIGKILL of the app after a Telegram webhook was acknowledged and before it was answered: answered after restart.

The app runs as a real process (`assistant serve`) against the local fake Bot API. The first one asks a
"Rasa" that accepts the connection and never answers, and is killed (no cleanup runs) while it waits; the
platform, having had its 200, never sends the update again. The restarted app, with a short lease and the
recording Rasa stand-in, must answer the original message by itself, exactly once.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from assistant.config import PROJECT_ROOT
from assistant.processes import free_port
from tests.channels import test_telegram as tg
from tests.fakes.local_server import LocalServer
from tests.fakes.rasa_rest import FakeRasa
from tests.fakes.telegram_api import FakeTelegramApi

QUESTION = "đăng ký khai sinh cần giấy tờ gì"


class SilentServer:
    """Accepts TCP connections, reads what is sent, never answers: a Rasa stuck in the middle of a turn."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._held: list[socket.socket] = []
        self._received = b""
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name="silent-rasa", daemon=True).start()

    def received(self) -> bytes:
        with self._lock:
            return self._received

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return  # closed
            self._held.append(connection)
            threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection: socket.socket) -> None:
        while True:
            try:
                chunk = connection.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self._received += chunk

    def close(self) -> None:
        self._listener.close()
        for connection in self._held:
            connection.close()


@contextmanager
def _app(tmp_path: Path, name: str, port: int, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """`assistant serve` of this checkout as its own process group, stopped (SIGTERM, then SIGKILL) on exit."""
    log = (tmp_path / f"{name}.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 - argv is built here
        [sys.executable, "-m", "assistant.cli", "serve"], cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True, env={**os.environ, "ASSISTANT_PORT": str(port), **env})
    try:
        _wait_until(lambda: _listening(port, process), 120, f"{name} did not start; see {tmp_path / name}.log")
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def _listening(port: int, process: subprocess.Popen[bytes]) -> bool:
    assert process.poll() is None, f"the app exited with code {process.returncode}"
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=3)  # any answer: the index may still load
    except httpx.HTTPError:
        return False
    return True


def _wait_until(condition: Callable[[], bool], timeout_s: float, message: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def _delivery(database: Path) -> tuple[str, bool]:
    with sqlite3.connect(database) as connection:
        status, pending = connection.execute("SELECT status, pending IS NOT NULL FROM channel_deliveries").fetchone()
    return str(status), bool(pending)


def test_a_webhook_acknowledged_by_a_killed_app_is_answered_once_after_the_restart(tmp_path: Path) -> None:
    api, rasa, silent = FakeTelegramApi(tg.TOKEN), FakeRasa(), SilentServer()
    database = tmp_path / "app.db"
    try:
        with LocalServer(api.app) as api_server, LocalServer(rasa.app) as rasa_server:
            common = {"ASSISTANT_DATABASE_URL": f"sqlite:///{database}", "ASSISTANT_INDEX_DIR": str(tmp_path / "ix"),
                      "ASSISTANT_ENCODER_BACKEND": "hashing", "ASSISTANT_TELEGRAM_BOT_TOKEN": tg.TOKEN,
                      "ASSISTANT_TELEGRAM_SECRET_TOKEN": tg.SECRET,
                      "ASSISTANT_TELEGRAM_API_BASE": f"{api_server.url}/bot{{token}}",
                      "ASSISTANT_CHANNEL_REPLAY_INTERVAL_S": "0.2", "ASSISTANT_LOG_FORMAT": "text"}
            port = free_port()
            # A Rasa timeout far longer than the test: the turn is still waiting when the process is killed.
            with _app(tmp_path, "first", port, **common, ASSISTANT_RASA_URL=silent.url,
                      ASSISTANT_RASA_TIMEOUT_S="60", ASSISTANT_CHANNEL_UNANSWERED_AFTER_S="600") as first:
                response = httpx.post(f"http://127.0.0.1:{port}/webhooks/telegram",
                                      json=tg.message_update(80, text=QUESTION),
                                      headers={"X-Telegram-Bot-Api-Secret-Token": tg.SECRET}, timeout=10)
                assert response.json() == {"ok": True, "duplicate": False}
                _wait_until(lambda: b"/webhooks/rest/webhook" in silent.received(), 30, "Rasa was never asked")
                os.killpg(first.pid, signal.SIGKILL)
                assert first.wait(timeout=30) == -signal.SIGKILL
            assert _delivery(database) == ("received", True)
            assert api.calls_to("sendMessage") == []

            lease_s = 3.0
            with _app(tmp_path, "second", free_port(), **common, ASSISTANT_RASA_URL=rasa_server.url,
                      ASSISTANT_RASA_TIMEOUT_S="0.5", ASSISTANT_CHANNEL_UNANSWERED_AFTER_S=str(lease_s)):
                [sent] = api.wait_for("sendMessage", 1, timeout_s=60)
                answered_at = time.monotonic()
                # Past another lease and many rounds: a row still `received`, or claimed twice, would show now.
                _wait_until(lambda: time.monotonic() - answered_at > lease_s + 1, lease_s + 5, "")
                assert _delivery(database) == ("sent", False)
            assert sent.params["chat_id"] == str(tg.CHAT_ID) and sent.params["text"] == f"Bạn hỏi: {QUESTION}"
            assert len(api.calls_to("sendMessage")) == 1
            assert [call["message"] for call in rasa.calls] == [QUESTION]
    finally:
        silent.close()
