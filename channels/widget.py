"""The web widget's door: the demo page at `/` (with QR-code deep links) and the script at `/widget.js`.

The widget itself is one plain JavaScript file that talks to `POST /api/chat`; this module only serves
it, small and cacheable, and turns `/?q=…` or `/?procedure=CODE` into attributes the script reads.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

logger = logging.getLogger(__name__)

router = APIRouter(tags=["widget"])

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
PROCEDURE_CODE_PATTERN: Final = re.compile(r"^[0-9]{1,3}\.[0-9]{6}$")
MAX_DEEP_LINK_CHARS: Final = 500
SCRIPT_CACHE_CONTROL: Final = "public, max-age=3600"
PAGE_CACHE_CONTROL: Final = "no-cache"
# The page runs no inline script; the widget's Shadow DOM styles are inline <style> elements.
PAGE_CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
)


@dataclass(frozen=True)
class StaticAsset:
    """A file held in memory with its gzip form and a strong ETag, so weak networks fetch it once."""

    body: bytes
    gzipped: bytes
    etag: str
    media_type: str

    @classmethod
    def load(cls, path: Path, media_type: str) -> StaticAsset:
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return cls(body=body, gzipped=gzip.compress(body, compresslevel=9, mtime=0), etag=etag,
                   media_type=media_type)

    def response(self, request: Request) -> Response:
        """200 with the (gzipped when accepted) body, or 304 when the browser's copy is current."""
        headers = {"Cache-Control": SCRIPT_CACHE_CONTROL, "ETag": self.etag, "Vary": "Accept-Encoding",
                   "X-Content-Type-Options": "nosniff"}
        if self.etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", "").lower():
            headers["Content-Encoding"] = "gzip"
            return Response(self.gzipped, media_type=self.media_type, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


@lru_cache(maxsize=1)
def widget_script() -> StaticAsset:
    """The widget script, read once per process."""
    return StaticAsset.load(STATIC_DIR / "widget.js", "application/javascript; charset=utf-8")


@lru_cache(maxsize=1)
def _demo_template() -> str:
    return (STATIC_DIR / "demo.html").read_text(encoding="utf-8")


def clean_question(value: str | None) -> str:
    """A deep-link question fit to send: composed Unicode, no control characters, bounded length."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in value)
    return " ".join(value.split())[:MAX_DEEP_LINK_CHARS]


def valid_procedure_code(value: str | None) -> str:
    """The code when it has the national portal's shape (e.g. `1.001193`), otherwise ``""``."""
    value = (value or "").strip()
    return value if PROCEDURE_CODE_PATTERN.fullmatch(value) else ""


def deep_link_attributes(q: str | None, procedure: str | None) -> dict[str, str]:
    """The widget attributes for a deep link; a procedure code wins over a question, bad input is dropped."""
    code = valid_procedure_code(procedure)
    if code:
        return {"data-procedure": code}
    if procedure:
        logger.info("widget: ignored a deep link with a malformed procedure code (%d chars)", len(procedure))
    question = clean_question(q)
    return {"data-ask": question} if question else {}


def widget_tag(attributes: dict[str, str]) -> str:
    """The embedding `<script>` tag, opened, with every attribute value HTML-escaped."""
    extra = "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in attributes.items())
    return f'<script src="/widget.js" defer data-open="true"{extra}></script>'


def render_demo_page(origin: str, attributes: dict[str, str]) -> str:
    """The demo page with the widget embedded and the site's own origin in the embedding instructions."""
    page = _demo_template().replace("{{ origin }}", html.escape(origin.rstrip("/"), quote=True))
    return page.replace("{{ widget_tag }}", widget_tag(attributes))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def demo_page(
    request: Request,
    q: Annotated[str | None, Query()] = None,
    procedure: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    page = render_demo_page(str(request.base_url), deep_link_attributes(q, procedure))
    return HTMLResponse(page, headers={
        "Cache-Control": PAGE_CACHE_CONTROL,
        "Content-Security-Policy": PAGE_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    })


@router.get("/widget.js", include_in_schema=False)
async def script(request: Request) -> Response:
    return widget_script().response(request)
