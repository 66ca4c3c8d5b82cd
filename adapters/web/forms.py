"""Reading posted forms: plain strings, trimmed; a missing field is ""."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

if TYPE_CHECKING:
    from adapters.http.services import Settle


async def posted(request: Request) -> dict[str, Any]:
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        out[key] = values[0].strip() if len(values) == 1 and isinstance(values[0], str) else values
    return out


FLASH_COOKIE = "pars_flash"


def see_other(url: str, flash: str | None = None) -> RedirectResponse:
    """After a successful POST: the browser GETs the result (no resubmission on reload); `flash` is
    shown once on that page (a cookie, not the URL, so that no link can put words on our pages)."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        short = flash if len(flash) <= 600 else flash[:597] + "…"  # a cookie holds about 4 KB, quoted
        response.set_cookie(FLASH_COOKIE, quote(short), httponly=True, samesite="lax", path="/", max_age=60)
    return response


def settle(read_models: Settle, position: int | None) -> None:
    """Read-your-writes: the page after a change shows it."""
    if position:
        with contextlib.suppress(TimeoutError):
            read_models(position, timeout=10.0)


def settle_to_head(read_models: Settle) -> None:
    """The page after a change that reports no position (an account's, a batch's) shows everything stored so far."""
    settle(read_models, read_models.store.head())


def safe_next(value: str | None) -> str | None:
    """Only a path on this site (never `//evil.example` or a full URL) is followed after sign-in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None
