"""A long request path is logged (redacted) and answered at once, and the app keeps answering everyone else.

Every access-log line goes through the redaction on the event loop; when one pattern was quadratic, a 6 KB
path kept `/healthz` from answering for two minutes. This runs the real server and its access log.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy.orm import sessionmaker

from assistant.config import Settings
from assistant.logging_setup import build_handler
from assistant.main import create_app
from assistant.processes import free_port
from assistant.search_service import SearchService


@pytest.fixture
def served_with_access_log(tmp_path: Path) -> Iterator[tuple[str, io.StringIO]]:
    """The app on a free port with uvicorn's access log going through the app's redacting handler."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'paths.db'}", index_dir=tmp_path / "index",
                        rasa_url="http://127.0.0.1:9", action_server_url="http://127.0.0.1:9")
    app = create_app(settings, search=SearchService(settings, sessionmaker()))
    stream = io.StringIO()
    handler = build_handler("json")
    handler.setStream(stream)  # type: ignore[attr-defined]
    access = logging.getLogger("uvicorn.access")
    saved = access.level, access.propagate
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=True))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the app did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}", stream
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        access.removeHandler(handler)
        access.setLevel(saved[0])
        access.propagate = saved[1]


def test_a_6_kb_path_is_answered_quickly_while_healthz_keeps_answering(
    served_with_access_log: tuple[str, io.StringIO],
) -> None:
    url, access_log = served_with_access_log
    long_path = "/" + "a" * 6144
    outcome: dict[str, object] = {}

    def long_request() -> None:
        started = time.perf_counter()
        try:
            with httpx.Client(timeout=5) as client:
                outcome["status"] = client.get(url + long_path).status_code
        except httpx.HTTPError as exc:
            outcome["status"] = type(exc).__name__
        outcome["seconds"] = time.perf_counter() - started

    health_latencies: list[float] = []
    with httpx.Client(base_url=url, timeout=5) as client:
        client.get("/healthz")  # warm: the first request opens the database
        sender = threading.Thread(target=long_request)
        sender.start()
        while sender.is_alive() or len(health_latencies) < 5:
            started = time.perf_counter()
            try:
                status = client.get("/healthz").status_code
            except httpx.HTTPError:
                status = 0
            health_latencies.append(time.perf_counter() - started)
            assert status in (200, 503), "healthz answers (503 only says the test app has no index)"
            time.sleep(0.02)
        sender.join()
    assert outcome["status"] == 404
    assert float(outcome["seconds"]) < 1.0  # type: ignore[arg-type]
    assert max(health_latencies) < 1.0, f"healthz took up to {max(health_latencies):.2f} s"
    logged = [line for line in access_log.getvalue().splitlines() if "aaaa" in line]
    assert len(logged) == 1 and long_path in logged[0], "the long request was logged, whole and redacted"
