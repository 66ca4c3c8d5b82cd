"""A provider's history: its events in order, a page at a time."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.web.render import render
from adapters.web.routes.provider import readable
from adapters.web.session import UserDep, system_of

router = APIRouter()


@router.get("/provider/{accme_id}/history")
def history(request: Request, user: UserDep, accme_id: str, after: int = 0) -> Response:
    profile = readable(request, user, accme_id)
    items = system_of(request).history.view.events(accme_id, after=max(0, after), limit=101)
    more = len(items) > 100
    items = items[:100]
    return render(
        request, "provider/history.html", provider=profile, items=items, next=items[-1]["position"] if more else None
    )
