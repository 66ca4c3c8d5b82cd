"""The event store's SQLite recorder: the library's, also writing a Kafka consumer's positions in the transaction
that inserts the events its records produced (adapters/db/consumer_positions.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
        return super()._insert_events(c, stored_events, **kwargs)
