"""SQL view of the event chain (tamper evidence, projections/event_chain.py)."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import func, select, text

from adapters.db.event_chain_tables import event_chain
from adapters.db.view_base import SqlView, insert_rows
from projections.event_chain import EventChainView


class SqlEventChainView(SqlView, EventChainView):
    tables = (event_chain,)

    def last_hashes(self, accme_ids: Collection[str]) -> dict[str, str]:
        # One statement for the whole page: for each chain named, an index probe for its latest link
        # ((accme_id, position) descending, limit 1) however long the chain; a GROUP BY max would read
        # every link of a long chain. The names go in as one JSON / array parameter.
        if self.db.url.is_sqlite:
            query = text(
                "SELECT j.value AS accme_id, (SELECT hash FROM event_chain WHERE accme_id = j.value "
                "ORDER BY position DESC LIMIT 1) AS hash FROM json_each(:ids) AS j"
            )
            ids: Any = json.dumps(sorted(accme_ids))
        else:
            query = text(
                "SELECT a AS accme_id, (SELECT hash FROM event_chain WHERE accme_id = a "
                "ORDER BY position DESC LIMIT 1) AS hash FROM unnest(CAST(:ids AS varchar[])) AS a"
            )
            ids = sorted(accme_ids)
        with self.reading() as conn:
            return {r.accme_id: r.hash for r in conn.execute(query, {"ids": ids}) if r.hash is not None}

    def append(self, link: dict[str, Any], tracking: Tracking) -> None:
        with self.transaction() as conn:
            batch = self._batch
            assert batch is not None
            batch.rows.append(dict(link))
            self._track(conn, tracking)

    def _flush(self, batch: Any) -> None:
        if batch.rows:
            insert_rows(batch.conn, event_chain, batch.rows)
            batch.rows.clear()

    def links(self, start: int, stop: int, accme_id: str | None = None) -> list[dict[str, Any]]:
        t = event_chain.c
        query = select(event_chain).where(t.position >= start, t.position <= stop).order_by(t.position)
        if accme_id is not None:
            query = query.where(t.accme_id == accme_id)
        with self.reading() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def chain(self, accme_id: str, after: int, limit: int) -> list[dict[str, Any]]:
        t = event_chain.c
        query = select(event_chain).where(t.accme_id == accme_id, t.position > after).order_by(t.position).limit(limit)
        with self.reading() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def heads(self) -> dict[str, dict[str, Any]]:
        t = event_chain.c
        latest = select(t.accme_id, func.max(t.position).label("position")).group_by(t.accme_id).subquery()
        query = select(event_chain).join(latest, t.position == latest.c.position).order_by(t.accme_id)
        with self.reading() as conn:
            return {r.accme_id: dict(r._mapping) for r in conn.execute(query)}
