"""The provider's records across its activities, filtered by board, status (a board's, at risk or late) and year:
where the dashboard's board counts and its records at risk lead; downloadable as CSV or Excel."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.reads import RecordsDep
from adapters.http.services import RecordDigestsDep, SettleDep
from adapters.web.forms import posted, see_other, settle
from adapters.web.record_filters import read_filters
from adapters.web.routes.provider import editable, readable
from adapters.web.routes.provider.learners import roster_answer
from adapters.web.session import UserDep
from commands.completions import SetRecordDigest
from domain.base import Acting, Channel
from domain.record_digest import ROLES

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
    return roster_answer(
        request,
        records,
        "provider/records.html",
        accme_id,
        None,
        read_filters(status, board, sort, order, SORTS, year),
        page,
        format,
        f"records-{accme_id}",
        SORTS,
        provider=profile,
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
