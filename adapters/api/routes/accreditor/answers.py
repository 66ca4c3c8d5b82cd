"""What the accreditor's reports share: whose providers a token sees, the paging and format parameters, the
one answer of a report that is JSON or CSV (`Accept: text/csv` or `?format=csv`), the CSV streamed as written,
and what a REMS or MIPS request asks (`OversightAskDep`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from adapters.api.deps import PrincipalDep
from adapters.api.problems import Problem
from adapters.api.routes.annual import YearPath
from adapters.http.reads import OversightDep
from services.access import Principal, Role
from services.queries.oversight import OversightQueries

CSV = "text/csv; charset=utf-8"
#: `responses=` of a report answered as JSON or CSV.
JSON_OR_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with Accept: text/csv or ?format=csv"}
}
FormatQuery = Annotated[str | None, Query(pattern="^(json|csv)$")]
ProviderQuery = Annotated[str | None, Query(pattern=r"^[0-9]{7}$", description="one provider's ACCME ID")]
PageQuery = Annotated[
    int, Query(ge=1, le=100000, description="the page of the list (50 a page; the CSV gives every row)")
]


def overseen(principal: Principal) -> list[str] | None:
    """The accreditors whose providers the principal sees (None: all)."""
    if principal.role is Role.ACCREDITOR:
        return None if principal.state is None else [principal.state]
    if principal.role is Role.AUDITOR:
        return None
    raise Problem(403, f"a {principal.role.value} token cannot read the accreditors' year-end table")


def attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def json_or_csv(
    request: Request,
    format: str | None,
    filename: str,
    as_json: Callable[[], Any],
    as_csv: Callable[[], str | Iterable[bytes]],
) -> Any:
    """The report as JSON, or as CSV when `format=csv` or the request accepts text/csv (without `format`)."""
    if format == "csv" or (format is None and "text/csv" in request.headers.get("accept", "")):
        written = as_csv()
        if isinstance(written, str):
            return Response(written, media_type=CSV, headers=attachment(filename))
        return StreamingResponse(written, media_type=CSV, headers=attachment(filename))
    return as_json()


@dataclass(frozen=True)
class OversightAsk:
    """What a REMS or MIPS report request asks, parsed once for both routes (one dependency: `asked: OversightAskDep`):
    the year, one provider or all, the page, the format, and by whom."""

    request: Request
    oversight: OversightQueries
    principal: Principal
    year: int
    provider: str | None
    format: str | None
    page: int

    def accreditors(self) -> list[str] | None:
        """Whose providers the report covers (`overseen`); a token of another role gets 403."""
        return overseen(self.principal)

    def answer(self, report: str, as_json: Callable[[], Any], as_csv: Callable[[], str | Iterable[bytes]]) -> Any:
        """The report as JSON or as CSV (`json_or_csv`), the CSV named `<report>-<year>.csv`."""
        return json_or_csv(self.request, self.format, f"{report}-{self.year}.csv", as_json, as_csv)


def oversight_ask(
    request: Request,
    oversight: OversightDep,
    principal: PrincipalDep,
    year: YearPath,
    provider: ProviderQuery = None,
    format: FormatQuery = None,
    page: PageQuery = 1,
) -> OversightAsk:
    return OversightAsk(request, oversight, principal, year, provider, format, page)


OversightAskDep = Annotated[OversightAsk, Depends(oversight_ask)]
