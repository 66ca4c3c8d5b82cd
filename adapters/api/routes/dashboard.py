"""The provider dashboard: counts from the projections, never a replay."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from adapters.api.as_of import AsOfQuery, ReadsAtDep
from adapters.api.deps import PrincipalDep
from adapters.api.schemas import AccmeIdPath
from projections.activity_summary import ActivitySummaryProjection
from projections.checklist import ChecklistProjection
from projections.transcripts import TranscriptProjection
from services.queries.read_models import ReadModels

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
    needs = (ActivitySummaryProjection.name, TranscriptProjection.name, ChecklistProjection.name)
    instant = reads_at.past(as_of)
    years = [year] if year else [instant.astimezone().year] if instant else []  # the deadlines the checklist reads
    with reads_at(accme_id, as_of, needs, years) as (reads, profile):
        return dashboard_body(reads, accme_id, profile, year)


def dashboard_body(reads: ReadModels, accme_id: str, profile: dict[str, Any], year: int | None) -> dict[str, Any]:
    """The dashboard from these read models: the live ones, or the ones replayed to an instant."""
    today = reads.today()
    year = year or today.year
    body: dict[str, Any] = {"accme_id": accme_id, "name": profile["name"], "year": year}
    body.update(reads.activities.counts(accme_id, year))
    # Standing (not deleted) completions of the year, from the transcripts read model.
    body["completions_reported"] = reads.completions.count(accme_id, year)
    try:
        body["checklist"] = reads.annual.checklist_summary(accme_id, year, profile.get("accreditor"))
    except Exception:  # noqa: BLE001 - the annual-reporting issue owns the checklist; the dashboard still answers
        body["checklist"] = None
    return body
