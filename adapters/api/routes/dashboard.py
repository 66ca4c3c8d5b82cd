"""The provider dashboard: counts from the projections, never a replay."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from adapters.api.as_of import AsOfQuery, ReadsAtDep
from adapters.api.deps import PrincipalDep
from adapters.api.schemas import AccmeIdPath
from projections.activity_summary import ActivitySummaryProjection
from projections.checklist import ChecklistProjection
from projections.record_status import RecordStatusProjection
from projections.transcripts import TranscriptProjection
from services.queries.dashboard import dashboard_body

router = APIRouter(prefix="/api/v1/providers", tags=["dashboard"])


@router.get("/{accme_id}/dashboard")
def dashboard(
    reads_at: ReadsAtDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    as_of: AsOfQuery = None,
) -> dict[str, Any]:
    """Activities by status and format, learners, commercial support totals and the checklist, for one year
    (as of an instant with `as_of`)."""
    needs = (
        ActivitySummaryProjection.name,
        TranscriptProjection.name,
        ChecklistProjection.name,
        RecordStatusProjection.name,
    )
    instant = reads_at.past(as_of)
    years = [year] if year else [instant.astimezone().year] if instant else []  # the deadlines the checklist reads
    with reads_at(accme_id, as_of, needs, years) as (reads, profile):
        return dashboard_body(reads, accme_id, profile, year)
