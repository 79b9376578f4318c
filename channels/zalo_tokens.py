"""Zalo OA access tokens: read from the database, refreshed on demand, both tokens replaced together.

A refresh token works once. The new pair is written in one transaction as soon as Zalo returns it, so a
crash can never leave the database holding a refresh token that has already been spent.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from assistant.db import session_scope
from channels.base import ChannelSendError
from channels.models import ZaloToken
from knowledge.models import utcnow

logger = logging.getLogger(__name__)


class TokenRefreshFailed(ChannelSendError):
    """Zalo did not issue a new access token."""


class ZaloTokens:
    def __init__(self, factory: sessionmaker[Session], http: httpx.AsyncClient, *, app_id: str,
                 app_secret: str, oauth_base: str, initial_access: str, initial_refresh: str) -> None:
        self._factory = factory
        self._http = http
        self._app_id = app_id
        self._app_secret = app_secret
        self._url = f"{oauth_base.rstrip('/')}/v4/oa/access_token"
        self._initial = (initial_access, initial_refresh)
        self._lock = asyncio.Lock()

    def pair(self) -> tuple[str, str]:
        """(access, refresh): the stored pair, or the configured first pair before any refresh."""
        with self._factory() as session:
            row = session.get(ZaloToken, self._app_id)
            return (row.access_token, row.refresh_token) if row is not None else self._initial

    async def access_token(self) -> str:
        access, _ = await asyncio.to_thread(self.pair)
        return access

    async def refresh(self, stale_access: str) -> str:
        """A fresh access token; refreshes only if `stale_access` is still the current one."""
        async with self._lock:
            access, refresh = await asyncio.to_thread(self.pair)
            if access != stale_access:
                return access  # refreshed meanwhile by another sender or process
            try:
                new_access, new_refresh, expires_in = await self._request(refresh)
            except TokenRefreshFailed:
                access_now, _ = await asyncio.to_thread(self.pair)
                if access_now != stale_access:
                    return access_now  # another process spent the refresh token first and stored the pair
                raise
            await asyncio.to_thread(self._store, new_access, new_refresh, expires_in)
            logger.info("zalo: access token refreshed (app %s)", self._app_id)
            return new_access

    async def _request(self, refresh_token: str) -> tuple[str, str, int | None]:
        if not refresh_token:
            raise TokenRefreshFailed("no Zalo refresh token configured")
        try:
            response = await self._http.post(
                self._url, headers={"secret_key": self._app_secret}, timeout=15.0,
                data={"refresh_token": refresh_token, "app_id": self._app_id, "grant_type": "refresh_token"})
        except httpx.HTTPError as exc:
            raise TokenRefreshFailed(f"Zalo OAuth unreachable: {type(exc).__name__}") from exc
        try:
            body: Any = response.json()
        except ValueError as exc:
            raise TokenRefreshFailed(f"Zalo OAuth answered HTTP {response.status_code}, not JSON") from exc
        if not isinstance(body, dict) or not body.get("access_token") or not body.get("refresh_token"):
            detail = body.get("error_description") or body.get("error") if isinstance(body, dict) else body
            raise TokenRefreshFailed(
                f"Zalo OAuth refused the refresh (HTTP {response.status_code}): {detail}")
        try:
            expires_in: int | None = int(str(body.get("expires_in")))
        except (TypeError, ValueError):
            expires_in = None
        return str(body["access_token"]), str(body["refresh_token"]), expires_in

    def _store(self, access: str, refresh: str, expires_in: int | None) -> None:
        now = utcnow()
        expires_at = now + timedelta(seconds=expires_in) if expires_in else None
        with session_scope(self._factory) as session:
            row = session.get(ZaloToken, self._app_id)
            if row is None:
                session.add(ZaloToken(app_id=self._app_id, access_token=access, refresh_token=refresh,
                                      expires_at=expires_at, updated_at=now))
            else:
                row.access_token, row.refresh_token = access, refresh
                row.expires_at, row.updated_at = expires_at, now
