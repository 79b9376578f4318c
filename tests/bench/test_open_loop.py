"""The open-loop load's arithmetic: which messages a rate is judged on, and whose CPU a message costs."""

from __future__ import annotations

import os
import socket

import pytest

from bench.open_loop import _spent, _Turns, postgres_pids, summarise


def test_only_messages_sent_inside_the_window_are_measured() -> None:
    turns = _Turns(sent_at=[0.5, 1.0, 2.0, 3.0, 10.5, 11.0], latency_ms=[900.0, 10.0, 20.0, 30.0, 40.0, 800.0],
                   failed=1)
    row = summarise(turns, window_opens=1.0, window_s=10.0)
    # 0.5 s is warm-up, 11.0 s is after the window: neither slow outlier counts.
    assert row["messages"] == 4
    assert row["p50_ms"] == 25.0 and row["p99_ms"] == 40.0
    assert row["achieved_msgs_per_s"] == 0.4
    assert row["failed"] == 1


def test_a_rate_with_no_message_in_the_window_says_so() -> None:
    assert summarise(_Turns(), window_opens=0.0, window_s=60.0) == {"messages": 0, "failed": 0}


def test_cpu_of_a_process_started_in_the_window_counts_from_zero() -> None:
    before = {"app": {10: 5.0}, "postgresql": {20: 1.0, 21: 2.0}}
    after = {"app": {10: 5.5}, "postgresql": {20: 1.25, 21: 2.0, 22: 0.5}}
    assert _spent(before, after) == {"app": 0.5, "postgresql": 0.75}


def _postgres_listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _postgres_listening(), reason="no PostgreSQL server on 127.0.0.1:5432 on this machine")
def test_postgres_processes_are_found() -> None:
    pids = postgres_pids()
    assert pids and os.getpid() not in pids
