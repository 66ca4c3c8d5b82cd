from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query

from adapters.api.deps import PrincipalDep, SystemDep, visible_profile
from adapters.api.schemas import AccmeIdPath, HistoryPublic

router = APIRouter(prefix="/api/v1/providers/{accme_id}/history", tags=["history"])


@router.get("", response_model=HistoryPublic)
def provider_history(
    system: SystemDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    as_of: datetime | None = Query(None, description="ISO-8601 instant; events recorded after it are left out"),
    after: int = Query(0, ge=0, description="the `next` of the previous page"),
    limit: int = Query(500, ge=1, le=5000),
) -> Any:
    """The provider's events up to an instant, in order, each with type, time, actor, channel and data."""
    visible_profile(system, principal, accme_id)
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)  # an instant without a zone is read as UTC
    items = system.history.view.events(accme_id, as_of=as_of, after=after, limit=limit + 1)
    more = len(items) > limit
    items = items[:limit]
    return {
        "accme_id": accme_id,
        "as_of": as_of.isoformat() if as_of else None,
        "items": items,
        "next": items[-1]["position"] if more else None,
    }

