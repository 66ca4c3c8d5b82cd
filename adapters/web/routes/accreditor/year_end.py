"""The year-end table of the providers overseen, downloadable as CSV, and the reminders mailed from it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.reads import AnnualDep, annual_reporting
from adapters.http.services import SettleDep
from adapters.http.year_end_csv import STEP_HEADINGS, year_end_csv
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import render
from adapters.web.routes.accreditor import _year, staff
from adapters.web.routes.provider import STEP_NAMES
from adapters.web.session import UserDep, WebUser, base_url
from commands.annual import RemindProviders
from domain.annual_report import STEP_KEYS

router = APIRouter()
SORTS = [
    ("accme_id", "ACCME ID"),
    ("name", "Name"),
    ("days_to_deadline", "Days to deadline"),
    ("missing_count", "Missing steps"),
    ("-late_count", "Late steps"),
    ("-activities_open", "Activities open"),
    ("-activities_ready_to_close", "Activities ready to close"),
    ("-enduring_without_count", "Enduring materials without a learner count"),
]


def _year_end_rows(request: Request, user: WebUser, year: int, status: str, sort: str) -> list[dict[str, Any]]:
    return annual_reporting(request).year_end(
        year,
        staff(user),
        sort=sort if sort in dict(SORTS) else "accme_id",
        status=status if status in ("complete", "incomplete", "late") else None,
    )


@router.get("/accreditor/year-end")
def year_end(
    request: Request,
    annual: AnnualDep,
    user: UserDep,
    year: int | None = None,
    status: str = "",
    sort: str = "accme_id",
) -> Response:
    year = _year(request, year)
    rows = _year_end_rows(request, user, year, status, sort)
    today = annual.today()
    return render(
        request,
        "accreditor/year_end.html",
        rows=rows,
        year=year,
        status=status,
        sort=sort,
        sorts=SORTS,
        steps=STEP_KEYS,
        step_names=STEP_NAMES,
        step_headings=STEP_HEADINGS,
        years=list(range(today.year, today.year - 5, -1)),
    )


@router.get("/accreditor/year-end.csv")
def year_end_download(
    request: Request, user: UserDep, year: int | None = None, status: str = "", sort: str = "accme_id"
) -> Response:
    year = _year(request, year)
    rows = _year_end_rows(request, user, year, status, sort)
    return Response(
        year_end_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="year-end-{year}.csv"'},
    )


REMINDED = {
    "sent": "reminded",
    "reminded_recently": "already reminded in the last 7 days (tick “Remind again” to insist)",
    "complete": "complete (not reminded)",
    "not_found": "not found",
    "mail_failed": "recorded but the mail could not be sent",
}


@router.post("/accreditor/year-end/reminders")
async def remind(request: Request, user: UserDep, annual: AnnualDep, read_models: SettleDep) -> Response:
    """Mails the providers ticked (none ticked: every incomplete one) what their year-end report still misses;
    the same command as POST /api/v1/accreditor/year-end/{year}/reminders."""
    accreditors = staff(user)
    form = await posted(request)
    year_text = form.get("year") or ""
    year = _year(request, int(year_text) if isinstance(year_text, str) and year_text.isdigit() else None)
    chosen = form.get("providers") or []
    chosen = [chosen] if isinstance(chosen, str) else chosen
    outcome = annual.handle(
        RemindProviders(
            year=year,
            providers=tuple(chosen) or None,
            force=form.get("force") == "yes",
            accreditors=None if accreditors is None else tuple(accreditors),
            base_url=base_url(request),
        ),
        user.acting,
    )
    settle(read_models, outcome.position)
    results = outcome.value["results"]
    if not results:
        return see_other(f"/accreditor/year-end?year={year}", f"Every provider has completed its {year} report.")
    said = []
    for status, words in REMINDED.items():
        n = sum(1 for r in results if r["status"] == status)
        if n:
            said.append(f"{n} provider{'' if n == 1 else 's'} {words}")
    return see_other(f"/accreditor/year-end?year={year}", "; ".join(said) + ".")
