"""The provider's records across its activities, filtered by board, status (a board's, at risk or late) and year:
where the dashboard's board counts and its records at risk lead; downloadable as CSV or Excel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.reads import RecordsDep
from adapters.http.roster_export import roster_csv, roster_xlsx
from adapters.http.services import RecordDigestsDep, SettleDep
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import render
from adapters.web.routes.provider import editable, readable
from adapters.web.routes.provider.learners import STANDING_NAMES, STATUS_NAMES, XLSX
from adapters.web.session import UserDep
from commands.completions import SetRecordDigest
from domain.base import Acting, Channel
from domain.learner import CERTIFYING_BOARDS
from domain.record_digest import ROLES
from projections.record_status import STATUSES
from services.queries.records import PAGE_SIZE, STANDINGS

router = APIRouter()
SORTS = (("completion_date", "Completion date"), ("activity", "Activity"), ("learner", "Learner name"))
ROLE_NAMES = {
    "primary": "Primary",
    "billing": "Billing",
    "ceo": "CEO",
    "website": "Website",
    "technical": "Technical",
    "medical_director": "Medical director",
}


@router.get("/provider/{accme_id}/records")
def records_page(
    request: Request,
    user: UserDep,
    records: RecordsDep,
    digests: RecordDigestsDep,
    accme_id: str,
    status: str = "",
    board: str = "",
    year: str = "",
    sort: str = "completion_date",
    order: str = "asc",
    page: int = 1,
    format: str = "",
) -> Response:
    profile = readable(request, user, accme_id)
    filters: dict[str, Any] = {
        "status": status if status in (*STATUSES, *STANDINGS) else None,
        "board": board if board in CERTIFYING_BOARDS else None,
        "year": int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None,
        "sort": sort if sort in dict(SORTS) else "completion_date",
        "descending": order == "desc",
    }
    if format in ("csv", "xlsx"):
        every = records.roster(accme_id, None, page_size=None, **filters)["data"]
        disposition = {"Content-Disposition": f'attachment; filename="records-{accme_id}.{format}"'}
        if format == "csv":
            return Response(roster_csv(every), media_type="text/csv; charset=utf-8", headers=disposition)
        return Response(roster_xlsx(every), media_type=XLSX, headers=disposition)
    page = max(1, min(page, 100000))
    body = records.roster(accme_id, None, page=page, **filters)
    boards = sorted({b["board"] for r in body["data"] for b in r["boards"]})
    return render(
        request,
        "provider/records.html",
        provider=profile,
        rows=body["data"],
        total=body["count"],
        page=page,
        pages=max(1, -(-body["count"] // PAGE_SIZE)),
        boards=boards,
        filters={
            "status": filters["status"] or "",
            "board": filters["board"] or "",
            "year": filters["year"] or "",
            "sort": filters["sort"],
            "order": "desc" if filters["descending"] else "asc",
        },
        statuses=[(s, STATUS_NAMES[s]) for s in (*STATUSES, *STANDINGS)],
        status_names=STATUS_NAMES,
        standing_names=STANDING_NAMES,
        all_boards=CERTIFYING_BOARDS,
        sorts=SORTS,
        can_edit=user.principal.can_edit_provider(accme_id),
        digest_roles=digests.roles(accme_id),
        roles=[(r, ROLE_NAMES.get(r, r)) for r in ROLES],
    )


@router.post("/provider/{accme_id}/records/digest")
async def set_digest(
    request: Request, user: UserDep, digests: RecordDigestsDep, read_models: SettleDep, accme_id: str
) -> Response:
    """The provider asks for the daily digest of records at risk and late for the contact roles ticked (none: stop)."""
    editable(request, user, accme_id)
    form = await posted(request)
    roles = [r for r in ROLES if form.get(f"role-{r}") == "yes"]
    outcome = digests.handle(SetRecordDigest(accme_id=accme_id, roles=roles), Acting(user.principal.actor, Channel.WEB))
    settle(read_models, outcome.position)
    said = "goes to the " + ", ".join(ROLE_NAMES[r].lower() for r in roles) + " contact" if roles else "is stopped"
    return see_other(f"/provider/{accme_id}/records", f"The daily digest of records at risk and late {said}.")
