"""The real client address behind reverse proxies, trusted only from the proxies the operator names.

Per-address limits (chat, webhooks, staff login, dossier lookups, search) are only as good as the address
they count. `X-Forwarded-For` is written first by the client, then appended to by each proxy, so only its
right end is trustworthy: walking it from the right, the first address that is not one of our proxies is
the client. It is read only when the peer itself is a trusted proxy (`ASSISTANT_TRUSTED_PROXIES`); any other
peer is the client, whatever the header says. uvicorn's own proxy-header handling is switched off
(`assistant serve`), so this middleware is the one place that decides.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import Any

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Longest X-Forwarded-For read: a client may pad the header, and only its right end matters.
MAX_FORWARDED_ENTRIES = 32


class InvalidTrustedProxy(ValueError):
    """An entry of ASSISTANT_TRUSTED_PROXIES is neither an IP address nor a network."""


def parse_networks(value: str) -> tuple[Network, ...]:
    """"10.0.0.5, 172.30.0.0/24" as networks; raises `InvalidTrustedProxy` naming the bad entry."""
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise InvalidTrustedProxy(
                f"ASSISTANT_TRUSTED_PROXIES holds {entry!r}, which is neither an IP address nor a network "
                "(e.g. 172.30.0.10 or 172.30.0.0/24).") from None
    return tuple(networks)


def _host(entry: str) -> str:
    """An X-Forwarded-For entry without its port ("1.2.3.4:5678", "[::1]:80")."""
    entry = entry.strip()
    if entry.startswith("["):
        return entry[1:entry.find("]")] if "]" in entry else entry
    if entry.count(":") == 1:
        return entry.split(":", 1)[0]
    return entry


class TrustedProxies:
    """Which peers may speak for a client, and who the client is according to them."""

    def __init__(self, networks: Iterable[Network]) -> None:
        self._networks = tuple(networks)

    def __bool__(self) -> bool:
        return bool(self._networks)

    def trusts(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self._networks)

    def client(self, peer: str, forwarded_for: str | None) -> str:
        """The client address of a request from `peer` carrying `forwarded_for` (X-Forwarded-For)."""
        if not forwarded_for or not self.trusts(peer):
            return peer
        entries = [_host(e) for e in forwarded_for.split(",")[-MAX_FORWARDED_ENTRIES:]]
        entries = [e for e in entries if e]
        for entry in reversed(entries):
            if not self.trusts(entry):
                return entry
        return entries[0] if entries else peer  # every hop is one of ours: the first one is the client


class ForwardedClientMiddleware:
    """Puts the real client address in `scope["client"]` (and the scheme from X-Forwarded-Proto) for a
    request a trusted proxy forwarded; leaves every other request as it came."""

    def __init__(self, app: Any, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client and self.proxies.trusts(client[0]):
            forwarded_for = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"]
            proto = next((v.decode("latin-1").strip() for k, v in scope.get("headers", ())
                          if k == b"x-forwarded-proto"), "")
            scope = dict(scope)
            scope["client"] = (self.proxies.client(client[0], ", ".join(forwarded_for)), 0)
            if scope["type"] == "http" and proto in ("http", "https"):
                scope["scheme"] = proto
        await self.app(scope, receive, send)
