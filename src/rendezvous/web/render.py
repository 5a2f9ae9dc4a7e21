"""Jinja2 templates shipped in the package, and the headers every page is sent with."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

env = Environment(
    loader=PackageLoader("rendezvous.web", "templates"),
    autoescape=select_autoescape(("html",)),
    trim_blocks=True,
    lstrip_blocks=True,
)


def local(moment: datetime, zone: str, fmt: str = "%H:%M") -> str:
    """``moment`` on the wall clock of ``zone`` (strftime ``fmt``)."""
    return moment.astimezone(ZoneInfo(zone)).strftime(fmt)


env.filters["local"] = local


def page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """The HTML page ``template`` with ``context``. Inline script and style carry a per-response
    nonce, so the Content-Security-Policy allows nothing else; no page may be framed
    (clickjacking on the cancel button)."""
    nonce = secrets.token_urlsafe(16)
    html = env.get_template(template).render(**context, nonce=nonce, request=request)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response
