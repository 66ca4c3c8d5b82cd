"""The annual data report of the providers overseen, with charts, printable."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.reads import AnnualDep
from adapters.web.charts import bar_chart
from adapters.web.render import render
from adapters.web.routes.accreditor import _year, staff
from adapters.web.session import UserDep
from adapters.web.words import SUMMARY_FIELDS

router = APIRouter()


@router.get("/accreditor/data-report")
def data_report(request: Request, user: UserDep, annual: AnnualDep, year: int | None = None) -> Response:
    """The annual data report (what GET /api/v1/accreditor/data-report/{year} answers) with charts, printable."""
    year = _year(request, year)
    report = annual.data_report(year, staff(user))
    today = annual.today()
    support = report["commercial_support"]
    charts = {
        "activities": bar_chart("Activities by format", {f: v["activities"] for f, v in report["by_format"].items()}),
        "credits": bar_chart(
            "AMA PRA Category 1 credits by format",
            {f: v["credits"] for f, v in report["by_format"].items()},
            exact=True,
        ),
        "learners": bar_chart(
            "Learners", {"Physicians": report["physician_learners"], "Other learners": report["other_learners"]}
        ),
        "support": bar_chart("Commercial support by source", support["monetary_by_source"], money=True),
        "income": bar_chart(
            "Income reported in the program summaries",
            {label: report["income"][key] for key, label in SUMMARY_FIELDS},
            money=True,
        ),
    }
    return render(
        request,
        "accreditor/data_report.html",
        report=report,
        charts=charts,
        year=year,
        years=list(range(today.year, today.year - 5, -1)),
    )
