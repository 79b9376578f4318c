"""The client address: X-Forwarded-For counts only from a configured proxy, and only its right end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import sessionmaker

from assistant.config import Settings
from assistant.main import create_app
from assistant.proxies import TrustedProxies, parse_networks
from assistant.search_service import SearchService

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.5"
REAL = "198.51.100.7"


@pytest.fixture
def proxies() -> TrustedProxies:
    return TrustedProxies(parse_networks(f"{PROXY}, 10.1.0.0/24, ::1"))


@pytest.mark.parametrize(("peer", "forwarded", "client"), [
    ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not a proxy: whatever it wrote is ignored
    ("203.0.113.9", f"{REAL}, {PROXY}", "203.0.113.9"),  # not even when it names a trusted proxy in it
    (PROXY, None, PROXY),  # a proxy's own request
    (PROXY, REAL, REAL),
    (PROXY, f"6.6.6.6, 7.7.7.7, {REAL}", REAL),  # the client wrote the left part; nginx appended the right
    (PROXY, f"6.6.6.6, {REAL}, 10.1.0.9", REAL),  # a second trusted hop (a load balancer) is skipped
    (PROXY, f"{REAL}:5123", REAL),  # a port is not part of the address
    (PROXY, "[2001:db8::1]:443", "2001:db8::1"),
    (PROXY, f"{PROXY}, 10.1.0.9", PROXY),  # only our own hops: the first one is the client
    ("::1", f"garbage, {REAL}", REAL),
])
def test_the_client_is_the_right_most_untrusted_address(
        proxies: TrustedProxies, peer: str, forwarded: str | None, client: str) -> None:
    assert proxies.client(peer, forwarded) == client


def test_nothing_is_trusted_by_default() -> None:
    assert not TrustedProxies(Settings().trusted_proxy_networks)
    assert TrustedProxies(()).client("127.0.0.1", REAL) == "127.0.0.1"


def test_a_trusted_proxy_that_is_not_an_address_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="ASSISTANT_TRUSTED_PROXIES holds 'proxy'"):
        Settings(trusted_proxies="10.0.0.5, proxy")


def _resolve_statuses(tmp_path: Path, peer: str, forwarded_for: list[str]) -> list[int]:
    """Address resolutions from `peer`, one per X-Forwarded-For value, with a budget of 3 per client address."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", index_dir=tmp_path / "index",
                        rasa_url="http://127.0.0.1:9", trusted_proxies=PROXY, rate_limit_search_per_ip=3)
    app = create_app(settings, search=SearchService(settings, sessionmaker()))
    with TestClient(app, client=(peer, 40000)) as client:
        return [client.get("/api/communes/resolve", params={"address": "phường Bến Nghé"},
                           headers={"X-Forwarded-For": value}).status_code for value in forwarded_for]


def test_a_client_cannot_escape_its_address_budget_by_writing_x_forwarded_for(tmp_path: Path) -> None:
    spoofed = [f"192.0.2.{i}" for i in range(5)]
    assert _resolve_statuses(tmp_path, "203.0.113.9", spoofed)[3:] == [429, 429]
    # Through the proxy, the client-written left part changes every time; the address nginx appended does not.
    through_proxy = [f"192.0.2.{i}, {REAL}" for i in range(5)]
    assert _resolve_statuses(tmp_path, PROXY, through_proxy)[3:] == [429, 429]


def test_clients_behind_the_trusted_proxy_each_get_their_own_budget(tmp_path: Path) -> None:
    statuses = _resolve_statuses(tmp_path, PROXY, [f"198.51.100.{i}" for i in range(6)])
    assert 429 not in statuses and len(set(statuses)) == 1


def test_serve_leaves_forwarded_headers_to_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """uvicorn's own handling would trust FORWARDED_ALLOW_IPS ("*" took the client-written left-most entry)."""
    import uvicorn

    from assistant import cli

    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: captured.update(kwargs))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 's.db'}", index_dir=tmp_path / "index")
    assert cli._serve(None, settings) == 0  # type: ignore[arg-type]
    assert captured["proxy_headers"] is False


def test_compose_trusts_forwarded_addresses_only_from_its_proxy() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    app_env = services["app"]["environment"]
    assert "FORWARDED_ALLOW_IPS" not in app_env
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    assert app_env["ASSISTANT_TRUSTED_PROXIES"] == proxy_address
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    [network] = parse_networks(subnet)
    assert TrustedProxies([network]).trusts(proxy_address)
    nginx = (ROOT / "docker" / "nginx" / "nginx.conf").read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
