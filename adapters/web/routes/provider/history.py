"""A provider's history: its events in order, a page at a time."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.reads import AuditDep
from adapters.web.render import render
from adapters.web.routes.provider import readable
from adapters.web.session import UserDep

router = APIRouter()


@router.get("/provider/{accme_id}/history")
def history(request: Request, user: UserDep, audit: AuditDep, accme_id: str, after: int = 0) -> Response:
    profile = readable(request, user, accme_id)
    items, next_after = audit.page(accme_id, limit=100, after=max(0, after))
    return render(request, "provider/history.html", provider=profile, items=items, next=next_after)
