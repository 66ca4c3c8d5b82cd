"""The provider's records across its activities: each with its board statuses and the date by which each board
should have accepted it; filtered by board, status (a board's, or `at_risk` / `late`) and year. The dashboard's
counts link here; CSV and Excel as the learner summary by activity."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from adapters.api.deps import AccessDep, PrincipalDep
from adapters.api.schemas import AccmeIdPath
from adapters.http.reads import RecordsDep
from adapters.http.roster_export import DOWNLOADS, roster_download
from domain.learner import CERTIFYING_BOARDS

router = APIRouter(prefix="/api/v1/providers", tags=["completions"])
RecordStatus = Literal["pending", "accepted", "rejected", "not_sent", "at_risk", "late"]
STATUS_HELP = (
    "records with a board in this status (not_sent: no consent to share with boards); at_risk: a board has not "
    "accepted the record and its date with that board is within 14 days; late: that date has passed"
)


@router.get(
    "/{accme_id}/records",
    responses=DOWNLOADS,
)
def provider_records(
    access: AccessDep,
    principal: PrincipalDep,
    records: RecordsDep,
    accme_id: AccmeIdPath,
    status: Annotated[RecordStatus | None, Query(description=STATUS_HELP)] = None,
    board: Annotated[str | None, Query(pattern="^(" + "|".join(CERTIFYING_BOARDS) + ")$")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="the completion date's year")] = None,
    sort: Literal["completion_date", "learner", "credit_id", "activity"] = "completion_date",
    order: Literal["asc", "desc"] = "asc",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """The provider's records of every activity with each board's status and date, filtered as the dashboard links."""
    access.visible(principal, accme_id)  # another provider's user: the same 404 as no provider
    options: dict[str, Any] = {
        "status": status,
        "board": board,
        "year": year,
        "sort": sort,
        "descending": order == "desc",
    }
    if format == "json":
        return records.roster(accme_id, None, page=page, **options)
    name = "-".join(["records", accme_id, *(str(v) for v in (board, status, year) if v)])
    return roster_download(records, accme_id, None, options, format, name)
