"""The event chain's table and SQL view (tamper evidence, projections/event_chain.py)."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import BigInteger, Column, Index, String, Table, func, insert, select

from adapters.db.tables import metadata
from adapters.db.views import SqlView
from projections.event_chain import EventChainView

event_chain = Table(
    "event_chain",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("accme_id", String(7), nullable=False),  # "" for events of no provider
    Column("hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Index("ix_event_chain_accme_position", "accme_id", "position"),
)


class SqlEventChainView(SqlView, EventChainView):
    tables = (event_chain,)

    def last_hash(self, accme_id: str) -> str | None:
        batch = self._batch
        if batch is not None and accme_id in batch.docs:
            return batch.docs[accme_id]  # type: ignore[return-value]
        t = event_chain.c
        with self.reading() as conn:
            found = conn.execute(select(t.hash).where(t.accme_id == accme_id).order_by(t.position.desc()).limit(1)).scalar()
        return found

    def append(self, link: dict[str, Any], tracking: Tracking) -> None:
        with self.transaction() as conn:
            batch = self._batch
            assert batch is not None
            batch.rows.append(dict(link))
            batch.docs[link["accme_id"]] = link["hash"]  # type: ignore[assignment]
            self._track(conn, tracking)

    def _flush(self, batch: Any) -> None:
        if batch.rows:
            batch.conn.execute(insert(event_chain), batch.rows)
            batch.rows.clear()

    def links(self, start: int, stop: int, accme_id: str | None = None) -> list[dict[str, Any]]:
        t = event_chain.c
        query = select(event_chain).where(t.position >= start, t.position <= stop).order_by(t.position)
        if accme_id is not None:
            query = query.where(t.accme_id == accme_id)
        with self.reading() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def heads(self) -> dict[str, dict[str, Any]]:
        t = event_chain.c
        latest = select(t.accme_id, func.max(t.position).label("position")).group_by(t.accme_id).subquery()
        query = select(event_chain).join(latest, t.position == latest.c.position).order_by(t.accme_id)
        with self.reading() as conn:
            return {r.accme_id: dict(r._mapping) for r in conn.execute(query)}
