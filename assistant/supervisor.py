"""Keep the processes of `make run` up: a child that exits is started again, after a growing pause.

`make run` used to stop the whole assistant when any one process exited (the action server crashing took
the app and Rasa down with it). The compose deployment instead restarts a failed container on its own
(`restart: unless-stopped`, with Docker's growing delay); this does the same for the local processes. Each
restart is logged with the exit code and the pause; a process that stayed up `stable_after_s` is counted as
healthy again and its next failure starts from the shortest pause.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant import processes

logger = logging.getLogger(__name__)


@dataclass
class _Child:
    running: processes.RunningProcess
    started_at: float
    failures: int = 0  # consecutive exits without a stable run in between
    restart_at: float | None = None  # set while the child waits for its restart


@dataclass
class Supervisor:
    """Restarts exited children with exponential backoff; call `check()` every second or so."""

    log_dir: Path
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0
    stable_after_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _children: list[_Child] = field(default_factory=list)

    def watch(self, running: Sequence[processes.RunningProcess]) -> None:
        now = self.clock()
        self._children.extend(_Child(item, started_at=now) for item in running)

    @property
    def running(self) -> list[processes.RunningProcess]:
        """The current process of every child (to stop them all at the end)."""
        return [child.running for child in self._children]

    def restarts(self, name: str) -> int:
        """How many times in a row `name` has failed (0 once it ran stably)."""
        return next(child.failures for child in self._children if child.running.spec.name == name)

    def check(self) -> None:
        now = self.clock()
        for child in self._children:
            item = child.running
            if child.restart_at is None:
                code = item.process.poll()
                if code is None:
                    if child.failures and now - child.started_at >= self.stable_after_s:
                        child.failures = 0
                    continue
                _kill_group(item)  # a killed parent can leave workers holding its port
                delay = min(self.max_delay_s, self.base_delay_s * 2 ** child.failures)
                child.failures += 1
                child.restart_at = now + delay
                logger.error("%s stopped (code %s); restarting it in %.1f s (restart %d), as the compose "
                             "deployment's restart policy would; see %s", item.spec.name, code, delay,
                             child.failures, item.log_path)
            elif now >= child.restart_at:
                child.running = processes.start(item.spec, self.log_dir)
                child.started_at, child.restart_at = now, None
                logger.warning("%s restarted (pid %s)", item.spec.name, child.running.process.pid)


def _kill_group(item: processes.RunningProcess) -> None:
    try:
        os.killpg(item.process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the whole group is gone already
