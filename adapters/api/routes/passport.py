"""The public CME Passport catalog: activities their providers chose to list (no token needed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from adapters.http.reads import ActivitiesDep

router = APIRouter(prefix="/api/v1/passport", tags=["CME Passport"])


@router.get("/catalog")
def passport_catalog(
    activities: ActivitiesDep,
    q: Annotated[str, Query(max_length=200, description="words to match in the title, activity IDs or format")] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    past: Annotated[bool, Query(description="also list activities that have ended")] = False,
) -> dict[str, Any]:
    """Activities flagged for CME Passport (title, provider, dates, format, credits, MOC boards), current ones first by start date."""
    return activities.catalog(q, page, past)
