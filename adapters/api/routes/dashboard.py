"""The provider dashboard: counts from the projections, never a replay."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from adapters.api.deps import PrincipalDep, SystemDep, visible_profile
from adapters.api.routes.activities import activity_counts
from adapters.api.schemas import AccmeIdPath

router = APIRouter(prefix="/api/v1/providers", tags=["dashboard"])


@router.get("/{accme_id}/dashboard")
def dashboard(
    system: SystemDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> dict[str, Any]:
    """Activities by status and format, learners, commercial support totals and the checklist, for one year."""
    profile = visible_profile(system, principal, accme_id)
    today = system.activities.today()
    year = year or today.year
    body: dict[str, Any] = {"accme_id": accme_id, "name": profile["name"], "year": year}
    body.update(activity_counts(system.activity_summary.view.summaries(accme_id, year), today))
    # Standing (not deleted) completions of the year, from the transcripts read model.
    body["completions_reported"] = system.transcripts.view.count(accme_id, year)
    try:
        body["checklist"] = system.annual.checklist_summary(accme_id, year, profile.get("accreditor"))
    except Exception:  # noqa: BLE001 - the annual-reporting issue owns the checklist; the dashboard still answers
        body["checklist"] = None
    return body
