"""The public CME Passport catalog: activities their providers chose to list (no token needed)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from adapters.api.deps import SystemDep

router = APIRouter(prefix="/api/v1/passport", tags=["CME Passport"])
PAGE_SIZE = 25


@router.get("/catalog")
def passport_catalog(
    system: SystemDep,
    q: Annotated[str, Query(max_length=200, description="words to match in the title, activity IDs or format")] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    past: Annotated[bool, Query(description="also list activities that have ended")] = False,
) -> dict[str, Any]:
    """Activities flagged for CME Passport (title, provider, dates, format, credits, MOC boards), current ones first by start date."""
    since = None if past else date.today()
    docs, total = system.activity_summary.view.catalog(q, since, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    names: dict[str, str] = {}
    for doc in docs:
        if doc["accme_id"] not in names:
            names[doc["accme_id"]] = (system.profiles.view.get_profile(doc["accme_id"]) or {}).get("name", "")
    data = [
        {
            "activity_id": d["activity_id"],
            "title": d["title"],
            "provider": {"accme_id": d["accme_id"], "name": names[d["accme_id"]]},
            "start_date": d["start_date"],
            "end_date": d["end_date"],
            "format": d["format"],
            "credits": d["credits"],
            "moc_boards": d["moc_boards"],
            "rems": d["rems"],
        }
        for d in docs
    ]
    return {"data": data, "count": total, "page": page, "page_size": PAGE_SIZE}
