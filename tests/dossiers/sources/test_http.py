from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from dossiers.domain import DossierStatus
from dossiers.sources import DossierSourceUnavailable
from dossiers.sources.http import HttpDossierSource
from dossiers.verification import matches
from tests.dossiers.conftest import CODE, PEPPER
from tests.fakes.dossier_system import FakeDossierSystem, wire_dossier
from tests.fakes.local_server import LocalServer


@pytest.fixture
def fake() -> Iterator[tuple[FakeDossierSystem, str]]:
    system = FakeDossierSystem(dossiers={CODE: wire_dossier(CODE)})
    with LocalServer(system.app()) as server:
        yield system, server.url


def _get(url: str, code: str = CODE, *, timeout_s: float = 2.0, retries: int = 2) -> object:
    async def run() -> object:
        async with httpx.AsyncClient() as client:
            source = HttpDossierSource(client, url, pepper=PEPPER, timeout_s=timeout_s, retries=retries,
                                       backoff_s=0.01)
            return await source.get(code)
    return asyncio.run(run())


def test_a_known_dossier_is_read_and_its_answers_become_digests(fake: tuple[FakeDossierSystem, str]) -> None:
    _, url = fake
    record = _get(url)
    assert record is not None and record.status is DossierStatus.IN_PROCESS  # type: ignore[attr-defined]
    assert record.source == "http" and record.history[0].status is DossierStatus.RECEIVED  # type: ignore[attr-defined]
    digests = record.verifier_digests  # type: ignore[attr-defined]
    assert matches(PEPPER, CODE, "4321", digests) and matches(PEPPER, CODE, "8765", digests)
    assert "4321" not in repr(record)


def test_an_unknown_code_is_none_without_retrying(fake: tuple[FakeDossierSystem, str]) -> None:
    system, url = fake
    assert _get(url, "000.00.15.H29-260213-0999") is None
    assert system.requests == 1


def test_5xx_is_retried_with_backoff_then_succeeds(fake: tuple[FakeDossierSystem, str]) -> None:
    system, url = fake
    system.fail_next = 2
    assert _get(url, retries=2) is not None
    assert system.requests == 3


def test_persistent_5xx_makes_the_source_unavailable(fake: tuple[FakeDossierSystem, str]) -> None:
    system, url = fake
    system.always_fail = True
    with pytest.raises(DossierSourceUnavailable, match="HTTP 503"):
        _get(url, retries=1)
    assert system.requests == 2


def test_a_slow_system_times_out_and_is_unavailable(fake: tuple[FakeDossierSystem, str]) -> None:
    system, url = fake
    system.delay_s = 1.0
    with pytest.raises(DossierSourceUnavailable, match="timeout"):
        _get(url, timeout_s=0.2, retries=1)


def test_an_off_format_answer_is_unavailable_not_not_found(fake: tuple[FakeDossierSystem, str]) -> None:
    system, url = fake
    system.dossiers[CODE] = {**wire_dossier(CODE), "status": "lost"}
    with pytest.raises(DossierSourceUnavailable, match="off-format"):
        _get(url)
