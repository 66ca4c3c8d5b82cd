"""SQL implementation of the board feeds (rows, feed heads and position in one transaction).

A batch keeps what it writes in memory (items, heads, activities, learners, completions) and
writes each table once when it commits (SqlView's `_flush` hook); reads inside the batch look
there first. Sequence numbers come from `feed_heads`, read once per feed per batch: one writer
per projection (the tracked position is compare-and-set) makes them gap-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import select

from adapters.db.feeds_tables import feed_activities, feed_completions, feed_heads, feed_items, feed_learners
from adapters.db.learner_directory_tables import learner_directory
from adapters.db.view_base import Batch, SqlView, insert_rows
from projections.feeds import FeedView

LOOKUP_CHUNK = 500
I = feed_items.c  # noqa: E741 - the feed items' columns, as in I.position


@dataclass
class _Pending:
    heads: dict[str, int] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> row
    numbers: dict[str, dict[str, Any]] = field(default_factory=dict)  # number -> boards
    learners: dict[str, dict[str, Any]] = field(default_factory=dict)  # learner_id -> row
    completions: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> doc
    # Read (not written) in this batch: prefetched or looked up once.
    known_states: dict[str, list[str]] = field(default_factory=dict)
    known_completions: dict[str, dict[str, Any] | None] = field(default_factory=dict)


class SqlFeedView(SqlView, FeedView):
    tables = (feed_items, feed_heads, feed_activities, feed_learners, feed_completions)

    def _pending(self) -> _Pending:
        batch = self._batch
        assert batch is not None, "feed rows are written inside the view's transaction"
        pending: _Pending | None = batch.pending
        if pending is None:
            pending = batch.pending = _Pending()
        return pending

    def _pending_or_none(self) -> _Pending | None:
        batch = self._batch
        return batch.pending if batch is not None else None

    # --- routing state -----------------------------------------------------------------------

    def put_activity(self, key: str, number: str | None, boards: dict[str, dict[str, Any]], tracking: Tracking) -> None:
        with self.transaction() as conn:
            pending = self._pending()
            if number is None:
                known = pending.activities.get(key)
                if known is None:
                    found = conn.execute(select(feed_activities.c.number).where(feed_activities.c.key == key)).scalar()
                    known = {"number": found} if found else None
                number = known["number"] if known else None
            if number is not None:
                pending.activities[key] = {"key": key, "number": number, "boards": boards}
                pending.numbers[number] = boards
            self._track(conn, tracking)

    def activity_boards(self, number: str) -> dict[str, dict[str, Any]]:
        pending = self._pending_or_none()
        if pending is not None and number in pending.numbers:
            return pending.numbers[number]
        with self.reading() as conn:
            boards = conn.execute(select(feed_activities.c.boards).where(feed_activities.c.number == number)).scalar()
        if pending is not None:
            pending.numbers[number] = boards or {}
        return boards or {}

    def put_learner(self, learner_id: str, states: list[str], erased: bool, tracking: Tracking) -> None:
        with self.transaction() as conn:
            self._pending().learners[learner_id] = {"learner_id": learner_id, "states": states, "erased": erased}
            self._track(conn, tracking)

    def learner_states(self, learner_id: str) -> list[str]:
        pending = self._pending_or_none()
        if pending is not None:
            if learner_id in pending.learners:
                return list(pending.learners[learner_id]["states"])
            if learner_id in pending.known_states:
                return list(pending.known_states[learner_id])
        with self.reading() as conn:
            states = conn.execute(
                select(feed_learners.c.states).where(feed_learners.c.learner_id == learner_id)
            ).scalar()
        return list(states or [])

    def get_completion(self, key: str) -> dict[str, Any] | None:
        pending = self._pending_or_none()
        if pending is not None:
            if key in pending.completions:
                return pending.completions[key]
            if key in pending.known_completions:
                return pending.known_completions[key]
        with self.reading() as conn:
            return conn.execute(select(feed_completions.c.doc).where(feed_completions.c.key == key)).scalar()

    def prefetch(self, learner_ids: set[str], numbers: set[str], completion_keys: set[str]) -> None:
        pending = self._pending()
        conn = self._batch.conn  # type: ignore[union-attr]
        for chunk in _chunks(sorted(learner_ids - pending.known_states.keys())):
            found = {
                r.learner_id: r.states
                for r in conn.execute(select(feed_learners).where(feed_learners.c.learner_id.in_(chunk)))
            }
            pending.known_states.update({i: found.get(i) or [] for i in chunk})
        for chunk in _chunks(sorted(numbers - pending.numbers.keys())):
            found = {
                r.number: r.boards
                for r in conn.execute(
                    select(feed_activities.c.number, feed_activities.c.boards).where(
                        feed_activities.c.number.in_(chunk)
                    )
                )
            }
            pending.numbers.update({n: found.get(n) or {} for n in chunk})
        for chunk in _chunks(sorted(completion_keys - pending.known_completions.keys())):
            found = {
                r.key: r.doc for r in conn.execute(select(feed_completions).where(feed_completions.c.key.in_(chunk)))
            }
            pending.known_completions.update({k: found.get(k) for k in chunk})

    # --- appending -----------------------------------------------------------------------------

    def append(
        self,
        key: str,
        completion: dict[str, Any],
        items: list[tuple[str, dict[str, Any]]],
        item_id: str,
        position: int,
        tracking: Tracking,
    ) -> None:
        with self.transaction() as conn:
            pending = self._pending()
            pending.completions[key] = completion
            for feed, doc in items:
                if feed not in pending.heads:
                    pending.heads[feed] = (
                        conn.execute(select(feed_heads.c.seq).where(feed_heads.c.feed == feed)).scalar() or 0
                    )
                pending.heads[feed] += 1
                pending.items.append(
                    {
                        "feed": feed,
                        "seq": pending.heads[feed],
                        "position": position,
                        "item_id": item_id,
                        "learner_id": completion["learner_id"],
                        "doc": doc,
                    }
                )
            self._track(conn, tracking)

    def _flush(self, batch: Batch) -> None:
        pending: _Pending | None = batch.pending
        if pending is None:
            return
        conn = batch.conn
        if pending.items:
            insert_rows(conn, feed_items, pending.items)
        self.upsert_rows(conn, feed_heads, "feed", [{"feed": f, "seq": s} for f, s in pending.heads.items()])
        self.upsert_rows(conn, feed_activities, "key", list(pending.activities.values()))
        self.upsert_rows(conn, feed_learners, "learner_id", list(pending.learners.values()))
        self.upsert_rows(conn, feed_completions, "key", [{"key": k, "doc": d} for k, d in pending.completions.items()])
        batch.pending = None

    # --- reading ---------------------------------------------------------------------------------

    def head(self, feed: str) -> int:
        with self.reading() as conn:
            return int(conn.execute(select(feed_heads.c.seq).where(feed_heads.c.feed == feed)).scalar() or 0)

    def page(self, feed: str, after: int, limit: int) -> list[dict[str, Any]]:
        query = select(feed_items).where(I.feed == feed, I.seq > after).order_by(I.seq).limit(limit)
        with self.reading() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def between(self, first: int, last: int) -> list[dict[str, Any]]:
        query = select(feed_items).where(I.position >= first, I.position <= last).order_by(I.position, I.feed)
        with self.reading() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def learners(self, learner_ids: list[str]) -> dict[str, tuple[dict[str, Any] | None, bool]]:
        # The learner directory's rows are deleted on erasure; feed_learners says it was erasure.
        out: dict[str, tuple[dict[str, Any] | None, bool]] = {}
        with self.reading() as conn:
            for start in range(0, len(learner_ids), LOOKUP_CHUNK):
                chunk = learner_ids[start : start + LOOKUP_CHUNK]
                d, f = learner_directory.c, feed_learners.c
                docs = {
                    r.learner_id: r.doc
                    for r in conn.execute(select(d.learner_id, d.doc).where(d.learner_id.in_(chunk)))
                }
                erased = set(
                    conn.execute(select(f.learner_id).where(f.learner_id.in_(chunk), f.erased.is_(True))).scalars()
                )
                for learner_id in chunk:
                    out[learner_id] = (None if learner_id in erased else docs.get(learner_id), learner_id in erased)
        return out

    def item_types(self, feed: str, item_ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        with self.reading() as conn:
            for chunk in _chunks(sorted(set(item_ids))):
                for r in conn.execute(select(I.item_id, I.doc).where(I.item_id.in_(chunk), I.feed == feed)):
                    out[r.item_id] = r.doc["type"]
        return out


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i : i + LOOKUP_CHUNK] for i in range(0, len(values), LOOKUP_CHUNK)]
