from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Query

from adapters.api.deps import AccessDep, PrincipalDep
from adapters.api.problems import Problem
from adapters.api.schemas import AccmeIdPath, HistoryPublic, IsoInstant
from adapters.http.reads import AuditDep
from projections.history import TYPE_PATTERN

router = APIRouter(prefix="/api/v1/providers/{accme_id}/history", tags=["history"])


def event_types(values: list[str]) -> list[str]:
    """`type=` repeated or comma-separated; each `Aggregate.Event`, `Aggregate` or `Event`."""
    types = [v.strip() for value in values for v in value.split(",") if v.strip()]
    bad = [t for t in types if not TYPE_PATTERN.match(t)]
    if bad:
        raise Problem(
            422,
            f"not an event type: {bad[0]!r}",
            [{"loc": ["query", "type"], "msg": "expected Aggregate.Event, Aggregate or Event"}],
        )
    return types


def instant(value: str | None, name: str, *, end_of_day: bool) -> datetime | None:
    """A date (the whole day, UTC) or an ISO-8601 instant (UTC when it has no zone)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            if end_of_day:  # `to=` a date includes that whole day
                return datetime.combine(day + timedelta(days=1), time(), UTC) - timedelta(microseconds=1)
            return datetime.combine(day, time(), UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Problem(
            422,
            f"{name}= is not a date or an ISO-8601 instant: {value!r}",
            [{"loc": ["query", name], "msg": "expected YYYY-MM-DD or an ISO-8601 instant"}],
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.get("", response_model=HistoryPublic)
def provider_history(
    audit: AuditDep,
    access: AccessDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    as_of: IsoInstant | None = Query(None, description="ISO-8601 instant; events recorded after it are left out"),
    after: int = Query(
        0, ge=0, le=2**63 - 1, description="the `next` of the previous page"
    ),  # a position fits a BIGINT
    limit: int = Query(500, ge=1, le=5000),
    type: list[str] = Query(
        [],
        description="event types, repeated or comma-separated: `Provider.ContactAssigned`, `Provider` (all of an aggregate) or `ContactAssigned`",
    ),
    from_: str | None = Query(None, alias="from", description="date or instant: events recorded at or after it"),
    to: str | None = Query(
        None, description="date (that whole day included) or instant: events recorded at or before it"
    ),
) -> Any:
    """The provider's events up to an instant, in order, each with type, time, actor, channel and data;
    filtered by type and by the dates they were recorded, paged with `after`."""
    access.visible(principal, accme_id)
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)  # an instant without a zone is read as UTC
    types = event_types(type)
    since = instant(from_, "from", end_of_day=False)
    until = instant(to, "to", end_of_day=True)
    upper = min((m for m in (as_of, until) if m is not None), default=None)
    items, next_after = audit.page(accme_id, limit=limit, after=after, as_of=upper, types=types or None, since=since)
    return {
        "accme_id": accme_id,
        "as_of": as_of.isoformat() if as_of else None,
        "items": items,
        "next": next_after,
    }
