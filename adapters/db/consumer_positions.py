"""Where a Kafka consumer of PARS (services/ack_consumer.py) has read to: each topic partition's next offset, a
table beside the log. The event store's recorders write a consumer's `PositionMove`s inside the transaction that
inserts the events its records produced (`store.save(*aggregates, consumer_positions=[...])`), so the offset and
the events commit together or not at all; a move is a compare-and-set, so two consumers never both apply a record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, String, Table, select

from adapters.db.database import Database
from adapters.db.tables import metadata
from services.ack_consumer import PositionMove
from services.feed_relay import PositionMovedError

consumer_positions = Table(
    "consumer_positions",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("topic", String(249), primary_key=True),
    Column("partition_no", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
)

_UPDATE = (
    "UPDATE consumer_positions SET next_offset = {p} "
    "WHERE consumer = {p} AND topic = {p} AND partition_no = {p} AND next_offset = {p} RETURNING next_offset"
)
_INSERT = (
    "INSERT INTO consumer_positions (consumer, topic, partition_no, next_offset) VALUES ({p}, {p}, {p}, {p}) "
    "ON CONFLICT DO NOTHING RETURNING next_offset"
)
SQLITE = {"update": _UPDATE.format(p="?"), "insert": _INSERT.format(p="?")}
POSTGRES = {"update": _UPDATE.format(p="%s"), "insert": _INSERT.format(p="%s")}


def write_moves(cursor: Any, moves: Sequence[PositionMove], sql: dict[str, str]) -> None:
    """Moves each position inside the caller's transaction (a DB-API cursor of the recorder's connection);
    PositionMovedError, which rolls the transaction back, when one is not where the consumer read it."""
    for m in moves:
        if m.expected is None:
            cursor.execute(sql["insert"], (m.consumer, m.topic, m.partition, m.to))
        else:
            cursor.execute(sql["update"], (m.to, m.consumer, m.topic, m.partition, m.expected))
        if cursor.fetchone() is None:
            raise PositionMovedError(
                f"{m.consumer}: {m.topic}[{m.partition}] is no longer at offset {m.expected}; another consumer moved it"
            )


class SqlConsumerPositions:
    """A consumer's stored offsets, read (the recorders write them)."""

    def __init__(self, db: Database, consumer: str) -> None:
        self.db = db
        self.consumer = consumer

    def get(self) -> dict[tuple[str, int], int]:
        c = consumer_positions.c
        query = select(c.topic, c.partition_no, c.next_offset).where(c.consumer == self.consumer)
        with self.db.read_engine.connect() as conn:
            return {(r.topic, int(r.partition_no)): int(r.next_offset) for r in conn.execute(query)}
