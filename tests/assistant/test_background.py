"""Background loops finish their round before stopping and survive a failed round."""

from __future__ import annotations

import asyncio

from assistant.background import PeriodicTask


def test_stop_lets_the_running_round_finish() -> None:
    events: list[str] = []

    async def round_() -> None:
        events.append("start")
        await asyncio.sleep(0.2)
        events.append("end")

    async def scenario() -> None:
        task = PeriodicTask("t", round_, interval_s=60).start()
        await asyncio.sleep(0.05)
        await task.stop(grace_s=5)

    asyncio.run(scenario())
    assert events == ["start", "end"]


def test_a_failed_round_is_retried_and_a_stuck_round_is_cancelled() -> None:
    calls: list[int] = []

    async def round_() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database down")
        await asyncio.sleep(30)

    async def scenario() -> None:
        task = PeriodicTask("t", round_, interval_s=0.01).start()
        await asyncio.sleep(0.1)
        await task.stop(grace_s=0.1)

    asyncio.run(scenario())
    assert len(calls) == 2
