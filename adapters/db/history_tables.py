"""Tables of the history projection: each provider's events, by position."""

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, Text

from adapters.db.tables import Json, metadata

provider_events = Table(
    "provider_events",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("accme_id", String(7), nullable=False),
    Column("stream_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(120), nullable=False),
    Column("occurred_at", DateTime(timezone=False), nullable=False),  # UTC
    Column("actor", Text, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("data", Json, nullable=False),
    Index("ix_provider_events_accme_position", "accme_id", "position"),
)
