"""The learner summary by activity: each record with the learner, completion date, CME credit and each board's
MOC points and status (with a rejection's reason), paged, sorted, filtered, and downloadable as CSV or Excel."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.reads import ActivitiesDep, RecordsDep
from adapters.http.roster_export import roster_csv, roster_xlsx
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import render
from adapters.web.routes.provider import editable, readable
from adapters.web.session import PageNotFound, UserDep, system_of
from commands.completions import AttestActivityConsent
from domain.base import Acting, Channel
from domain.learner import CERTIFYING_BOARDS
from projections.record_status import SORTS, STATUSES
from services.queries.records import PAGE_SIZE

router = APIRouter()
STATUS_NAMES = {
    "pending": "Pending",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "not_sent": "Not sent (no consent)",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(status: str, board: str, sort: str, order: str) -> dict[str, Any]:
    """The query's filters, each kept only when it is one the page offers (anything else: no filter)."""
    return {
        "status": status if status in STATUSES else None,
        "board": board if board in CERTIFYING_BOARDS else None,
        "sort": sort if sort in SORTS else "completion_date",
        "descending": order == "desc",
    }


@router.get("/provider/{accme_id}/activities/{activity_id}/learners")
def learners(
    request: Request,
    user: UserDep,
    activities: ActivitiesDep,
    records: RecordsDep,
    accme_id: str,
    activity_id: str,
    status: str = "",
    board: str = "",
    sort: str = "completion_date",
    order: str = "asc",
    page: int = 1,
    format: str = "",
) -> Response:
    profile = readable(request, user, accme_id)
    activity = activities.by_activity_id(accme_id, activity_id)
    if activity is None:
        raise PageNotFound()
    filters = _filters(status, board, sort, order)
    if format in ("csv", "xlsx"):
        every = records.roster(accme_id, activity_id, page_size=None, **filters)["data"]
        name = f"learners-{activity_id}.{format}"
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        if format == "csv":
            return Response(roster_csv(every), media_type="text/csv; charset=utf-8", headers=disposition)
        return Response(roster_xlsx(every), media_type=XLSX, headers=disposition)
    page = max(1, min(page, 100000))
    body = records.roster(accme_id, activity_id, page=page, **filters)
    boards = sorted({b["board"] for r in body["data"] for b in r["boards"]})
    return render(
        request,
        "provider/learners.html",
        provider=profile,
        activity=activity,
        rows=body["data"],
        total=body["count"],
        page=page,
        pages=max(1, -(-body["count"] // PAGE_SIZE)),
        boards=boards,
        filters={
            "status": filters["status"] or "",
            "board": filters["board"] or "",
            "sort": filters["sort"],
            "order": "desc" if filters["descending"] else "asc",
        },
        statuses=[(s, STATUS_NAMES[s]) for s in STATUSES],
        status_names=STATUS_NAMES,
        all_boards=CERTIFYING_BOARDS,
        can_edit=user.principal.can_edit_provider(accme_id),
        consent_attested=system_of(request).completions.activity_consented(activity_id),
    )


@router.post("/provider/{accme_id}/activities/{activity_id}/learners/consent")
async def attest_consent(request: Request, user: UserDep, accme_id: str, activity_id: str) -> Response:
    """The provider attests (or withdraws) that every learner of the activity consented to sharing with boards."""
    editable(request, user, accme_id)
    form = await posted(request)
    attested = form.get("attested") == "yes"
    system = system_of(request)
    if system.reads.activities.by_activity_id(accme_id, activity_id) is None:
        raise PageNotFound()
    position = system.completions.handle(
        AttestActivityConsent(accme_id=accme_id, activity_id=activity_id, attested=attested),
        Acting(user.principal.actor, Channel.WEB),
    )
    settle(system, position)
    said = "attested: records reported from now on go to the boards" if attested else "withdrawn"
    return see_other(f"/provider/{accme_id}/activities/{activity_id}/learners", f"Consent for every learner {said}.")
