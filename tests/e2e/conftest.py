"""Start the real system — app, Rasa and the action server — on free ports, and always stop it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant import processes
from assistant.config import Settings
from tests import chat_ids


@dataclass
class RunningSystem:
    app_url: str
    running: list[processes.RunningProcess]
    log_dir: Path

    def process(self, name: str) -> processes.RunningProcess:
        return next(p for p in self.running if p.spec.name == name)

    def restart(self, name: str) -> None:
        """Start a stopped process again (fault tests stop one and must leave the system whole)."""
        old = self.process(name)
        new = processes.start(old.spec, self.log_dir)
        self.running[self.running.index(old)] = new
        processes.wait_healthy([new], timeout_s=120)

    def chat(self, sender: str, text: str) -> httpx.Response:
        """One turn of the conversation a test names `sender` (sent with its signed id, as the widget does)."""
        return httpx.post(f"{self.app_url}/api/chat", json={"sender_id": chat_ids.signed(sender), "text": text},
                          timeout=30)


def _missing_rasa_parts() -> str | None:
    if not (processes.RASA_VENV / "bin" / "rasa").exists():
        return "the Rasa environment .venv-rasa is missing; run `make test` (it builds it)"
    if not list(processes.MODEL_DIR.glob("*.tar.gz")):
        return "no trained Rasa model in nlu/models; run `make train`"
    return None


@pytest.fixture(scope="session")
def system(kb_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    reason = _missing_rasa_parts()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    log_dir = tmp_path_factory.mktemp("e2e-logs")
    app_port, rasa_port, action_port = processes.free_port(), processes.free_port(), processes.free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    specs = processes.system_specs(
        app_port=app_port, rasa_port=rasa_port, action_port=action_port,
        tracker_db_url=f"sqlite:///{log_dir / 'trackers.db'}",
        app_env={"ASSISTANT_DATABASE_URL": kb_settings.database_url,
                 "ASSISTANT_INDEX_DIR": str(kb_settings.index_dir)},
    )
    running: list[processes.RunningProcess] = []
    try:
        for spec in specs:
            running.append(processes.start(spec, log_dir))
        processes.wait_healthy(running, timeout_s=300)
        yield RunningSystem(app_url=app_url, running=running, log_dir=log_dir)
    finally:
        processes.stop(running)
