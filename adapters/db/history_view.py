"""SQL view of each provider's history: its events in log order, appended once per batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import ColumnElement, func, or_, select

from adapters.db.history_tables import provider_events
from adapters.db.view_base import Batch, SqlView, insert_rows
from projections.history import HistoryView, type_matches


class SqlHistoryView(SqlView, HistoryView):
    tables = (provider_events,)

    def append(self, entry: dict[str, Any], tracking: Tracking) -> None:
        row = dict(entry)
        row["occurred_at"] = _utc_naive(row.pop("time"))
        with self.transaction() as conn:
            batch = self._batch
            assert batch is not None
            batch.rows.append(row)
            self._track(conn, tracking)

    def _flush(self, batch: Batch) -> None:
        if batch.rows:
            insert_rows(batch.conn, provider_events, batch.rows)
            batch.rows.clear()

    def events(
        self,
        accme_id: str,
        *,
        as_of: datetime | None = None,
        after: int = 0,
        limit: int | None = None,
        types: Sequence[str] | None = None,
        since: datetime | None = None,
        before: int | None = None,
        newest_first: bool = False,
        actor_token: str | None = None,
    ) -> list[dict[str, Any]]:
        t = provider_events.c
        query = select(provider_events).where(t.accme_id == accme_id, t.position > after)
        query = query.order_by(t.position.desc() if newest_first else t.position)
        if before is not None:
            query = query.where(t.position < before)
        if actor_token is not None:
            # Token ids are letters, digits and '-' (checked at the edge), so LIKE needs no escaping.
            query = query.where(t.actor.like(f"%:{actor_token}"))
        if as_of is not None:
            query = query.where(t.occurred_at <= _utc_naive(as_of))
        if since is not None:
            query = query.where(t.occurred_at >= _utc_naive(since))
        if types:
            matches: list[ColumnElement[bool]] = []
            for pattern in types:
                how, value = type_matches(pattern)
                # Types are letters, digits and dots (checked at the edge), so LIKE needs no escaping.
                matches += (
                    [t.type == value] if how == "exact" else [t.type.like(f"{value}.%"), t.type.like(f"%.{value}")]
                )
            query = query.where(or_(*matches))
        if limit is not None:
            query = query.limit(limit)
        with self.reading() as conn:
            return [
                {
                    "position": r.position,
                    "type": r.type,
                    "time": r.occurred_at.replace(tzinfo=UTC).isoformat(),
                    "actor": r.actor,
                    "channel": r.channel,
                    "stream_id": r.stream_id,
                    "version": r.version,
                    "data": r.data,
                }
                for r in conn.execute(query)
            ]

    def timeline(
        self, accme_id: str, aggregates: Sequence[str], after: int = 0, until: datetime | None = None
    ) -> tuple[list[tuple[int, datetime]], int | None]:
        t = provider_events.c
        if not aggregates:
            return [], None
        ours = (t.accme_id == accme_id, t.position > after, or_(*[t.type.like(f"{a}.%") for a in aggregates]))
        query = select(t.position, t.occurred_at).where(*ours).order_by(t.position)
        left_out = None
        with self.reading() as conn:
            if until is not None:  # the events after the instant are not read, only where the first is
                query = query.where(t.occurred_at <= _utc_naive(until))
                later = select(func.min(t.position)).where(*ours, t.occurred_at > _utc_naive(until))
                left_out = conn.execute(later).scalar()
            return [(r.position, r.occurred_at.replace(tzinfo=UTC)) for r in conn.execute(query)], left_out


def _utc_naive(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
