"""Read-model tables. Each projection owns its tables; positions live in projection_tracking."""

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
Json = JSON().with_variant(JSONB(), "postgresql")

projection_tracking = Table(
    "projection_tracking",
    metadata,
    Column("projection", String(100), primary_key=True),
    Column("application_name", String(100), primary_key=True),
    Column("notification_id", BigInteger, nullable=False),
)

provider_profiles = Table(
    "provider_profiles",
    metadata,
    Column("accme_id", String(7), primary_key=True),
    Column("accreditor", String(10), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("doc", Json, nullable=False),
)

directory_entries = Table(
    "directory_entries",
    metadata,
    Column("accme_id", String(7), primary_key=True),
    Column("name", Text, nullable=False),
    Column("listed", Boolean, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("doc", Json, nullable=False),
)

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
