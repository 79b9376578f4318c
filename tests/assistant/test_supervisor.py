"""`make run` keeps going when one process dies: real child processes are killed and come back."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import processes
from assistant.supervisor import Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
CRASHER = [sys.executable, "-c", "raise SystemExit(3)"]


def _spec(name: str, argv: list[str]) -> processes.ProcessSpec:
    return processes.ProcessSpec(name=name, argv=argv, health_url="http://127.0.0.1:9/")


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[Supervisor]:
    watched = Supervisor(tmp_path, base_delay_s=0.2, max_delay_s=1.0, stable_after_s=1.5)
    yield watched
    processes.stop(watched.running, grace_s=2)


def _until(condition: object, supervisor: Supervisor, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        supervisor.check()
        time.sleep(0.05)


def test_a_killed_process_comes_back_and_the_others_keep_running(
    supervisor: Supervisor, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="assistant.supervisor")
    supervisor.watch([processes.start(_spec("actions", SLEEPER), tmp_path),
                      processes.start(_spec("app", SLEEPER), tmp_path)])
    actions, app = supervisor.running
    os.killpg(actions.process.pid, signal.SIGKILL)

    _until(lambda: supervisor.running[0].process.pid != actions.process.pid, supervisor)
    restarted = supervisor.running[0]
    assert restarted.spec is actions.spec and restarted.process.poll() is None
    assert actions.process.poll() == -signal.SIGKILL
    # The app was never touched: same process, still running.
    assert supervisor.running[1] is app and app.process.poll() is None
    said = caplog.text
    assert "actions stopped (code -9); restarting it in 0.2 s (restart 1)" in said
    assert "restart policy" in said and "actions restarted (pid" in said

    # Up long enough: counted as healthy, so its next failure starts from the shortest pause again.
    _until(lambda: supervisor.restarts("actions") == 0, supervisor)


def test_a_process_that_keeps_failing_is_restarted_with_growing_pauses(supervisor: Supervisor,
                                                                        tmp_path: Path) -> None:
    supervisor.watch([processes.start(_spec("rasa", CRASHER), tmp_path)])
    starts: list[float] = []
    pid = supervisor.running[0].process.pid

    def restarted() -> bool:
        nonlocal pid
        if supervisor.running[0].process.pid != pid:
            pid = supervisor.running[0].process.pid
            starts.append(time.monotonic())
        return len(starts) >= 4

    _until(restarted, supervisor)
    pauses = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    # 0.2, 0.4, 0.8, then capped at 1.0 s (plus the child's own start-up and exit).
    assert pauses[0] < pauses[1] < pauses[2] + 0.3 and max(pauses) < 3.0, pauses
    assert supervisor.restarts("rasa") >= 4
