"""A provider's activities: the searchable list, its download as a batch file, and bulk close."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.batch import EXTENSIONS, NAMES
from adapters.batch import render as render_batch
from adapters.http import bulk_close
from adapters.http.batch_files import attachment
from adapters.http.reads import ActivitiesDep
from adapters.http.services import AccmeActivitiesDep, ActivityRegistryDep, SettleDep
from adapters.web.activity_form.fields import FORMAT_OPTIONS
from adapters.web.forms import see_other
from adapters.web.render import render
from adapters.web.routes.provider import STATUSES, editable, readable
from adapters.web.session import PageNotFound, UserDep
from domain.base import Acting, Channel
from projections.activity_summary import SEARCH_SORTS, status_of
from services.queries.activities import PAGE_SIZE

router = APIRouter()
PAGE_SIZES = (25, 50, 100, 200)
#: The list's columns a coordinator sorts by, as their headings name them (SEARCH_SORTS's keys).
SORT_HEADINGS = {
    "activity_id": "ACCME ID",
    "provider_activity_id": "Your ID",
    "title": "Title",
    "format": "Format",
    "start_date": "Dates",
    "credits": "Credits",
    "learners": "Learners",
    "completions": "Completions",
    "moc": "MOC",
    "status": "Status",
}
#: The batch files the current search downloads as: file name extension → format (adapters/batch).
EXPORTS = {EXTENSIONS[f]: f for f in ("json", "xml", "tab", "xlsx")}
EXPORT_LIMIT = 100_000


def _filters(
    year: str, format: str, status: str, sort: str = "start_date", order: str = "desc"
) -> tuple[dict[str, Any], dict[str, str]]:
    """The search's filters as the read model takes them, and what is wrong with any value (said, not dropped)."""
    errors: dict[str, str] = {}
    year = year.strip()
    year_n = int(year) if year.isdigit() and len(year) == 4 else None
    if year and year_n is None:
        errors["year"] = "enter a year of four digits, e.g. 2025"
    if status and status not in dict(STATUSES):
        errors["status"] = "choose one of the statuses listed"
    if format and format not in dict(FORMAT_OPTIONS):
        errors["format"] = "choose one of the formats listed"
    if sort not in SEARCH_SORTS or order not in ("asc", "desc"):
        errors["sort"] = "sort by one of the columns' headings"
    return {
        "year": year_n,
        "fmt": format if format in dict(FORMAT_OPTIONS) else None,
        "status": status if status in dict(STATUSES) else None,
        "sort": sort if sort in SEARCH_SORTS else "start_date",
        "descending": order != "asc",
    }, errors


@router.get("/provider/{accme_id}/activities")
def activities(
    request: Request,
    user: UserDep,
    activities: ActivitiesDep,
    accme_id: str,
    year: str = "",
    format: str = "",
    status: str = "",
    q: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
    sort: str = "start_date",
    order: str = "desc",
) -> Response:
    profile = readable(request, user, accme_id)
    today = activities.today()
    found, errors = _filters(year, format, status, sort, order)
    page = max(1, page)
    size = size if size in PAGE_SIZES else PAGE_SIZE
    rows, total = activities.search(
        accme_id,
        **found,
        q=q[:200] or None,
        moc=None,
        rems=None,
        mips=None,
        today=today,
        limit=size,
        offset=(page - 1) * size,
        with_completions=True,
    )
    rows = [{**r, "status": status_of(r, today)} for r in rows]
    filters = {
        "year": year.strip(),
        "format": found["fmt"] or "",
        "status": found["status"] or "",
        "q": q,
        "size": size,
        "sort": found["sort"],
        "order": "desc" if found["descending"] else "asc",
    }
    search = {k: v for k, v in filters.items() if k in ("q", "year", "format", "status") and v}

    def link(**change: Any) -> str:
        return "?" + urlencode({**{k: v for k, v in filters.items() if v}, **change})

    def sort_link(column: str) -> str:
        """The heading's link: sorts by the column, the other way round when the list is sorted by it already."""
        ascending = filters["sort"] != column or filters["order"] == "desc"
        if filters["sort"] != column and column in ("start_date", "credits", "learners", "completions"):
            ascending = False  # newest, most credits, most learners first
        return link(sort=column, order="asc" if ascending else "desc", page=1)

    return render(
        request,
        "provider/activities.html",
        provider=profile,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // size)),
        filters=filters,
        sizes=PAGE_SIZES,
        errors=errors,
        headings=SORT_HEADINGS,
        link=link,
        sort_link=sort_link,
        exports=[(ext, NAMES[fmt]) for ext, fmt in EXPORTS.items()],
        export_query=urlencode(search),
        formats=FORMAT_OPTIONS,
        statuses=STATUSES,
        status_names=dict(STATUSES),
        can_edit=user.principal.can_edit_provider(accme_id),
    )


@router.get("/provider/{accme_id}/activities/export.{ext}")
def export_search(
    request: Request,
    user: UserDep,
    activities: ActivitiesDep,
    items: AccmeActivitiesDep,
    accme_id: str,
    ext: str,
    year: str = "",
    format: str = "",
    status: str = "",
    q: str = "",
) -> Response:
    """The activities the search finds, as a batch file (ACCME JSON, MEMS XML, tab-delimited or the Excel
    template); uploading it back changes nothing."""
    readable(request, user, accme_id)
    if ext not in EXPORTS:
        raise PageNotFound()
    found, errors = _filters(year, format, status)
    if errors:
        # The list says what is wrong with each value, in its error summary.
        return see_other(
            f"/provider/{accme_id}/activities?" + urlencode({"q": q, "year": year, "format": format, "status": status})
        )
    rows, _ = activities.search(
        accme_id,
        **found,
        q=q[:200] or None,
        moc=None,
        rems=None,
        mips=None,
        today=activities.today(),
        limit=EXPORT_LIMIT,
        offset=0,
    )
    chosen = items.accme_activities_numbered(accme_id, [r["activity_id"] for r in rows])
    return attachment(render_batch(EXPORTS[ext], chosen), EXPORTS[ext], f"activities-{accme_id}.{ext}")


@router.post("/provider/{accme_id}/activities/close")
async def close_many(
    request: Request, user: UserDep, activities: ActivityRegistryDep, read_models: SettleDep, accme_id: str
) -> Response:
    """Closes the ticked activities as the API's bulk close route does, each answering closed, unchanged or what is missing."""
    editable(request, user, accme_id)
    form = await request.form()
    chosen = [v for v in form.getlist("activity_ids") if isinstance(v, str)]
    back = f"/provider/{accme_id}/activities?status=ready_to_close"
    try:
        body = bulk_close.BulkClose(activity_ids=chosen)
    except ValidationError:
        return see_other(back, "Tick the activities to close first.")
    answer = bulk_close.close_many(
        activities, read_models, accme_id, body.activity_ids, Acting(user.principal.actor, Channel.WEB)
    )
    counts = answer["counts"]
    refused = "; ".join(
        f"{a['activityId']}: " + ", ".join(e["msg"] for e in a["errors"])
        for a in answer["activities"]
        if a["action"] == "rejected"
    )
    message = (
        f"{counts['closed']} closed, {counts['unchanged']} already closed, {counts['rejected']} not closed"
        + (f" ({refused})" if refused else "")
        + "."
    )
    return see_other(back, message)
