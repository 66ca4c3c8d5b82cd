"""The REMS and MIPS oversight reports of the providers overseen, paged, each downloadable as CSV."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from adapters.http.mips_csv import mips_csv
from adapters.http.reads import AnnualDep, OversightDep, annual_reporting
from adapters.http.rems_csv import rems_csv
from adapters.web.render import render
from adapters.web.routes.accreditor import _year, staff
from adapters.web.session import UserDep
from domain.activity import REMS_TYPES
from services.queries.oversight import PAGE_SIZE

router = APIRouter()


def _provider(provider: str) -> str | None:
    provider = provider.strip()
    return provider if len(provider) == 7 and provider.isdigit() else None


def _page(page: int) -> int:
    return max(1, min(page, 100000))


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


@router.get("/accreditor/rems")
def rems(
    request: Request,
    user: UserDep,
    annual: AnnualDep,
    oversight: OversightDep,
    year: int | None = None,
    type: str = "",
    provider: str = "",
    page: int = 1,
) -> Response:
    year = _year(request, year)
    today = annual.today()
    rems_type = type if type in REMS_TYPES else None
    report = oversight.rems(year, staff(user), rems_type=rems_type, provider=_provider(provider), page=_page(page))
    return render(
        request,
        "accreditor/rems.html",
        report=report,
        year=year,
        rems_type=type,
        provider=provider.strip(),
        types=REMS_TYPES,
        years=list(range(today.year, today.year - 5, -1)),
        page=report["page"],
        pages=_pages(report["totals"]["activities"]),
        query=urlencode({"year": year, "type": type, "provider": provider.strip()}),
    )


@router.get("/accreditor/rems.csv")
def rems_download(
    request: Request,
    user: UserDep,
    oversight: OversightDep,
    year: int | None = None,
    type: str = "",
    provider: str = "",
) -> Response:
    year = _year(request, year)
    rows = oversight.rems_rows(
        year, staff(user), rems_type=type if type in REMS_TYPES else None, provider=_provider(provider)
    )
    return StreamingResponse(
        rems_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rems-{year}.csv"'},
    )


@router.get("/accreditor/mips")
def mips(
    request: Request,
    user: UserDep,
    oversight: OversightDep,
    year: int | None = None,
    provider: str = "",
    page: int = 1,
    activities_page: int = 1,
) -> Response:
    year = _year(request, year)
    today = annual_reporting(request).today()
    report = oversight.mips(
        year, staff(user), provider=_provider(provider), page=_page(page), activities_page=_page(activities_page)
    )
    return render(
        request,
        "accreditor/mips.html",
        report=report,
        year=year,
        provider=provider.strip(),
        years=list(range(today.year, today.year - 5, -1)),
        page=report["page"],
        pages=_pages(report["totals"]["physicians"]),
        activities_page=report["activities_page"],
        activities_pages=_pages(report["totals"]["activities"]),
        query=urlencode({"year": year, "provider": provider.strip()}),
    )


@router.get("/accreditor/mips.csv")
def mips_download(
    request: Request, user: UserDep, oversight: OversightDep, year: int | None = None, provider: str = ""
) -> Response:
    year = _year(request, year)
    return StreamingResponse(
        mips_csv(oversight.mips_rows(year, staff(user), provider=_provider(provider))),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="mips-{year}.csv"'},
    )
