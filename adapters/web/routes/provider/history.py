"""A provider's history: its events as sentences, newest first, a page at a time, by kind and person."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.reads import AccountsDep, AuditDep
from adapters.web.history_words import KINDS, names_of, sentence
from adapters.web.render import render
from adapters.web.routes.provider import readable
from adapters.web.session import UserDep

router = APIRouter()
TOKEN = re.compile(r"^user-[0-9a-f]{12}$")


@router.get("/provider/{accme_id}/history")
def history(
    request: Request,
    user: UserDep,
    audit: AuditDep,
    accounts: AccountsDep,
    accme_id: str,
    before: int | None = None,
    kind: str = "",
    person: str = "",
) -> Response:
    profile = readable(request, user, accme_id)
    people = accounts.of_provider(accme_id)
    names = {**names_of(accounts.list_accounts(role="accreditor")), **names_of(people)}
    kind = kind if kind in KINDS else ""
    person = person if TOKEN.match(person) else ""
    items, next_before = audit.newest(
        accme_id,
        limit=100,
        before=before if before and before > 0 else None,
        types=KINDS[kind][1] if kind else None,
        actor_token=person or None,
    )
    return render(
        request,
        "provider/history.html",
        provider=profile,
        items=[{**e, "sentence": sentence(e, names)} for e in items],
        next=next_before,
        kinds=[(k, name) for k, (name, _) in KINDS.items()],
        people=sorted(((t, n) for t, n in names_of(people).items()), key=lambda p: p[1].lower()),
        kind=kind,
        person=person,
    )
