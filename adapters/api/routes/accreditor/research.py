"""The anonymised research extract of a year (ACCME staff only), streamed as CSV or as a zip with its README."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from adapters.api.deps import PrincipalDep
from adapters.api.openapi import documented
from adapters.api.problems import Problem
from adapters.api.routes.accreditor.answers import CSV, attachment
from adapters.api.routes.annual import YearPath
from adapters.http.reads import ResearchDep
from adapters.http.research_csv import csv_chunks, zip_chunks
from adapters.http.services import SettingsDep
from services.access import Role
from services.queries.research_extract import year_key

router = APIRouter(prefix="/api/v1/accreditor", tags=["accreditor"], responses=documented(403))


@router.get(
    "/research-extract/{year}",
    responses={
        200: {
            "content": {"text/csv": {}, "application/zip": {}},
            "description": "CSV (format=csv), or a zip of the CSV and README.txt (format=zip)",
        }
    },
)
def research_extract(
    research: ResearchDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    year: YearPath,
    format: Annotated[
        str, Query(pattern="^(csv|zip)$", description="csv: the rows alone; zip: with README.txt")
    ] = "csv",
) -> Response:
    """The anonymised research extract of the year (ACCME staff only): one row per activity that ended in it,
    providers by pseudonyms stable within the year, no learner rows and no free text, every count under 11
    suppressed (with secondary suppression so no total reveals a hidden cell); streamed as it is read."""
    if principal.role is not Role.ACCREDITOR or principal.state is not None:
        raise Problem(403, "only ACCME staff download the research extract")
    rows = research.rows(year, year_key(settings.signing_key(), year))
    if format == "zip":
        return StreamingResponse(
            zip_chunks(rows, year), media_type="application/zip", headers=attachment(f"research-extract-{year}.zip")
        )
    return StreamingResponse(csv_chunks(rows), media_type=CSV, headers=attachment(f"research-extract-{year}.csv"))
