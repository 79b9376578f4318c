"""Periodic background work of the app (delivery replay, dossier notices) that stops cleanly.

Cancelling a round in the middle would abandon a database call running in a worker thread and leak its
connection; stopping instead lets the current round finish (up to a grace period) before the loop ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class PeriodicTask:
    """Runs `round_` every `interval_s` seconds until `stop()`; a failed round is logged and retried."""

    def __init__(self, name: str, round_: Callable[[], Awaitable[object]], interval_s: float) -> None:
        self.name = name
        self._round = round_
        self._interval_s = interval_s
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> PeriodicTask:
        self._task = asyncio.create_task(self._run(), name=self.name)
        return self

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._round()
            except Exception:  # the next round tries again; the loop must outlive a database outage
                logger.exception("%s: round failed; trying again in %.0f s", self.name, self._interval_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval_s)

    async def stop(self, grace_s: float = 10.0) -> None:
        """Let the running round finish, then end; cancel only a round stuck past `grace_s`."""
        if self._task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace_s)
        except TimeoutError:
            logger.warning("%s: round still running after %.0f s; cancelling it", self.name, grace_s)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
