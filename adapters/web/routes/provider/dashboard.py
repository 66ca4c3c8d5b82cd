"""A provider's dashboard: the year's activities by status and format, commercial support, year-end steps."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.reads import ReadsDep
from adapters.web.charts import bar_chart, progress_ring
from adapters.web.render import render
from adapters.web.routes.provider import STATUSES, STEP_NAMES, readable, year_at_hand
from adapters.web.session import UserDep

router = APIRouter()


@router.get("/provider/{accme_id}")
def dashboard(request: Request, user: UserDep, reads: ReadsDep, accme_id: str, year: int | None = None) -> Response:
    profile = readable(request, user, accme_id)
    today = reads.today()
    at_hand = None
    if not (year and 1990 <= year <= today.year + 1):
        year, at_hand = year_at_hand(reads, profile)
    counts = reads.activities.counts(accme_id, year)
    checklist = reads.annual.checklist_summary(accme_id, min(year, today.year), profile["accreditor"])
    support = counts["commercial_support"]
    listed = f"/provider/{accme_id}/activities?year={year}"
    charts = {
        "status": bar_chart(
            f"Activities of {year} by status",
            {n: counts["activities"]["by_status"][k] for k, n in STATUSES},
            links={n: f"{listed}&status={k}" for k, n in STATUSES},
        ),
        "format": bar_chart(
            f"Activities of {year} by format",
            counts["activities"]["by_format"],
            links={f: f"{listed}&format={quote(f)}" for f in counts["activities"]["by_format"]},
        ),
        "support": bar_chart(f"Commercial support of {year} by source", support["monetary_by_source"], money=True),
        "ring": progress_ring(
            checklist["steps_done"],
            checklist["steps_total"],
            f"{checklist['steps_done']} of {checklist['steps_total']} year-end steps done",
        ),
    }
    return render(
        request,
        "provider/dashboard.html",
        provider=profile,
        year=year,
        counts=counts,
        checklist=checklist,
        completions=reads.completions.count(accme_id, year),
        board_records=reads.records.board_counts(accme_id, year),
        records_due=reads.records.deadline_counts(accme_id),
        charts=charts,
        at_hand=at_hand,
        step_names=STEP_NAMES,
        years=list(range(today.year, today.year - 5, -1)),
    )
