"""The event store's SQLite recorder: the library's, inserting a batch with one `executemany` and also writing a
Kafka consumer's positions in the transaction that inserts the events its records produced
(adapters/db/consumer_positions.py).

The library inserts an application's events one `execute` at a time to read each row's `lastrowid` (its
notification id): a statement's round through the driver per event, a tenth of a completion import's store.save
(issue 16). One `executemany` inserts the same rows in the same order in the same transaction; the rowid of each
new row is one more than the largest in the table (SQLite's rule for a table without AUTOINCREMENT, whose rowids
never reach the maximum here), and the transaction holds the database's write lock from the first insert on, so
the batch's ids are consecutive and end at `last_insert_rowid()`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from adapters.db.consumer_positions import SQLITE, write_moves


class ParsSQLiteRecorder(SQLiteApplicationRecorder):
    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        moves = kwargs.get("consumer_positions")
        if moves:
            write_moves(c, moves, SQLITE)
        if len(stored_events) < 2:
            return super()._insert_events(c, stored_events, **kwargs)
        c.executemany(
            self.insert_events_statement,
            [
                (
                    s.originator_id.hex if type(s.originator_id) is UUID else s.originator_id,
                    s.originator_version,
                    s.topic,
                    s.state,
                )
                for s in stored_events
            ],
        )
        c.execute("SELECT last_insert_rowid()")
        last: int = c.fetchone()[0]
        return list(range(last - len(stored_events) + 1, last + 1))
