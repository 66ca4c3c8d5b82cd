"""Activity search and summary for a provider, from the activity summary projection."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from adapters.api.deps import PrincipalDep, SystemDep, visible_profile
from adapters.api.problems import Problem
from adapters.api.schemas import AccmeIdPath
from domain.activity import canonical_format
from domain.errors import InvalidValueError
from projections.activity_summary import status_of

router = APIRouter(prefix="/api/v1/providers", tags=["activities"])
PAGE_SIZE = 50
Status = Literal["draft", "active", "ready_to_close", "closed"]


def parse_format(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return canonical_format(value, loc=("query", "format"))[0]
    except InvalidValueError as exc:
        raise Problem(422, exc.message, [{"loc": list(exc.loc), "msg": exc.message}]) from None


@router.get("/{accme_id}/activities")
def search_activities(
    system: SystemDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    format: Annotated[str | None, Query(max_length=100, description="an activity format (old names accepted)")] = None,
    status: Status | None = None,
    q: Annotated[str | None, Query(max_length=200, description="words of the title or IDs")] = None,
    moc: Annotated[str | None, Query(pattern=r"^(any|none|ABA|ABIM|ABOHNS|ABOS|ABP|ABPATH|ABS|ABTS|ABPMR)$")] = None,
    rems: bool | None = None,
    mips: bool | None = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> dict[str, Any]:
    """Searches the provider's activities by year, format, status, keyword, MOC board, REMS and MIPS."""
    visible_profile(system, principal, accme_id)
    today = system.activities.today()
    rows, total = system.activity_summary.view.search(
        accme_id, year=year, fmt=parse_format(format), status=status, q=q, moc=moc, rems=rems, mips=mips,
        today=today, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
    )
    data = [{**_public(r), "status": status_of(r, today)} for r in rows]
    return {"data": data, "count": total, "page": page, "page_size": PAGE_SIZE}


def _public(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k not in ("complete", "deleted")}


def activity_counts(rows: list[dict[str, Any]], today: date) -> dict[str, Any]:
    by_status = {s: 0 for s in ("draft", "active", "ready_to_close", "closed")}
    by_format: dict[str, int] = {}
    physicians = others = monetary = 0
    supported = 0
    sources: dict[str, int] = {}
    in_kind: set[str] = set()
    for r in rows:
        by_status[status_of(r, today)] += 1
        by_format[r["format"]] = by_format.get(r["format"], 0) + 1
        physicians += r["physician_learners"]
        others += r["other_learners"]
        if r["commercial_support"]:
            supported += 1
        for m in r["monetary_support"]:
            monetary += m["amount"]
            sources[m["source"]] = sources.get(m["source"], 0) + m["amount"]
        in_kind.update(r["in_kind_sources"])
    return {
        "activities": {"total": len(rows), "by_status": by_status, "by_format": dict(sorted(by_format.items()))},
        "learners": {"physicians": physicians, "other_learners": others},
        "commercial_support": {
            "activities_supported": supported,
            "monetary_total": monetary,
            "monetary_by_source": dict(sorted(sources.items())),
            "in_kind_sources": sorted(in_kind),
        },
    }
