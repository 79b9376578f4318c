"""Zalo OA webhook signature: `X-ZEvent-Signature: mac=<hex>`.

hex = SHA-256 (plain, not HMAC) of app_id + raw body + timestamp + OA secret key, with app_id and
timestamp read from the JSON body and the body bytes exactly as received.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any


class SignatureMissing(Exception):
    """The request carries no Zalo signature header."""


class SignatureInvalid(Exception):
    """The signature does not match the body, or the body names another app."""


def compute_mac(app_id: str, raw_body: bytes, timestamp: str, oa_secret: str) -> str:
    digest = hashlib.sha256()
    digest.update(app_id.encode("utf-8"))
    digest.update(raw_body)
    digest.update(timestamp.encode("utf-8"))
    digest.update(oa_secret.encode("utf-8"))
    return digest.hexdigest()


def signature_header(app_id: str, raw_body: bytes, timestamp: str, oa_secret: str) -> str:
    """The header value Zalo would send for this body (used by tests and local tools)."""
    return f"mac={compute_mac(app_id, raw_body, timestamp, oa_secret)}"


def mac_from_header(header: str | None) -> str:
    """The hex digest in the header; raises SignatureMissing when there is none."""
    value = (header or "").strip()
    if value.lower().startswith("mac="):
        value = value[4:].strip()
    if not value:
        raise SignatureMissing("no X-ZEvent-Signature header")
    return value


def verify(mac: str, raw_body: bytes, body: dict[str, Any], oa_secret: str, app_id: str) -> None:
    """Raises SignatureInvalid unless `mac` signs this body for the configured app."""
    body_app_id = str(body.get("app_id", ""))
    timestamp = str(body.get("timestamp", ""))
    expected = compute_mac(body_app_id, raw_body, timestamp, oa_secret)
    if not hmac.compare_digest(mac.lower().encode("ascii", "replace"), expected.encode("ascii")):
        raise SignatureInvalid("X-ZEvent-Signature does not match the body")
    if app_id and not hmac.compare_digest(body_app_id.encode("utf-8"), app_id.encode("utf-8")):
        raise SignatureInvalid("the event belongs to another Zalo app")
