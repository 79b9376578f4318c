"""Server-rendered console pages: one Jinja environment with autoescaping, and `render` for every area.

Every page gets `staff` (the signed-in user or None), `csrf_token`, `nav` (links for the user's role) and
`T` (the Vietnamese texts). Responses forbid framing and caching, and allow only this app's scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from knowledge.admin import texts_vi as T
from knowledge.admin.navigation import visible_items

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_env = Environment(
    loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES_DIR))]),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def environment() -> Environment:
    """The shared environment (for areas that add filters or globals)."""
    return _env


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render `name` (a template extending base.html) with the console's common context."""
    staff = getattr(request.state, "staff_user", None)
    values: dict[str, Any] = {
        "request": request,
        "staff": staff,
        "csrf_token": staff.csrf_token if staff is not None else getattr(request.state, "login_csrf", ""),
        "nav": visible_items(staff.role if staff is not None else None),
        "current_path": request.url.path,
        "T": T,
    }
    values.update(context or {})
    html = _env.get_template(name).render(values)
    return HTMLResponse(html, status_code=status_code, headers={**SECURITY_HEADERS, **(headers or {})})
